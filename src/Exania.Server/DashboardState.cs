using Exania.Dashboard;
using Exania.Events;
using Exania.Store;

namespace Exania.Server;

/// <summary>Where the service reads from: the store (<c>--db</c>), the models folder and the write API key.</summary>
public sealed record ServerSettings
{
    /// <summary>A DuckDB file or a PostgreSQL connection string (<see cref="EventStores.Open"/>).</summary>
    public required string Db { get; init; }

    /// <summary>Folder with <c>roas_model.json</c>; null for none.</summary>
    public string? Models { get; init; }

    /// <summary>The key write endpoints require in the <c>X-Api-Key</c> header; null refuses every write.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Largest ingest body, in bytes.</summary>
    public long MaxIngestBytes { get; init; } = 256L << 20;

    /// <summary>
    /// Keys the live scoring and prediction endpoints accept in <c>X-Api-Key</c> (besides <see cref="ApiKey"/>). A site
    /// key ships in the site's pages, so it is no secret: it names the caller for rate limiting and can be rotated.
    /// Empty: those endpoints are open to whoever can reach the service (loopback by default).
    /// </summary>
    public IReadOnlyList<string> SiteKeys { get; init; } = [];

    /// <summary>Origins whose pages may call the live endpoints from the browser (CORS); empty: none.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>Requests per second each key (or, without a key, each client address) may make to the live endpoints; 0: no limit.</summary>
    public int RateLimitPerSecond { get; init; } = 50_000;

    /// <summary>Live sessions: time to live, cap, batch size, windows.</summary>
    public Exania.Scoring.LiveScoringOptions Live { get; init; } = Exania.Scoring.LiveScoringOptions.Default;

    /// <summary>Whether live events are also stored (batched write-behind).</summary>
    public bool StoreLiveEvents { get; init; } = true;

    /// <summary>
    /// DuckDB's threads in the service (0: one per processor). One by default: with the write-behind on all cores, the
    /// live p99 at 10,000 requests/s was 2.7 ms on two cores, with one thread 1.5 ms (docs/live-scoring.md).
    /// </summary>
    public int StoreThreads { get; init; } = 1;

    /// <summary>
    /// DuckDB's memory limit in the service, in MiB (0: DuckDB's default, 80% of the RAM). DuckDB keeps the blocks
    /// it has touched up to its limit, so with live events stored its memory grows with the store until then.
    /// </summary>
    public int StoreMemoryMegabytes { get; init; }

    /// <summary>Seconds between dashboard refreshes after live events were stored; 0: only on <c>POST /api/v1/reload</c>.</summary>
    public double DashboardRefreshSeconds { get; init; } = 60;

    /// <summary>Whether a change in the models folder reloads the models (as <c>POST /api/v1/models/reload</c> does).</summary>
    public bool WatchModels { get; init; } = true;

    /// <summary>True when <paramref name="given"/> is the configured admin key (fixed-time: the time taken does not tell how much of a guess was right).</summary>
    public bool IsAdminKey(string given) => ApiKey is { } key && SameKey(given, key);

    /// <summary>True when <paramref name="given"/> is one of <see cref="SiteKeys"/> or the admin key.</summary>
    public bool IsKnownKey(string given)
    {
        var known = false;
        foreach (var key in SiteKeys)
            known |= SameKey(given, key);
        return known | IsAdminKey(given);
    }

    /// <summary>Whether a live request may pass: no site keys configured (open), or it carries a known key.</summary>
    public bool AllowsLive(string given) => SiteKeys.Count == 0 || IsKnownKey(given);

    private static bool SameKey(string given, string key) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(key));
}

/// <summary>
/// The open store and the current <see cref="DashboardQueries"/>. The store stays open for the service's life, so
/// DuckDB's one-writer lock keeps another process from writing the file underneath it (an <c>exania ingest</c> is told
/// so); writes go through <see cref="Ingest"/>, which reloads the snapshot after.
/// </summary>
public sealed class DashboardState : IDisposable
{
    private readonly IEventStore _store;
    private readonly Lock _writeLock = new();
    private volatile DashboardQueries _queries;
    private bool _stale;
    private long _loadedAt = Environment.TickCount64;

    public DashboardState(ServerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        _store = EventStores.Open(settings.Db, settings.StoreThreads, settings.StoreMemoryMegabytes);
        try
        {
            _queries = new DashboardQueries(DashboardSnapshot.Load(_store, settings.Models));
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    public ServerSettings Settings { get; }

    /// <summary>The queries over the latest snapshot; a reload swaps them whole, so a request sees one snapshot.</summary>
    public DashboardQueries Queries => _queries;

    /// <summary>Reads the store and the models folder again.</summary>
    public DashboardMeta Reload()
    {
        lock (_writeLock)
            ReloadLocked();
        return _queries.Meta();
    }

    /// <summary>Stores <paramref name="log"/> (idempotent, transactional) and reloads.</summary>
    public IngestReport Ingest(EventLog log, string source, CancellationToken cancellationToken)
    {
        lock (_writeLock)
        {
            var report = _store.Ingest(log, source, cancellationToken);
            if (report.Inserted > 0)
                ReloadLocked();
            return report;
        }
    }

    /// <summary>
    /// Stores live events (idempotent, transactional) without reloading the snapshot at once: the dashboard is
    /// refreshed at most every <see cref="ServerSettings.DashboardRefreshSeconds"/>, since a reload reads the whole store.
    /// </summary>
    public IngestReport Append(EventLog log, CancellationToken cancellationToken)
    {
        lock (_writeLock)
        {
            var report = _store.Ingest(log, "live", cancellationToken);
            if (report.Inserted > 0)
                _stale = true;
            var refresh = Settings.DashboardRefreshSeconds;
            if (_stale && refresh > 0 && Environment.TickCount64 - _loadedAt >= refresh * 1000)
                ReloadLocked();
            return report;
        }
    }

    /// <summary>Counts the stored events (the readiness check: the store answers).</summary>
    public long CountStored()
    {
        lock (_writeLock)
            return _store.Count;
    }

    private void ReloadLocked()
    {
        _queries = new DashboardQueries(DashboardSnapshot.Load(_store, Settings.Models));
        _stale = false;
        _loadedAt = Environment.TickCount64;
    }

    public void Dispose() => _store.Dispose();
}
