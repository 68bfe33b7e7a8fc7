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

    public DashboardState(ServerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        _store = EventStores.Open(settings.Db);
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
            _queries = new DashboardQueries(DashboardSnapshot.Load(_store, Settings.Models));
        return _queries.Meta();
    }

    /// <summary>Stores <paramref name="log"/> (idempotent, transactional) and reloads.</summary>
    public IngestReport Ingest(EventLog log, string source, CancellationToken cancellationToken)
    {
        lock (_writeLock)
        {
            var report = _store.Ingest(log, source, cancellationToken);
            if (report.Inserted > 0)
                _queries = new DashboardQueries(DashboardSnapshot.Load(_store, Settings.Models));
            return report;
        }
    }

    public void Dispose() => _store.Dispose();
}
