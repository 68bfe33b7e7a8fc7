using System.Globalization;
using Exania.Conversion;
using Exania.Core;
using Exania.Dashboard;
using Exania.Events;
using Exania.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Exania.Server;

/// <summary>The filters every page sends, as query parameters; dates are UTC days (yyyy-MM-dd), both inclusive.</summary>
public sealed record FilterQuery
{
    [FromQuery(Name = "from")] public string? From { get; init; }
    [FromQuery(Name = "to")] public string? To { get; init; }
    [FromQuery(Name = "segment")] public string? Segment { get; init; }
    [FromQuery(Name = "campaign")] public string? Campaign { get; init; }
    [FromQuery(Name = "campaignType")] public string? CampaignType { get; init; }

    /// <exception cref="ArgumentException">A date is not yyyy-MM-dd, or <see cref="DashboardFilter.Validate"/> refuses the filter.</exception>
    public DashboardFilter ToFilter() => new DashboardFilter
    {
        From = Day(From, "from"),
        To = Day(To, "to"),
        Segment = Blank(Segment),
        Campaign = Blank(Campaign),
        CampaignType = Blank(CampaignType),
    }.Validate();

    private static DateOnly? Day(string? text, string name)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            throw new ArgumentException($"The '{name}' filter '{Truncated(text)}' is not a date; write it as yyyy-MM-dd.", name);
        return day;
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    internal static string Truncated(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>The JSON API, one <c>MapXxxApi</c> per dashboard area; each handler parses, calls <see cref="DashboardQueries"/>, answers.</summary>
public static class DashboardApis
{
    public static RouteGroupBuilder MapOverviewApi(this RouteGroupBuilder api)
    {
        var area = api.MapGroup("").WithTags("Overview");
        area.MapGet("/meta", (DashboardState state) => TypedResults.Ok(state.Queries.Meta()))
            .WithName("GetMeta").WithSummary("What the store holds: date range, segments, campaigns, fields, and what is missing.");
        area.MapGet("/overview", ([AsParameters] FilterQuery query, DashboardState state) => Answer(() => state.Queries.Overview(query.ToFilter())))
            .WithName("GetOverview").WithSummary("Sessions, users, events, conversion rate, drop-off, ad-click rate, spend, revenue, ROAS, and the daily trend.");
        return api;
    }

    public static RouteGroupBuilder MapBehaviourApi(this RouteGroupBuilder api)
    {
        var area = api.MapGroup("").WithTags("Click behaviour");
        area.MapGet("/funnel", ([AsParameters] FilterQuery query, DashboardState state, string stages, string? by, double? windowDays) =>
                Answer(() => state.Queries.Funnel(query.ToFilter(), stages, Unit(by), WindowSeconds(windowDays))))
            .WithName("GetFunnel").WithSummary("The funnel of the chosen stages (view,cart?,purchase: ? marks an optional step), with drop-off per stage.");
        area.MapGet("/paths", ([AsParameters] FilterQuery query, DashboardState state, int? length) =>
                Answer(() => state.Queries.Paths(query.ToFilter(), Length(length))))
            .WithName("GetPaths").WithSummary("Top conversion and abandonment paths of the filtered sessions.");
        area.MapGet("/breakdown", ([AsParameters] FilterQuery query, DashboardState state, string field, string stages, double? windowDays) =>
                Answer(() => state.Queries.Breakdown(query.ToFilter(), Field(field), stages, WindowSeconds(windowDays))))
            .WithName("GetBreakdown").WithSummary("Click-to-conversion efficiency and drop-off per value of an event field (category, page, ...).");
        return api;
    }

    public static RouteGroupBuilder MapAdSpendApi(this RouteGroupBuilder api)
    {
        var area = api.MapGroup("").WithTags("Ad spend");
        area.MapGet("/adspend", ([AsParameters] FilterQuery query, DashboardState state) => Answer(() => state.Queries.AdSpend(query.ToFilter())))
            .WithName("GetAdSpend").WithSummary("ROAS by campaign, ad type and placement; the ROAS model's feature importance and predicted vs actual ROAS.");
        return api;
    }

    public static RouteGroupBuilder MapSegmentsApi(this RouteGroupBuilder api)
    {
        var area = api.MapGroup("").WithTags("Segmentation and trends");
        area.MapGet("/segments", ([AsParameters] FilterQuery query, DashboardState state) => Answer(() => state.Queries.Segments(query.ToFilter())))
            .WithName("GetSegments").WithSummary("Segment sizes and profiles over the filtered events.");
        area.MapGet("/seasonality", ([AsParameters] FilterQuery query, DashboardState state) => Answer(() => state.Queries.Seasonality(query.ToFilter())))
            .WithName("GetSeasonality").WithSummary("Events and conversions by weekday, by hour and per week (UTC).");
        area.MapGet("/retention", ([AsParameters] FilterQuery query, DashboardState state, string? period) =>
                Answer(() => state.Queries.Retention(query.ToFilter(), Period(period))))
            .WithName("GetRetention").WithSummary("Retention cohorts by first day (or week) of activity.");
        return api;
    }

    /// <summary>Writes: they need the configured API key in <c>X-Api-Key</c>.</summary>
    public static RouteGroupBuilder MapAdminApi(this RouteGroupBuilder api)
    {
        var area = api.MapGroup("").WithTags("Writes");
        area.MapPost("/events", IngestAsync)
            .WithName("PostEvents").WithSummary("Store events (CSV or JSON Lines with the canonical columns) in the store; idempotent and transactional. Needs X-Api-Key.")
            .WithMetadata(new RequestSizeLimitAttribute(long.MaxValue)) // the endpoint enforces Exania:MaxIngestBytes itself, with a clear message
            .Accepts<string>("text/csv", "application/x-ndjson");
        area.MapPost("/reload", (HttpRequest request, DashboardState state) =>
            {
                if (Unauthorized(request, state) is { } refused)
                    return (Results<Ok<DashboardMeta>, ProblemHttpResult>)refused;
                return TypedResults.Ok(state.Reload());
            })
            .WithName("PostReload").WithSummary("Read the store and the models folder again. Needs X-Api-Key.");
        return api;
    }

    private static async Task<Results<Ok<IngestReport>, ProblemHttpResult>> IngestAsync(HttpRequest request, DashboardState state, string? format, CancellationToken cancellationToken)
    {
        if (Unauthorized(request, state) is { } refused)
            return refused;
        var extension = format switch
        {
            null or "" or "csv" => ".csv",
            "jsonl" or "ndjson" => ".jsonl",
            _ => null,
        };
        if (extension is null)
            return Problem(StatusCodes.Status400BadRequest, $"format '{FilterQuery.Truncated(format!)}' is not csv or jsonl.");
        var limit = state.Settings.MaxIngestBytes;
        if (request.ContentLength > limit)
            return Problem(StatusCodes.Status413PayloadTooLarge, $"The body has {request.ContentLength:N0} bytes; this service takes at most {limit:N0} (Exania:MaxIngestBytes).");
        var folder = Directory.CreateTempSubdirectory("exania-ingest-");
        try
        {
            var path = Path.Combine(folder.FullName, "events" + extension);
            await using (var file = File.Create(path))
            {
                var buffer = new byte[1 << 16];
                long total = 0;
                int read;
                while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > limit)
                        return Problem(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {limit:N0} bytes (Exania:MaxIngestBytes); nothing was stored.");
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            EventLog log;
            try
            {
                (log, _) = EventLoader.Load([path]);
            }
            catch (DataFormatException e)
            {
                return Problem(StatusCodes.Status400BadRequest, $"Nothing was stored: {e.Message}");
            }
            if (log.Count == 0)
                return Problem(StatusCodes.Status400BadRequest, "The body holds no events; nothing was stored.");
            return TypedResults.Ok(state.Ingest(log, "POST /api/v1/events", cancellationToken));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Null when the request carries the configured key; otherwise the refusal (no key configured refuses every write).</summary>
    private static ProblemHttpResult? Unauthorized(HttpRequest request, DashboardState state)
    {
        if (state.Settings.ApiKey is null)
            return Problem(StatusCodes.Status403Forbidden, "Writes are disabled: no API key is configured (set Exania:ApiKey, e.g. the environment variable Exania__ApiKey).");
        if (!state.Settings.IsAdminKey(request.Headers["X-Api-Key"].ToString()))
            return Problem(StatusCodes.Status401Unauthorized, "This endpoint needs the service's API key in the X-Api-Key header.");
        return null;
    }

    /// <summary>Calls the library; a refused argument (bad stages, bad filter) is a 400 with the library's message.</summary>
    private static Results<Ok<T>, ProblemHttpResult> Answer<T>(Func<T> compute)
    {
        try
        {
            return TypedResults.Ok(compute());
        }
        catch (ArgumentException e)
        {
            return Problem(StatusCodes.Status400BadRequest, e.Message);
        }
    }

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);

    private static FunnelUnit Unit(string? by) => by switch
    {
        null or "" or "session" => FunnelUnit.Session,
        "user" => FunnelUnit.User,
        _ => throw new ArgumentException($"by '{FilterQuery.Truncated(by)}' is not session or user.", nameof(by)),
    };

    private static double WindowSeconds(double? days)
    {
        var d = days ?? 30;
        if (!(d > 0 && d <= FunnelOptions.MaxWindowSeconds / 86_400))
            throw new ArgumentException($"windowDays {d} must be in (0, {FunnelOptions.MaxWindowSeconds / 86_400:0}].", nameof(days));
        return d * 86_400;
    }

    private static int Length(int? length)
    {
        var n = length ?? 4;
        if (n is < 1 or > PathOptions.MaxLength)
            throw new ArgumentException($"length {n} must be 1 to {PathOptions.MaxLength}.", nameof(length));
        return n;
    }

    private static EventField Field(string field)
    {
        foreach (var f in EventValues.Fields)
            if (EventFields.Name(f) == field && f != EventField.Action)
                return f;
        throw new ArgumentException($"field '{FilterQuery.Truncated(field)}' is not one of {string.Join(", ", EventValues.Fields.Where(f => f != EventField.Action).Select(EventFields.Name))}.", nameof(field));
    }

    private static RetentionPeriod Period(string? period) => period switch
    {
        null or "" or "day" => RetentionPeriod.Day,
        "week" => RetentionPeriod.Week,
        _ => throw new ArgumentException($"period '{FilterQuery.Truncated(period)}' is not day or week.", nameof(period)),
    };
}
