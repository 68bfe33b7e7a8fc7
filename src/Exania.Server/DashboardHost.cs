using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Exania.Cluster;
using Exania.Scoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Exania.Server;

/// <summary>
/// Builds the dashboard service: configuration (<c>--db</c>, <c>--models</c>, <c>--urls</c>, <c>Exania:ApiKey</c>),
/// the JSON API under <c>/api/v1</c>, its OpenAPI document at <c>/openapi/v1.json</c>, and the four pages.
/// </summary>
public static class DashboardHost
{
    /// <summary>The address used when none is configured: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5000";

    /// <summary>Largest request body outside the ingest endpoint (the read API takes none).</summary>
    public const long MaxRequestBytes = 64 * 1024;

    /// <summary>Runs the service until it is stopped (Ctrl+C, SIGTERM); the exit code.</summary>
    public static int Run(string[] args)
    {
        var app = Build(args);
        app.Run();
        return 0;
    }

    /// <summary>The configured application, not started. <c>--db</c> must name a store; <paramref name="quiet"/> drops the host's log (a benchmark's JSON owns stdout).</summary>
    /// <exception cref="ArgumentException">No store is configured.</exception>
    public static WebApplication Build(string[] args, bool quiet = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        if (quiet)
            builder.Logging.ClearProviders();
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
        {
            ["--db"] = "Exania:Db",
            ["--models"] = "Exania:Models",
            ["--api-key"] = "Exania:ApiKey",
            ["--site-keys"] = "Exania:SiteKeys",
            ["--cors-origins"] = "Exania:CorsOrigins",
            ["--rate-limit"] = "Exania:RateLimitPerSecond",
            ["--session-ttl-minutes"] = "Exania:SessionTtlMinutes",
            ["--max-sessions"] = "Exania:MaxSessions",
            ["--store-live-events"] = "Exania:StoreLiveEvents",
            ["--store-threads"] = "Exania:StoreThreads",
            ["--store-memory-mb"] = "Exania:StoreMemoryMegabytes",
            ["--cluster"] = "Exania:Cluster:ConnectionString",
            ["--silo-address"] = "Exania:Cluster:Address",
            ["--silo-port"] = "Exania:Cluster:SiloPort",
            ["--gateway-port"] = "Exania:Cluster:GatewayPort",
            ["--cluster-id"] = "Exania:Cluster:Id",
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxRequestBytes;
            k.Limits.MaxRequestLineSize = 16 * 1024;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        builder.Services.AddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            var db = configuration["Exania:Db"];
            if (string.IsNullOrWhiteSpace(db))
                throw new ArgumentException("No event store is configured: start the service with --db exania.duckdb (or a PostgreSQL connection string).");
            return new ServerSettings
            {
                Db = db,
                Models = configuration["Exania:Models"] is { Length: > 0 } models ? models : null,
                ApiKey = configuration["Exania:ApiKey"] is { Length: > 0 } key ? key : null,
                MaxIngestBytes = configuration.GetValue("Exania:MaxIngestBytes", 256L << 20),
                SiteKeys = List(configuration["Exania:SiteKeys"]),
                CorsOrigins = List(configuration["Exania:CorsOrigins"]),
                RateLimitPerSecond = configuration.GetValue("Exania:RateLimitPerSecond", 50_000),
                Live = new LiveScoringOptions
                {
                    IdleTimeToLive = TimeSpan.FromMinutes(configuration.GetValue("Exania:SessionTtlMinutes", 30.0)),
                    MaxSessions = configuration.GetValue("Exania:MaxSessions", LiveScoringOptions.Default.MaxSessions),
                    MaxEventsPerBatch = configuration.GetValue("Exania:MaxEventsPerBatch", LiveScoringOptions.Default.MaxEventsPerBatch),
                }.Validate(),
                StoreLiveEvents = configuration.GetValue("Exania:StoreLiveEvents", true),
                StoreThreads = configuration.GetValue("Exania:StoreThreads", 1) is var threads && threads >= 0
                    ? threads
                    : throw new ArgumentException($"--store-threads must be 0 (one per processor) or more; it is {threads}."),
                StoreMemoryMegabytes = configuration.GetValue("Exania:StoreMemoryMegabytes", 0) is var megabytes && megabytes >= 0
                    ? megabytes
                    : throw new ArgumentException($"--store-memory-mb must be 0 (DuckDB's default, 80% of the RAM) or more; it is {megabytes}."),
                DashboardRefreshSeconds = configuration.GetValue("Exania:DashboardRefreshSeconds", 60.0),
                WatchModels = configuration.GetValue("Exania:WatchModels", true),
            };
        });
        builder.Services.AddSingleton(sp => new DashboardState(sp.GetRequiredService<ServerSettings>()));
        builder.Services.AddSingleton(sp => new LiveState(sp.GetRequiredService<ServerSettings>(), sp.GetRequiredService<ILogger<LiveState>>()));
        var health = builder.Services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: ["ready"])
            .AddCheck<ModelsHealthCheck>("models", tags: ["ready"]);
        if (ClusterSettingsOf(builder.Configuration) is { } cluster)
        {
            // A cluster node: sessions are grains (any node takes any session's events), state in PostgreSQL.
            builder.Services.AddSingleton(sp => new ClusterScoring(sp.GetRequiredService<LiveState>().Models, sp.GetRequiredService<ServerSettings>().Live));
            builder.AddExaniaCluster(cluster);
            health.AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        }
        else
        {
            builder.Services.AddSingleton<ILiveSessions>(sp => sp.GetRequiredService<LiveState>().Scorer);
        }
        builder.Services.AddSingleton<LiveStoreWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveStoreWriter>());
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                await TypedResults.Problem(detail: "Too many requests for this key (or address); try again in a second.", statusCode: StatusCodes.Status429TooManyRequests)
                    .ExecuteAsync(context.HttpContext);
            };
            o.AddPolicy(LiveApis.RateLimitPolicy, context =>
            {
                var settings = context.RequestServices.GetRequiredService<ServerSettings>();
                var perSecond = settings.RateLimitPerSecond;
                if (perSecond <= 0)
                    return RateLimitPartition.GetNoLimiter("unlimited");
                // One bucket per configured key, or per client address otherwise: a second's worth, refilled every
                // second, no queue. Only a configured key gets a bucket of its own; an unknown one counts against the
                // address, so made-up keys neither escape the limit nor fill memory with buckets.
                var key = context.Request.Headers["X-Api-Key"].ToString();
                var known = key.Length > 0 && settings.IsKnownKey(key);
                var partition = known ? "key:" + key : "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perSecond,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });
        builder.Services.AddCors(o => o.AddPolicy(LiveApis.CorsPolicy, policy =>
        {
            var origins = List(builder.Configuration["Exania:CorsOrigins"]);
            if (origins.Count > 0)
                policy.WithOrigins([.. origins]).WithMethods("GET", "POST").WithHeaders("Content-Type", "X-Api-Key")
                    .WithExposedHeaders("Retry-After").SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        }));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(LiveState.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting")
            .AddPrometheusExporter());
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            // The committed document (docs/openapi/v1.json) must not depend on where the service runs.
            document.Servers?.Clear();
            document.Info.Title = "Exania dashboard API";
            document.Info.Description = "The JSON behind every chart of `exania serve`. Filters: from, to (UTC days, inclusive), segment, campaign, campaignType.";
            return Task.CompletedTask;
        }));
        builder.Services.Configure<JsonOptions>(o => Configure(o.SerializerOptions));
        var app = builder.Build();
        // Open the store at start: a held or foreign file fails the start with its message, not the first request.
        app.Services.GetRequiredService<DashboardState>();
        app.Services.GetRequiredService<LiveState>();
        // A request the framework cannot bind (top=abc, a body that is not JSON) is the client's error: its own status, not a 500.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is Microsoft.AspNetCore.Http.BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.UseCors();
        app.UseRateLimiter();
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            // Every script and style is the service's own: nothing from elsewhere runs in the pages.
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'";
            await next(context);
        });
        app.MapOpenApi();
        var api = app.MapGroup("/api/v1");
        api.MapOverviewApi();
        api.MapBehaviourApi();
        api.MapAdSpendApi();
        api.MapSegmentsApi();
        api.MapAdminApi();
        api.MapLiveScoringApi();
        api.MapPredictApi();
        api.MapModelsApi();
        api.MapClusterApi();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthJson });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthJson });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapPages();
        return app;
    }

    /// <summary>The node's cluster settings when <c>--cluster</c> is given; null for a single node.</summary>
    /// <exception cref="ArgumentException">A cluster setting is invalid.</exception>
    private static ClusterSettings? ClusterSettingsOf(IConfiguration configuration)
    {
        var section = configuration.GetSection("Exania:Cluster");
        if (section["ConnectionString"] is not { Length: > 0 } connectionString)
            return null;
        var addressText = section["Address"] ?? "127.0.0.1";
        if (!System.Net.IPAddress.TryParse(addressText, out var address))
            throw new ArgumentException($"--silo-address '{addressText}' is not an IP address.");
        int Port(string key, int fallback) => section[key] is { Length: > 0 } text
            ? int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) ? port : -1
            : fallback;
        return new ClusterSettings(connectionString, address, Port("SiloPort", ClusterSettings.DefaultSiloPort), Port("GatewayPort", ClusterSettings.DefaultGatewayPort),
            section["Id"] is { Length: > 0 } id ? id : "exania").Validate();
    }

    private static List<string> List(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>Health as JSON: the overall status and each check's status and description.</summary>
    private static Task HealthJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, HealthOptions));
    }

    private static readonly JsonSerializerOptions HealthOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The API's JSON: enums as names, dates as ISO text, NaN and infinities as null (JSON has no NaN).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new FiniteOrNullConverter());
        options.NumberHandling = JsonNumberHandling.Strict;
    }

    /// <summary>Writes a double that is not finite as <c>null</c>: a rate with no denominator has no value.</summary>
    private sealed class FiniteOrNullConverter : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }

    /// <summary>The pages and their assets, from the assembly's resources (echarts bundled at build time from npm).</summary>
    private static void MapPages(this WebApplication app)
    {
        var assembly = typeof(DashboardHost).Assembly;
        var assets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith("wwwroot/", StringComparison.Ordinal))
                continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[name["wwwroot/".Length..]] = copy.ToArray();
        }
        // One page shell (page.html) around each page's own panels (<name>.main.html, whose first line names its title).
        var shell = System.Text.Encoding.UTF8.GetString(assets["page.html"]);
        foreach (var fragment in assets.Keys.Where(k => k.EndsWith(".main.html", StringComparison.Ordinal)).ToList())
        {
            var page = fragment[..^".main.html".Length];
            var main = System.Text.Encoding.UTF8.GetString(assets[fragment]);
            var title = main[(main.IndexOf("<!--", StringComparison.Ordinal) + 4)..main.IndexOf("-->", StringComparison.Ordinal)].Trim();
            assets[page + ".html"] = System.Text.Encoding.UTF8.GetBytes(shell.Replace("%PAGE%", page, StringComparison.Ordinal)
                .Replace("%TITLE%", title, StringComparison.Ordinal).Replace("%MAIN%", main, StringComparison.Ordinal));
            assets.Remove(fragment);
        }
        assets.Remove("page.html");
        var types = new FileExtensionContentTypeProvider();
        app.MapGet("/", () => Results.Redirect("/overview.html")).ExcludeFromDescription();
        app.MapGet("/{file}", (string file, HttpContext context) =>
        {
            if (!assets.TryGetValue(file, out var bytes))
                return Results.NotFound();
            var type = types.TryGetContentType(file, out var t) ? t : "application/octet-stream";
            if (type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("javascript", StringComparison.Ordinal))
                type += "; charset=utf-8";
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Bytes(bytes, type);
        }).ExcludeFromDescription();
    }
}
