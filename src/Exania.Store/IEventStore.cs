using Exania.Events;

namespace Exania.Store;

/// <summary>Which events to read back; every filter is pushed down into the query as a parameter.</summary>
public sealed record EventQuery
{
    public static EventQuery All { get; } = new();

    /// <summary>Earliest timestamp (epoch seconds, inclusive); null for none.</summary>
    public double? From { get; init; }

    /// <summary>Timestamps before this (exclusive); null for none.</summary>
    public double? Before { get; init; }

    /// <summary>Only these actions; null or empty for all.</summary>
    public IReadOnlyList<string>? Actions { get; init; }

    /// <summary>Only these users; null or empty for all.</summary>
    public IReadOnlyList<string>? Users { get; init; }
}

/// <summary>What one ingest did: rows offered, rows stored, rows already there (by <see cref="EventIdentity"/>).</summary>
public sealed record IngestReport(string Source, long Events, long Inserted, long AlreadyStored, long StoredAfter, double Seconds);

/// <summary>What replacing the segment assignments did: the assignments stored, and those of the previous run removed.</summary>
public sealed record SegmentStoreReport(string Source, long Stored, long Replaced, double Seconds);

/// <summary>One user's segment, as <c>exania segment --events</c> writes it (<c>segment_assignments.csv</c>).</summary>
public readonly record struct SegmentAssignment(string UserId, string Segment);

/// <summary>Which kind of database a store is.</summary>
public enum StoreKind
{
    DuckDb,
    PostgreSql,
}

/// <summary>
/// The event store: one schema and one query layer over DuckDB (embedded, the default) and PostgreSQL. It holds
/// <list type="bullet">
/// <item><c>events</c>: the canonical event fields, keyed by <see cref="EventIdentity"/> (idempotent ingest);</item>
/// <item><c>campaign_days</c>: one row per campaign and day (<see cref="CampaignDay"/>), keyed the same way;</item>
/// <item><c>segments</c>: the latest segment assignment of each user (a model output: replaced whole by the next run).</item>
/// </list>
/// Every write is one transaction: a failure or a cancellation leaves the tables as they were. Every filter is a
/// query parameter, never text spliced into SQL.
/// </summary>
public interface IEventStore : IDisposable
{
    /// <summary>Where the store lives, for messages: the DuckDB file (or <c>:memory:</c>), or the PostgreSQL host and database (never the password).</summary>
    string Source { get; }

    StoreKind Kind { get; }

    /// <summary>Events stored.</summary>
    long Count { get; }

    /// <summary>Stores the events of <paramref name="log"/> that are not stored yet, in one transaction; <paramref name="source"/> names the input in the report.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; nothing of this ingest is stored.</exception>
    IngestReport Ingest(EventLog log, string source, CancellationToken cancellationToken = default);

    /// <summary>Reads the events <paramref name="query"/> selects into a new log, in load order (ties in time keep file order).</summary>
    EventLog Load(EventQuery? query = null);

    /// <summary>Stores the campaign-day rows not stored yet (identity: every field and the occurrence among identical rows), in one transaction.</summary>
    IngestReport IngestCampaignDays(IReadOnlyList<CampaignDay> rows, string source, CancellationToken cancellationToken = default);

    /// <summary>Every campaign-day row, in load order.</summary>
    IReadOnlyList<CampaignDay> LoadCampaignDays();

    /// <summary>Replaces every stored segment assignment by <paramref name="assignments"/> (one run of a segmentation), in one transaction.</summary>
    /// <exception cref="ArgumentException">A user is assigned twice.</exception>
    SegmentStoreReport ReplaceSegments(IReadOnlyList<SegmentAssignment> assignments, string source, CancellationToken cancellationToken = default);

    /// <summary>The stored segment of each user (empty when no segmentation was stored).</summary>
    IReadOnlyDictionary<string, string> LoadSegments();
}

/// <summary>Opens the store a <c>--db</c> value names: a PostgreSQL connection string, or else a DuckDB file.</summary>
public static class EventStores
{
    /// <summary>True when <paramref name="db"/> is a PostgreSQL connection string (it names a <c>Host=</c>), not a file path.</summary>
    public static bool IsPostgreSql(string db)
    {
        ArgumentNullException.ThrowIfNull(db);
        foreach (var part in db.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && part[..eq].Trim() is var key &&
                (key.Equals("Host", StringComparison.OrdinalIgnoreCase) || key.Equals("Server", StringComparison.OrdinalIgnoreCase)))
                return true;
        }
        return false;
    }

    /// <summary>Opens (creating the schema when absent) the store <paramref name="db"/> names.</summary>
    /// <param name="db">A DuckDB file or a PostgreSQL connection string.</param>
    /// <param name="duckDbThreads">DuckDB's threads (<see cref="DuckDbEventStore.Open"/>); 0: its default. PostgreSQL ignores it.</param>
    /// <param name="duckDbMemoryMegabytes">DuckDB's memory limit in MiB (<see cref="DuckDbEventStore.Open"/>); 0: its default. PostgreSQL ignores it.</param>
    public static IEventStore Open(string db, int duckDbThreads = 0, int duckDbMemoryMegabytes = 0) =>
        IsPostgreSql(db) ? PostgresEventStore.Open(db) : DuckDbEventStore.Open(db, duckDbThreads, duckDbMemoryMegabytes);
}
