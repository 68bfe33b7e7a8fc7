using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using DuckDB.NET.Data;
using Exania.Core;
using Exania.Events;

namespace Exania.Store;

/// <summary>
/// The embedded event store: one DuckDB file (or memory) holding the <c>events</c> table. Ingest is idempotent (an
/// event already stored, by <see cref="EventIdentity"/>, is skipped and counted) and transactional (the rows of one
/// ingest are all stored or none: a failure or a cancellation leaves the table as it was). Reading back keeps the
/// load order, so ties in time keep file order as everywhere else.
/// </summary>
/// <remarks>
/// DuckDB lets one process write a database file at a time. Opening a file another process holds (an
/// <c>exania serve</c>, another ingest) is refused with a message that says so; the file is never touched then.
/// </remarks>
public sealed class DuckDbEventStore : IEventStore
{
    /// <summary>The schema version written in <c>exania_meta</c>. Version 2: event keys are XXH3-128 (version 1: SHA-256); a store of another version is refused.</summary>
    public const int SchemaVersion = 2;

    private const string Columns = StoreRows.EventColumns;

    private const string CampaignColumns = StoreRows.CampaignColumns;

    private readonly DuckDBConnection _connection;

    /// <summary>
    /// The events table as this store's last ingest left it: rows and the next seq (null before the first ingest).
    /// DuckDB answers <c>count(*)</c> and <c>max(seq)</c> over the whole table by reading the column (measured: 20 ms
    /// per <c>max</c> at 10 M events, 65 ms at 30 M), which the live write-behind would pay every second; with a known
    /// next seq, the zone maps on seq let both be asked of the newest row groups only.
    /// </summary>
    private (long Rows, long NextSeq)? _known;

    /// <summary>The rows of the ingest under way, as the table function its INSERT reads.</summary>
    private readonly DuckDbPendingRows _pending;

    private DuckDbEventStore(DuckDBConnection connection, string source)
    {
        _connection = connection;
        Source = source;
        _pending = DuckDbPendingRows.Register(connection);
    }

    /// <summary>The table function the ingest's INSERT reads (tests: its <see cref="DuckDbPendingRows.VectorClaimed"/> hook).</summary>
    internal DuckDbPendingRows PendingRows => _pending;

    /// <summary>The file the store lives in, or <c>:memory:</c>.</summary>
    public string Source { get; }

    public StoreKind Kind => StoreKind.DuckDb;

    /// <summary>Opens (creating when absent) the store in <paramref name="path"/>, or in memory for <c>:memory:</c>.</summary>
    /// <exception cref="IOException">Another process holds the file, or it is not a DuckDB database; the message says which.</exception>
    /// <param name="path">The file, or <c>:memory:</c>.</param>
    /// <param name="threads">
    /// DuckDB's threads for this store's statements; 0 keeps DuckDB's default (one per processor). The service passes 1:
    /// its DuckDB work is the live write-behind and the dashboard's loads, and on a small machine a write on every core
    /// stalls the requests it runs beside.
    /// </param>
    /// <param name="memoryLimitMegabytes">
    /// The most memory DuckDB may take for this store, in MiB (<c>memory_limit</c>); 0 keeps DuckDB's default, 80% of the
    /// RAM. DuckDB keeps the table's blocks it has read or written in memory up to this limit, so in a long-running
    /// service that keeps storing, its memory grows with the store until it reaches the limit (docs/live-scoring.md).
    /// </param>
    /// <exception cref="InvalidDataException">The file holds an Exania store of another schema version.</exception>
    public static DuckDbEventStore Open(string path, int threads = 0, int memoryLimitMegabytes = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        ArgumentOutOfRangeException.ThrowIfNegative(memoryLimitMegabytes);
        var connection = new DuckDBConnection($"DataSource={path}");
        try
        {
            connection.Open();
        }
        catch (DuckDBException e) when (e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            connection.Dispose();
            throw new IOException($"The database '{path}' is open in another process (an `exania serve`, or another ingest); DuckDB lets one process " +
                                  $"write it at a time. Stop that process, or send the events to it. ({e.Message})", e);
        }
        catch (DuckDBException e)
        {
            connection.Dispose();
            throw new IOException($"'{path}' could not be opened as a DuckDB database: {e.Message}", e);
        }
        var store = new DuckDbEventStore(connection, path);
        try
        {
            if (threads > 0)
                store.Execute(string.Create(CultureInfo.InvariantCulture, $"SET threads = {threads}"));
            if (memoryLimitMegabytes > 0)
                store.Execute(string.Create(CultureInfo.InvariantCulture, $"SET memory_limit = '{memoryLimitMegabytes}MiB'"));
            store.CreateSchema();
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    private void CreateSchema()
    {
        // Every read orders by seq, so nothing depends on the physical order of rows, and DuckDB may then insert on all
        // threads and write the new row groups out during the INSERT instead of at commit (measured on 993,681 events:
        // insert and commit 1.43 s → 1.00 s).
        Execute("SET preserve_insertion_order = false");
        Execute("CREATE TABLE IF NOT EXISTS exania_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
        var version = Scalar("SELECT value FROM exania_meta WHERE key = 'schema_version'");
        if (version is null)
            Execute($"INSERT INTO exania_meta VALUES ('schema_version', '{SchemaVersion}')");
        else if (version.ToString() != SchemaVersion.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"'{Source}' holds an Exania store of schema version {version}; this build reads version {SchemaVersion}. Ingest the events again into a new store.");
        Execute($"""
            CREATE TABLE IF NOT EXISTS events (
                event_key UUID NOT NULL, occurrence INTEGER NOT NULL, seq BIGINT NOT NULL,
                user_id VARCHAR NOT NULL, session_id VARCHAR, ts DOUBLE NOT NULL, action VARCHAR NOT NULL,
                page VARCHAR, category VARCHAR, item_id VARCHAR, campaign_id VARCHAR, ad_type VARCHAR, placement VARCHAR,
                scroll_depth DOUBLE, cost DOUBLE, revenue DOUBLE)
            """);
        Execute("""
            CREATE TABLE IF NOT EXISTS campaign_days (
                row_key UUID NOT NULL, occurrence INTEGER NOT NULL, seq BIGINT NOT NULL,
                campaign_id VARCHAR NOT NULL, day DATE NOT NULL, ad_type VARCHAR, placement VARCHAR,
                impressions DOUBLE, clicks DOUBLE, conversions DOUBLE, spend DOUBLE, revenue DOUBLE, extra VARCHAR,
                PRIMARY KEY (row_key, occurrence))
            """);
        Execute("CREATE TABLE IF NOT EXISTS segments (user_id VARCHAR PRIMARY KEY, segment VARCHAR NOT NULL, source VARCHAR NOT NULL)");
    }

    /// <summary>Events stored.</summary>
    public long Count => Convert.ToInt64(Scalar("SELECT count(*) FROM events"), CultureInfo.InvariantCulture);

    /// <summary>
    /// Stores the events of <paramref name="log"/> that are not stored yet, all in one transaction.
    /// <paramref name="source"/> names the input in the report (e.g. the file).
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled; nothing of this ingest is stored.</exception>
    public IngestReport Ingest(EventLog log, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(source);
        var watch = Stopwatch.StartNew();
        // Pooled: the live write-behind ingests every second, and fresh arrays of that size would go to the large-object heap.
        var keys = ArrayPool<Guid>.Shared.Rent(log.Count);
        var occurrences = ArrayPool<int>.Shared.Rent(log.Count);
        try
        {
            EventIdentity.Keys(log, keys, cancellationToken);
            EventIdentity.Occurrences(keys.AsSpan(0, log.Count), occurrences);
            return Ingest(log, keys, occurrences, source, watch, cancellationToken);
        }
        finally
        {
            ArrayPool<Guid>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(occurrences);
        }
    }

    private IngestReport Ingest(EventLog log, Guid[] keys, int[] occurrences, string source, Stopwatch watch, CancellationToken cancellationToken)
    {
        var (before, firstSeq) = Position();
        _known = null; // until this ingest has committed or rolled back
        var times = log.Timestamps;
        int inserted;
        _pending.Begin(log, keys, occurrences, firstSeq, cancellationToken);
        try
        {
            using var transaction = _connection.BeginTransaction();
            // One INSERT reads the rows straight from the log (DuckDbPendingRows, a table function) and keeps those not stored
            // yet: the stored table changes by that one statement or not at all. Through a staging table (appended, then
            // copied) the same million events took 0.5 s longer (docs/store.md).
            // The occurrence number tells identical rows of one load apart; a row is new when its (key, occurrence) is.
            // The anti-join is what keeps (key, occurrence) unique: DuckDB has one writer, and a primary-key index
            // would cost some 40% of an ingest (measured on 1 M events: 9.7 s with it, 5.9 s without).
            // DuckDB hashes the right side of the join and probes it with the left, so the statement puts the smaller
            // side on the right, judged by the rows stored (an upper bound of those in range). Into a store no larger
            // than the load (a first bulk ingest): ANTI JOIN on the stored rows. Into a larger one (the live
            // write-behind, a small file into a big store): NOT EXISTS, which DuckDB plans as a delim join that
            // hashes the load's own keys, after copying the load once (0.27 s of a 0.97 s INSERT of 993,681 events
            // into an empty store, EXPLAIN ANALYZE; with ANTI JOIN in the live write-behind, `bench live --store`
            // stored 190 k events/s in batches against 241 k).
            // The key hashes the timestamp, so a stored twin has a time inside this load's range: the range filter lets
            // DuckDB skip the row groups outside it (zone maps), and a small load of recent events (the live
            // write-behind) reads only the recent part of the table instead of all of it.
            using var insert = _connection.CreateCommand();
            insert.CommandText = before <= log.Count
                ? $"""
                  INSERT INTO events
                  SELECT s.* FROM {_pending.FunctionName}() s
                  ANTI JOIN (SELECT event_key, occurrence FROM events WHERE ts BETWEEN $lo AND $hi) e ON e.event_key = s.event_key AND e.occurrence = s.occurrence
                  """
                : $"""
                  INSERT INTO events
                  SELECT * FROM {_pending.FunctionName}() s
                  WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.ts BETWEEN $lo AND $hi AND e.event_key = s.event_key AND e.occurrence = s.occurrence)
                  """;
            insert.Parameters.Add(new DuckDBParameter("lo", times.IsEmpty ? 0 : TensorPrimitives.Min(times)));
            insert.Parameters.Add(new DuckDBParameter("hi", times.IsEmpty ? 0 : TensorPrimitives.Max(times)));
            try
            {
                inserted = insert.ExecuteNonQuery();
            }
            catch (DuckDBException e) when (cancellationToken.IsCancellationRequested)
            {
                // The rows' function stopped the statement on the cancellation; the transaction rolls back.
                throw new OperationCanceledException("The ingest was cancelled while DuckDB was storing its rows; nothing of it is stored.", e, cancellationToken);
            }
            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
        }
        finally
        {
            _pending.End();
        }
        var after = before + inserted;
        // Exact, as a fresh max(seq) would be: the rows skipped as already stored leave no gap at the end.
        _known = (after, NextSeq(firstSeq));
        return new IngestReport(source, log.Count, inserted, log.Count - inserted, after, watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Rows stored and the next seq: from the last ingest when no other connection has written since (nothing with a
    /// seq at or past the known next one; one process holds the file, so none does today), else from the whole table.
    /// </summary>
    private (long Rows, long NextSeq) Position()
    {
        if (_known is { } known && NextSeq(known.NextSeq) == known.NextSeq)
            return known;
        return (Count, NextSeq(0));
    }

    /// <summary>One past the largest seq at or after <paramref name="from"/>, or <paramref name="from"/> when there is none.</summary>
    private long NextSeq(long from)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(seq) + 1, $from) FROM events WHERE seq >= $from";
        command.Parameters.Add(new DuckDBParameter("from", from));
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Reads the events <paramref name="query"/> selects into a new log, in load order.</summary>
    public EventLog Load(EventQuery? query = null)
    {
        query ??= EventQuery.All;
        using var command = _connection.CreateCommand();
        var where = new List<string>();
        if (query.From is { } from)
        {
            where.Add("ts >= $from");
            command.Parameters.Add(new DuckDBParameter("from", from));
        }
        if (query.Before is { } before)
        {
            where.Add("ts < $before");
            command.Parameters.Add(new DuckDBParameter("before", before));
        }
        AddIn(command, where, "action", "a", query.Actions);
        AddIn(command, where, "user_id", "u", query.Users);
        command.CommandText = $"SELECT {Columns} FROM events{(where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")} ORDER BY seq";
        var log = new EventLog();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            log.Append(StoreRows.Event(reader));
        }
        return log;
    }

    public IngestReport IngestCampaignDays(IReadOnlyList<CampaignDay> rows, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(source);
        var watch = Stopwatch.StartNew();
        long CountRows() => Convert.ToInt64(Scalar("SELECT count(*) FROM campaign_days"), CultureInfo.InvariantCulture);
        var before = CountRows();
        var firstSeq = Convert.ToInt64(Scalar("SELECT coalesce(max(seq), -1) + 1 FROM campaign_days"), CultureInfo.InvariantCulture);
        Execute("DROP TABLE IF EXISTS temp.exania_campaign_staging");
        Execute("""
            CREATE TEMP TABLE exania_campaign_staging (
                row_key UUID NOT NULL, seq BIGINT NOT NULL, campaign_id VARCHAR NOT NULL, day DATE NOT NULL, ad_type VARCHAR, placement VARCHAR,
                impressions DOUBLE, clicks DOUBLE, conversions DOUBLE, spend DOUBLE, revenue DOUBLE, extra VARCHAR)
            """);
        try
        {
            using (var appender = _connection.CreateAppender("exania_campaign_staging"))
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    if ((i & 0xFFF) == 0)
                        cancellationToken.ThrowIfCancellationRequested();
                    var r = rows[i];
                    var row = appender.CreateRow()
                        .AppendValue(r.Key(0))
                        .AppendValue(firstSeq + i)
                        .AppendValue(r.CampaignId)
                        .AppendValue(DateOnly.ParseExact(r.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture))
                        .AppendValue(r.AdType)
                        .AppendValue(r.Placement);
                    Nullable(row, r.Impressions);
                    Nullable(row, r.Clicks);
                    Nullable(row, r.Conversions);
                    Nullable(row, r.Spend);
                    Nullable(row, r.Revenue);
                    row.AppendValue(r.Extra);
                    row.EndRow();
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
            using var transaction = _connection.BeginTransaction();
            Execute($"""
                INSERT INTO campaign_days
                SELECT s.row_key, s.occurrence, s.seq, {CampaignColumns}
                FROM (SELECT *, CAST(row_number() OVER (PARTITION BY row_key ORDER BY seq) - 1 AS INTEGER) AS occurrence FROM exania_campaign_staging) s
                WHERE NOT EXISTS (SELECT 1 FROM campaign_days c WHERE c.row_key = s.row_key AND c.occurrence = s.occurrence)
                ORDER BY s.seq
                """);
            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
        }
        finally
        {
            Execute("DROP TABLE IF EXISTS temp.exania_campaign_staging");
        }
        var after = CountRows();
        return new IngestReport(source, rows.Count, after - before, rows.Count - (after - before), after, watch.Elapsed.TotalSeconds);
    }

    public IReadOnlyList<CampaignDay> LoadCampaignDays()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {CampaignColumns} FROM campaign_days ORDER BY seq";
        var rows = new List<CampaignDay>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(StoreRows.CampaignDay(reader));
        }
        return rows;
    }

    public SegmentStoreReport ReplaceSegments(IReadOnlyList<SegmentAssignment> assignments, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(source);
        StoreChecks.RequireDistinctUsers(assignments);
        var watch = Stopwatch.StartNew();
        using var transaction = _connection.BeginTransaction();
        var replaced = Convert.ToInt64(Scalar("SELECT count(*) FROM segments"), CultureInfo.InvariantCulture);
        Execute("DELETE FROM segments");
        using (var appender = _connection.CreateAppender("segments"))
        {
            for (var i = 0; i < assignments.Count; i++)
            {
                if ((i & 0xFFF) == 0)
                    cancellationToken.ThrowIfCancellationRequested();
                appender.CreateRow().AppendValue(assignments[i].UserId).AppendValue(assignments[i].Segment).AppendValue(source).EndRow();
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        transaction.Commit();
        return new SegmentStoreReport(source, assignments.Count, replaced, watch.Elapsed.TotalSeconds);
    }

    public IReadOnlyDictionary<string, string> LoadSegments()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT user_id, segment FROM segments";
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
            result.Add(reader.GetString(0), reader.GetString(1));
        return result;
    }

    public void Dispose() => _connection.Dispose();

    private static void AddIn(DuckDBCommand command, List<string> where, string column, string prefix, IReadOnlyList<string>? values)
    {
        if (values is null || values.Count == 0)
            return;
        var names = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            names.Append(i == 0 ? "" : ", ").Append('$').Append(prefix).Append(i);
            command.Parameters.Add(new DuckDBParameter($"{prefix}{i}", values[i]));
        }
        where.Add($"{column} IN ({names})");
    }

    private static void Nullable(IDuckDBAppenderRow row, double value)
    {
        if (double.IsNaN(value))
            row.AppendNullValue();
        else
            row.AppendValue(value);
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The current value of a DuckDB setting (tests).</summary>
    internal string? Setting(string name)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT current_setting($name)";
        command.Parameters.Add(new DuckDBParameter("name", name));
        return command.ExecuteScalar()?.ToString();
    }

    private object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }
}
