using System.Buffers;
using System.Text.Json;
using Exania.Core;
using Exania.Reports;
using Exania.Scoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Exania.Server;

/// <summary>The loaded models and their versions.</summary>
public sealed record ModelsReport(string? Folder, IReadOnlyList<ModelVersion> Models, int Reloads);

/// <summary>
/// The live scoring API: a session's events in, its click probability out; the sequence model's next actions; every
/// model on rows; model reloads. Each handler reads the body (bounded), calls Exania.Scoring and answers; bad input is a
/// 400 naming the field.
/// </summary>
public static class LiveApis
{
    /// <summary>Largest body of a live request (a batch of 1000 events is about 80 KB).</summary>
    public const int MaxLiveBodyBytes = 1 << 20;

    /// <summary>Name of the rate-limiting policy of the live endpoints.</summary>
    public const string RateLimitPolicy = "live";

    /// <summary>Name of the CORS policy of the live endpoints.</summary>
    public const string CorsPolicy = "live";

    public static RouteGroupBuilder MapLiveScoringApi(this RouteGroupBuilder api)
    {
        var area = api.MapGroup("").WithTags("Live scoring").RequireRateLimiting(RateLimitPolicy).RequireCors(CorsPolicy);
        area.MapPost("/sessions/{id}/events", PostEventsAsync)
            .WithName("PostSessionEvents")
            .WithSummary("A batch of one session's interaction events; returns the windows it completed with their click probabilities, and the window ending at its last event.")
            .WithMetadata(new RequestSizeLimitAttribute(MaxLiveBodyBytes))
            .Accepts<LiveBatchBody>("application/json");
        area.MapGet("/sessions/{id}/next-action", async Task<Results<Ok<NextActionReport>, ProblemHttpResult, ValidationProblem>> (string id, int? top,
                ILiveSessions sessions, HttpResponse response, CancellationToken cancellationToken) =>
            {
                var k = top ?? 3;
                if (k is < 1 or > 100)
                    return Invalid("top", $"top {k} must be 1 to 100.");
                try
                {
                    LiveBatchReader.CheckId(id, "session");
                    return TypedResults.Ok(await sessions.NextActionAsync(id, k, cancellationToken).ConfigureAwait(false));
                }
                catch (LiveInputException e)
                {
                    return Invalid(e.Field.Length == 0 ? "body" : e.Field, e.Message);
                }
                catch (KeyNotFoundException e)
                {
                    return Problem(StatusCodes.Status404NotFound, e.Message);
                }
                catch (ModelUnavailableException e)
                {
                    return Problem(StatusCodes.Status503ServiceUnavailable, e.Message);
                }
                catch (LiveSessionsUnavailableException e)
                {
                    response.Headers.RetryAfter = "1";
                    return Problem(StatusCodes.Status503ServiceUnavailable, e.Message);
                }
            })
            .WithName("GetNextAction").WithSummary("The sequence model's top next actions for a live session, with its attention over the session's events.");
        return api;
    }

    public static RouteGroupBuilder MapPredictApi(this RouteGroupBuilder api)
    {
        var area = api.MapGroup("/predict").WithTags("Predict").RequireRateLimiting(RateLimitPolicy).RequireCors(CorsPolicy);
        area.MapPost("/click", (HttpRequest request, LiveState live, CancellationToken ct) =>
                ReadAndScoreAsync(request, live, body => Predictions.Click(body.Span, live.Models.Current), ct))
            .WithName("PredictClick").WithSummary("Click probabilities of window-feature rows: {\"row\": [20 numbers]} or {\"rows\": [...]}, arrays in feature order or objects by feature name.")
            .WithMetadata(new RequestSizeLimitAttribute(MaxLiveBodyBytes * 8L)).Accepts<PredictBody>("application/json");
        area.MapPost("/roas", (HttpRequest request, LiveState live, CancellationToken ct) =>
                ReadAndScoreAsync(request, live, body => Predictions.Roas(body.Span, live.Models.Current), ct))
            .WithName("PredictRoas").WithSummary("Predicted ROAS of campaign rows (objects of the training table's columns).")
            .WithMetadata(new RequestSizeLimitAttribute(MaxLiveBodyBytes * 8L)).Accepts<PredictBody>("application/json");
        area.MapPost("/conversion", (HttpRequest request, LiveState live, CancellationToken ct) =>
                ReadAndScoreAsync(request, live, body => Predictions.Conversion(body.Span, live.Models.Current), ct))
            .WithName("PredictConversion").WithSummary("The conversion network's probabilities for session-feature rows (objects of the session table's columns).")
            .WithMetadata(new RequestSizeLimitAttribute(MaxLiveBodyBytes * 8L)).Accepts<PredictBody>("application/json");
        return api;
    }

    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder api)
    {
        var area = api.MapGroup("/models").WithTags("Models");
        area.MapGet("", (LiveState live) => TypedResults.Ok(Report(live)))
            .WithName("GetModels").WithSummary("The loaded models and their versions (the first 12 hex digits of each file's SHA-256).");
        area.MapPost("/reload", async Task<Results<Ok<ModelsReport>, ProblemHttpResult>> (HttpRequest request, LiveState live, IServiceProvider services) =>
            {
                if (!AdminKey(request, live))
                    return Problem(StatusCodes.Status401Unauthorized, "Reloading models needs the service's API key in the X-Api-Key header.");
                try
                {
                    live.Models.Reload();
                    // On a cluster every other node reloads too (within a second: they watch the model generation).
                    if (services.GetService<Exania.Cluster.ClusterModelSync>() is { } sync)
                        await sync.AnnounceAsync().ConfigureAwait(false);
                    return TypedResults.Ok(Report(live));
                }
                catch (Exception e) when (e is Orleans.Runtime.OrleansException or TimeoutException)
                {
                    return Problem(StatusCodes.Status503ServiceUnavailable, $"The models were reloaded on this node, but the cluster could not be told ({e.Message}); send the reload again.");
                }
                catch (Exception e) when (e is ModelFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    return Problem(StatusCodes.Status422UnprocessableEntity, $"The models were not reloaded; the ones loaded before stay in use. {e.Message}");
                }
            })
            .WithName("ReloadModels").WithSummary("Load the models folder again, all or nothing: a file that does not load leaves the old models in use. Needs X-Api-Key.");
        area.MapGet("/{kind}/report", (string kind, LiveState live) => ModelReport(kind, live.Models.Current.Folder))
            .WithName("GetModelReport")
            .WithSummary("The HTML report of a model in the models folder (click, roas, sequence, conversion, segment), drawn from the training results beside it, as `exania report --model` writes it.");
        return api;
    }

    /// <summary>The report page of the model of <paramref name="kind"/>, or a problem saying what is missing and which command writes it.</summary>
    private static Results<ContentHttpResult, ProblemHttpResult> ModelReport(string kind, string? folder)
    {
        if (folder is null)
            return Problem(StatusCodes.Status404NotFound, "The service runs without a models folder (--models).");
        if (!Enum.TryParse<ModelKind>(kind, ignoreCase: true, out var modelKind) || !Enum.IsDefined(modelKind) || int.TryParse(kind, out _))
            return Problem(StatusCodes.Status404NotFound, $"'{kind}' is not a model kind; use click, roas, sequence, conversion or segment.");
        var results = Path.Combine(folder, ModelFile.ResultsFileNameOf(modelKind));
        if (!File.Exists(results))
            return Problem(StatusCodes.Status404NotFound,
                $"The models folder has no {ModelFile.ResultsFileNameOf(modelKind)}: `exania train {kind.ToLowerInvariant()} --out <models folder>` (or `exania segment`) writes it beside the model.");
        try
        {
            var page = ModelReports.FromResults(modelKind, File.ReadAllText(results), ModelFile.ResultsFileNameOf(modelKind));
            return TypedResults.Content(page.Render(), "text/html; charset=utf-8");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, $"No report from {ModelFile.ResultsFileNameOf(modelKind)}: {e.Message}");
        }
    }

    private static ModelsReport Report(LiveState live)
    {
        var set = live.Models.Current;
        return new ModelsReport(set.Folder, set.Versions, live.Models.Reloads);
    }

    private static async Task<Results<Ok<LiveScoreReport>, ProblemHttpResult, ValidationProblem>> PostEventsAsync(string id, HttpRequest request,
        LiveState live, ILiveSessions sessions, LiveStoreWriter writer, CancellationToken cancellationToken)
    {
        if (!SiteKey(request, live))
            return Problem(StatusCodes.Status401Unauthorized, "This endpoint needs a site key in the X-Api-Key header.");
        var (body, length, tooLarge) = await ReadBodyAsync(request, MaxLiveBodyBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            if (tooLarge)
                return Problem(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {MaxLiveBodyBytes:N0} bytes; send fewer events per batch.");
            LiveScoreReport report;
            LiveBatch batch;
            try
            {
                batch = LiveBatchReader.Read(body.AsSpan(0, length), live.Settings.Live);
                LiveBatchReader.CheckId(id, "session");
                report = await sessions.ScoreAsync(id, batch, CancellationToken.None).ConfigureAwait(false);
            }
            catch (LiveInputException e)
            {
                live.Refused();
                return Invalid(e.Field.Length == 0 ? "body" : e.Field, e.Message);
            }
            catch (ModelUnavailableException e)
            {
                return Problem(StatusCodes.Status503ServiceUnavailable, e.Message);
            }
            catch (LiveSessionsUnavailableException e)
            {
                // Nothing of the batch was acknowledged: the client sends it again (a repeat that did land is answered, not applied twice).
                request.HttpContext.Response.Headers.RetryAfter = "1";
                return Problem(StatusCodes.Status503ServiceUnavailable, e.Message);
            }
            if (report.Replayed)
                return TypedResults.Ok(report);
            live.Accepted(batch.Events.Length);
            if (batch.Events.Length > 0 && live.Settings.StoreLiveEvents)
            {
                // Request order is fine: the store orders a session by time when it is read. Not cancellable: the
                // session has taken these events, so a client that hangs up must not leave them out of the store.
                try
                {
                    // The report's id is the session's own string (the table's key), which lives on anyway: the
                    // pending write keeps it instead of this request's copy.
                    await writer.EnqueueAsync(report.Session, batch.User ?? report.Session, batch.Events, CancellationToken.None).ConfigureAwait(false);
                }
                catch (System.Threading.Channels.ChannelClosedException)
                {
                    return Problem(StatusCodes.Status503ServiceUnavailable, "The service is stopping; these events were scored but not stored. Send them again to the next instance.");
                }
            }
            return TypedResults.Ok(report);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    private static async Task<IResult> ReadAndScoreAsync<T>(HttpRequest request, LiveState live, Func<ReadOnlyMemory<byte>, T> score, CancellationToken cancellationToken)
    {
        if (!SiteKey(request, live))
            return Problem(StatusCodes.Status401Unauthorized, "This endpoint needs a site key in the X-Api-Key header.");
        const int limit = MaxLiveBodyBytes * 8;
        var (body, length, tooLarge) = await ReadBodyAsync(request, limit, cancellationToken).ConfigureAwait(false);
        try
        {
            if (tooLarge)
                return Problem(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {limit:N0} bytes; send fewer rows.");
            try
            {
                return TypedResults.Ok(score(body.AsMemory(0, length)));
            }
            catch (LiveInputException e)
            {
                return Invalid(e.Field.Length == 0 ? "body" : e.Field, e.Message);
            }
            catch (ModelUnavailableException e)
            {
                return Problem(StatusCodes.Status503ServiceUnavailable, e.Message);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    /// <summary>The body into a pooled buffer (the caller returns it); stops reading past <paramref name="limit"/> bytes.</summary>
    private static async Task<(byte[] Body, int Length, bool TooLarge)> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
            return (ArrayPool<byte>.Shared.Rent(1), 0, true);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 4096, 256, limit));
        var length = 0;
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var data = result.Buffer;
            if (length + data.Length > limit)
            {
                reader.AdvanceTo(data.End);
                return (buffer, 0, true);
            }
            if (length + data.Length > buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, Math.Max(buffer.Length * 2, length + data.Length)));
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }
            data.CopyTo(buffer.AsSpan(length));
            length += (int)data.Length;
            reader.AdvanceTo(data.End);
            if (result.IsCompleted)
                return (buffer, length, false);
        }
    }

    private static bool SiteKey(HttpRequest request, LiveState live) => live.Settings.AllowsLive(request.Headers["X-Api-Key"].ToString());

    private static bool AdminKey(HttpRequest request, LiveState live) => live.Settings.IsAdminKey(request.Headers["X-Api-Key"].ToString());

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message);

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);
}

/// <summary>The body of <c>POST /sessions/{id}/events</c>, for the OpenAPI document (the handler reads it with <see cref="LiveBatchReader"/>).</summary>
public sealed record LiveBatchBody(string? User, IReadOnlyList<LiveEventBody> Events, bool Complete);

/// <summary>One live event: epoch seconds (or ISO 8601 text), an interaction action, scroll depth 0..1 or null.</summary>
public sealed record LiveEventBody(double Timestamp, string Action, double? ScrollDepth);

/// <summary>The body of the predict endpoints: one row, or rows.</summary>
public sealed record PredictBody(System.Text.Json.JsonElement? Row, IReadOnlyList<System.Text.Json.JsonElement>? Rows);
