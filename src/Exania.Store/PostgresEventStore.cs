using System.Diagnostics;
using System.Globalization;
using Exania.Events;
using Npgsql;
using NpgsqlTypes;

namespace Exania.Store;

/// <summary>
/// The event store in a PostgreSQL database: the schema and the semantics of <see cref="DuckDbEventStore"/> (the same
/// tables and columns, identity, load order, NaN and null as SQL NULL), for a store that several processes share.
/// Every write is one transaction: the rows go into a temporary staging table by binary <c>COPY</c>, then one
/// <c>INSERT ... ON CONFLICT DO NOTHING</c> moves the new ones; a failure or a cancellation rolls all of it back.
/// </summary>
/// <remarks>
/// PostgreSQL lets many processes write at once, where DuckDB has one writer. So each write first locks its table
/// against other writers (readers are not blocked): load-order numbers stay unique and the reports stay exact when two
/// ingests run together. A cancellation also ends a wait for another writer, and a long insert, on the server.
/// PostgreSQL text cannot hold the NUL character (U+0000), which DuckDB stores; a value with
/// one is refused with a message naming the row and the column, and nothing of that write is stored.
/// </remarks>
public sealed class PostgresEventStore : IEventStore
{
    /// <summary>The schema version written in <c>exania_meta</c>, the same as <see cref="DuckDbEventStore.SchemaVersion"/>.</summary>
    public const int SchemaVersion = DuckDbEventStore.SchemaVersion;

    private const string Columns = StoreRows.EventColumns;

    private const string CampaignColumns = StoreRows.CampaignColumns;

    /// <summary>Held while the schema is created or checked, so two processes opening a new database do not race.</summary>
    private const long SchemaLockKey = 0x4578616E6961; // "Exania"

    /// <summary>Rows written between two looks at the cancellation token while copying.</summary>
    private const int CancellationStride = 4096;

    private readonly NpgsqlConnection _connection;

    private PostgresEventStore(NpgsqlConnection connection, string source)
    {
        _connection = connection;
        Source = source;
    }

    /// <summary>The server and database, as <c>postgresql://host:port/database</c>: never the password.</summary>
    public string Source { get; }

    public StoreKind Kind => StoreKind.PostgreSql;

    /// <summary>Connects with <paramref name="connectionString"/> (Npgsql's <c>Host=...;Port=...;Username=...;Database=...</c> form) and creates the schema when absent.</summary>
    /// <exception cref="IOException">The server cannot be reached, or refuses the login or the database; the message names the host, port and database.</exception>
    /// <exception cref="InvalidDataException">The database holds an Exania store of another schema version.</exception>
    /// <exception cref="ArgumentException">The connection string is malformed.</exception>
    public static PostgresEventStore Open(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var source = Describe(new NpgsqlConnectionStringBuilder(connectionString));
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            connection.Open();
        }
        catch (NpgsqlException e)
        {
            connection.Dispose();
            throw new IOException($"Could not connect to the PostgreSQL store {source}: {Reason(e)}", e);
        }
        var store = new PostgresEventStore(connection, source);
        try
        {
            store.CreateSchema();
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    /// <summary><c>postgresql://host:port/database</c> from the parts of a connection string that are not secret.</summary>
    internal static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        // Npgsql connects to the database named after the user when none is given.
        var database = builder.Database ?? builder.Username ?? "(the user's database)";
        return $"postgresql://{builder.Host ?? "(no host)"}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{database}";
    }

    private static string Reason(NpgsqlException e) => e switch
    {
        PostgresException server => $"{server.MessageText} (SQLSTATE {server.SqlState})",
        { InnerException: { } inner } => $"{e.Message} ({inner.Message})",
        _ => e.Message,
    };

    private void CreateSchema()
    {
        using var transaction = _connection.BeginTransaction();
        Execute($"SELECT pg_advisory_xact_lock({SchemaLockKey})");
        Execute("CREATE TABLE IF NOT EXISTS exania_meta (key text PRIMARY KEY, value text NOT NULL)");
        var version = Scalar("SELECT value FROM exania_meta WHERE key = 'schema_version'");
        if (version is null)
            Execute($"INSERT INTO exania_meta VALUES ('schema_version', '{SchemaVersion}')");
        else if (version.ToString() != SchemaVersion.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"'{Source}' holds an Exania store of schema version {version}; this build reads version {SchemaVersion}. Ingest the events again into a new store.");
        Execute("""
            CREATE TABLE IF NOT EXISTS events (
                event_key uuid NOT NULL, occurrence integer NOT NULL, seq bigint NOT NULL,
                user_id text NOT NULL, session_id text, ts double precision NOT NULL, action text NOT NULL,
                page text, category text, item_id text, campaign_id text, ad_type text, placement text,
                scroll_depth double precision, cost double precision, revenue double precision,
                PRIMARY KEY (event_key, occurrence))
            """);
        Execute("""
            CREATE TABLE IF NOT EXISTS campaign_days (
                row_key uuid NOT NULL, occurrence integer NOT NULL, seq bigint NOT NULL,
                campaign_id text NOT NULL, day date NOT NULL, ad_type text, placement text,
                impressions double precision, clicks double precision, conversions double precision, spend double precision, revenue double precision, extra text,
                PRIMARY KEY (row_key, occurrence))
            """);
        Execute("CREATE TABLE IF NOT EXISTS segments (user_id text PRIMARY KEY, segment text NOT NULL, source text NOT NULL)");
        transaction.Commit();
    }

    /// <summary>Events stored.</summary>
    public long Count => Convert.ToInt64(Scalar("SELECT count(*) FROM events"), CultureInfo.InvariantCulture);

    /// <exception cref="OperationCanceledException">Cancelled; nothing of this ingest is stored.</exception>
    /// <exception cref="ArgumentException">A value holds the NUL character; nothing of this ingest is stored.</exception>
    public IngestReport Ingest(EventLog log, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(source);
        var watch = Stopwatch.StartNew();
        var keys = EventIdentity.Keys(log, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        // The staging table, the copy and the insert are one transaction: a rollback drops the staging table too.
        using var transaction = _connection.BeginTransaction();
        Execute("""
            CREATE TEMP TABLE exania_staging (
                event_key uuid NOT NULL, ord bigint NOT NULL,
                user_id text NOT NULL, session_id text, ts double precision NOT NULL, action text NOT NULL,
                page text, category text, item_id text, campaign_id text, ad_type text, placement text,
                scroll_depth double precision, cost double precision, revenue double precision) ON COMMIT DROP
            """);
        using (var copy = _connection.BeginBinaryImport($"COPY exania_staging (event_key, ord, {Columns}) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < log.Count; i++)
            {
                if (i % CancellationStride == 0)
                    cancellationToken.ThrowIfCancellationRequested();
                var e = log[i];
                copy.StartRow();
                copy.Write(keys[i], NpgsqlDbType.Uuid);
                copy.Write((long)i, NpgsqlDbType.Bigint);
                WriteText(copy, e.UserId, "event", i, "user_id");
                WriteText(copy, e.SessionId, "event", i, "session_id");
                copy.Write(e.Timestamp, NpgsqlDbType.Double);
                WriteText(copy, e.Action, "event", i, "action");
                WriteText(copy, e.Page, "event", i, "page");
                WriteText(copy, e.Category, "event", i, "category");
                WriteText(copy, e.ItemId, "event", i, "item_id");
                WriteText(copy, e.CampaignId, "event", i, "campaign_id");
                WriteText(copy, e.AdType, "event", i, "ad_type");
                WriteText(copy, e.Placement, "event", i, "placement");
                WriteNumber(copy, e.ScrollDepth);
                WriteNumber(copy, e.Cost);
                WriteNumber(copy, e.Revenue);
            }
            cancellationToken.ThrowIfCancellationRequested();
            copy.Complete();
        }
        Execute("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE", cancellationToken);
        var before = Count;
        // The occurrence number tells identical rows of one load apart; a row is new when its (key, occurrence) is.
        // Load order continues after the last stored event.
        var inserted = Execute($"""
            INSERT INTO events (event_key, occurrence, seq, {Columns})
            SELECT s.event_key, s.occurrence, n.first_seq + s.ord, {Prefixed(Columns, "s")}
            FROM (SELECT *, (row_number() OVER (PARTITION BY event_key ORDER BY ord) - 1)::integer AS occurrence FROM exania_staging) s
            CROSS JOIN (SELECT coalesce(max(seq), -1) + 1 AS first_seq FROM events) n
            ON CONFLICT (event_key, occurrence) DO NOTHING
            """, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        transaction.Commit();
        return new IngestReport(source, log.Count, inserted, log.Count - inserted, before + inserted, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Reads the events <paramref name="query"/> selects into a new log, in load order.</summary>
    public EventLog Load(EventQuery? query = null)
    {
        query ??= EventQuery.All;
        using var command = _connection.CreateCommand();
        command.CommandTimeout = 0; // a whole table may take longer than the default 30 s
        var where = new List<string>();
        if (query.From is { } from)
        {
            where.Add("ts >= @from");
            command.Parameters.Add(new NpgsqlParameter<double>("from", NpgsqlDbType.Double) { TypedValue = from });
        }
        if (query.Before is { } before)
        {
            where.Add("ts < @before");
            command.Parameters.Add(new NpgsqlParameter<double>("before", NpgsqlDbType.Double) { TypedValue = before });
        }
        // One array parameter per list: any number of values, and never text in the SQL.
        if (query.Actions is { Count: > 0 } actions)
        {
            where.Add("action = ANY(@actions)");
            command.Parameters.Add(new NpgsqlParameter<string[]>("actions", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. actions] });
        }
        if (query.Users is { Count: > 0 } users)
        {
            where.Add("user_id = ANY(@users)");
            command.Parameters.Add(new NpgsqlParameter<string[]>("users", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. users] });
        }
        command.CommandText = $"SELECT {Columns} FROM events{(where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")} ORDER BY seq";
        var log = new EventLog();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            log.Append(StoreRows.Event(reader));
        }
        return log;
    }

    /// <exception cref="OperationCanceledException">Cancelled; nothing of this ingest is stored.</exception>
    /// <exception cref="ArgumentException">A value holds the NUL character; nothing of this ingest is stored.</exception>
    public IngestReport IngestCampaignDays(IReadOnlyList<CampaignDay> rows, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(source);
        var watch = Stopwatch.StartNew();
        cancellationToken.ThrowIfCancellationRequested();
        using var transaction = _connection.BeginTransaction();
        Execute("""
            CREATE TEMP TABLE exania_campaign_staging (
                row_key uuid NOT NULL, ord bigint NOT NULL, campaign_id text NOT NULL, day date NOT NULL, ad_type text, placement text,
                impressions double precision, clicks double precision, conversions double precision, spend double precision, revenue double precision, extra text) ON COMMIT DROP
            """);
        using (var copy = _connection.BeginBinaryImport($"COPY exania_campaign_staging (row_key, ord, {CampaignColumns}) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < rows.Count; i++)
            {
                if (i % CancellationStride == 0)
                    cancellationToken.ThrowIfCancellationRequested();
                var r = rows[i];
                copy.StartRow();
                copy.Write(r.Key(0), NpgsqlDbType.Uuid);
                copy.Write((long)i, NpgsqlDbType.Bigint);
                WriteText(copy, r.CampaignId, "campaign-day row", i, "campaign_id");
                copy.Write(DateOnly.ParseExact(r.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture), NpgsqlDbType.Date);
                WriteText(copy, r.AdType, "campaign-day row", i, "ad_type");
                WriteText(copy, r.Placement, "campaign-day row", i, "placement");
                WriteNumber(copy, r.Impressions);
                WriteNumber(copy, r.Clicks);
                WriteNumber(copy, r.Conversions);
                WriteNumber(copy, r.Spend);
                WriteNumber(copy, r.Revenue);
                WriteText(copy, r.Extra, "campaign-day row", i, "extra");
            }
            cancellationToken.ThrowIfCancellationRequested();
            copy.Complete();
        }
        Execute("LOCK TABLE campaign_days IN SHARE ROW EXCLUSIVE MODE", cancellationToken);
        var before = Convert.ToInt64(Scalar("SELECT count(*) FROM campaign_days"), CultureInfo.InvariantCulture);
        var inserted = Execute($"""
            INSERT INTO campaign_days (row_key, occurrence, seq, {CampaignColumns})
            SELECT s.row_key, s.occurrence, n.first_seq + s.ord, {Prefixed(CampaignColumns, "s")}
            FROM (SELECT *, (row_number() OVER (PARTITION BY row_key ORDER BY ord) - 1)::integer AS occurrence FROM exania_campaign_staging) s
            CROSS JOIN (SELECT coalesce(max(seq), -1) + 1 AS first_seq FROM campaign_days) n
            ON CONFLICT (row_key, occurrence) DO NOTHING
            """, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        transaction.Commit();
        return new IngestReport(source, rows.Count, inserted, rows.Count - inserted, before + inserted, watch.Elapsed.TotalSeconds);
    }

    public IReadOnlyList<CampaignDay> LoadCampaignDays()
    {
        using var command = _connection.CreateCommand();
        command.CommandTimeout = 0;
        command.CommandText = $"SELECT {CampaignColumns} FROM campaign_days ORDER BY seq";
        var rows = new List<CampaignDay>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(StoreRows.CampaignDay(reader));
        }
        return rows;
    }

    /// <exception cref="ArgumentException">A user is assigned twice, or a value holds the NUL character; the stored assignments are kept.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the stored assignments are kept.</exception>
    public SegmentStoreReport ReplaceSegments(IReadOnlyList<SegmentAssignment> assignments, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(source);
        StoreChecks.RequireDistinctUsers(assignments);
        RequireNoNul(source, "the segment run's source", 0, "source");
        var watch = Stopwatch.StartNew();
        cancellationToken.ThrowIfCancellationRequested();
        using var transaction = _connection.BeginTransaction();
        Execute("LOCK TABLE segments IN SHARE ROW EXCLUSIVE MODE", cancellationToken);
        var replaced = Execute("DELETE FROM segments", cancellationToken);
        using (var copy = _connection.BeginBinaryImport("COPY segments (user_id, segment, source) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < assignments.Count; i++)
            {
                if (i % CancellationStride == 0)
                    cancellationToken.ThrowIfCancellationRequested();
                copy.StartRow();
                WriteText(copy, assignments[i].UserId, "segment assignment", i, "user_id");
                WriteText(copy, assignments[i].Segment, "segment assignment", i, "segment");
                copy.Write(source, NpgsqlDbType.Text);
            }
            cancellationToken.ThrowIfCancellationRequested();
            copy.Complete();
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

    private static void WriteText(NpgsqlBinaryImporter copy, string? value, string what, int index, string column)
    {
        if (value is null)
        {
            copy.WriteNull();
            return;
        }
        RequireNoNul(value, what, index, column);
        copy.Write(value, NpgsqlDbType.Text);
    }

    private static void RequireNoNul(string value, string what, int index, string column)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException($"PostgreSQL text cannot hold the NUL character (U+0000), and {what} {index} has one in {column}; nothing of this write was stored.");
    }

    private static void WriteNumber(NpgsqlBinaryImporter copy, double value)
    {
        if (double.IsNaN(value))
            copy.WriteNull();
        else
            copy.Write(value, NpgsqlDbType.Double);
    }

    private static string Prefixed(string columns, string alias) => string.Join(", ", columns.Split(", ").Select(c => $"{alias}.{c}"));

    /// <summary>
    /// Runs a statement that may take long (a whole table, or waiting for another writer's lock): no time limit, but the
    /// token cancels it on the server, so a cancellation does not wait for it to finish. Returns the rows it changed.
    /// </summary>
    private long Execute(string sql, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        // Npgsql reports a statement cancelled this way as an OperationCanceledException; the caller's transaction is then rolled back.
        using var registration = cancellationToken.Register(command.Cancel);
        return command.ExecuteNonQuery();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }
}
