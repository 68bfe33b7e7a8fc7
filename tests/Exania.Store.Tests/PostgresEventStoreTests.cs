using System.Net;
using System.Net.Sockets;
using Exania.Events;
using Npgsql;

namespace Exania.Store.Tests;

/// <summary>The store contract against PostgreSQL, in a new database on the test server for each test.</summary>
public sealed class PostgresEventStoreContractTests : EventStoreContract
{
    private TemporaryDatabase? _database;

    // Made at the first use, inside the test, so that a missing server skips the test rather than failing its constructor.
    private TemporaryDatabase Database => _database ??= new TemporaryDatabase(PostgresTestServer.RequireConnectionString());

    protected override StoreKind ExpectedKind => StoreKind.PostgreSql;

    protected override IEventStore OpenStore() => PostgresEventStore.Open(Database.ConnectionString);

    protected override void ExecuteOutsideStore(string sql) => Database.Execute(sql);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _database?.Dispose();
    }
}

/// <summary>What only the PostgreSQL store does: connection errors, secrets kept out of messages, NUL refused, several writers at once.</summary>
public sealed class PostgresEventStoreTests : IDisposable
{
    private const string Password = "hunter2-not-for-messages";

    private TemporaryDatabase? _database;

    private TemporaryDatabase Database => _database ??= new TemporaryDatabase(PostgresTestServer.RequireConnectionString());

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _database?.Dispose();

    private static NpgsqlConnectionStringBuilder Builder(string connectionString) => new(connectionString);

    [Fact]
    public void Describe_GivesHostPortAndDatabase_WithoutThePassword()
    {
        var source = PostgresEventStore.Describe(Builder($"Host=db.example;Port=6000;Username=exania;Password={Password};Database=events"));
        Assert.Equal("postgresql://db.example:6000/events", source);
        // No database named: Npgsql connects to the one named after the user, and so says the description.
        Assert.Equal("postgresql://db.example:5432/exania", PostgresEventStore.Describe(Builder("Host=db.example;Username=exania")));
    }

    [Fact]
    public void Source_NamesTheServerAndDatabase_NeverThePassword()
    {
        var builder = Builder(Database.ConnectionString);
        builder.Password = Password; // the test server trusts loopback logins, so any password is accepted
        using var store = PostgresEventStore.Open(builder.ConnectionString);
        Assert.Equal($"postgresql://{builder.Host}:{builder.Port}/{Database.Name}", store.Source);
        Assert.DoesNotContain(Password, store.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnreachableServer_IsAnIOException_NamingHostPortAndDatabase()
    {
        // A port nothing listens on: bound and released again.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var error = Assert.Throws<IOException>(() =>
            PostgresEventStore.Open($"Host=127.0.0.1;Port={port};Username=exania;Password={Password};Database=events;Timeout=5"));
        Assert.StartsWith($"Could not connect to the PostgreSQL store postgresql://127.0.0.1:{port}/events: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ALoginTheServerRefuses_IsAnIOException_NamingTheStore()
    {
        var builder = Builder(Database.ConnectionString);
        builder.Username = "exania_no_such_role";
        builder.Password = Password;
        var error = Assert.Throws<IOException>(() => PostgresEventStore.Open(builder.ConnectionString));
        Assert.Contains($"postgresql://{builder.Host}:{builder.Port}/{Database.Name}", error.Message, StringComparison.Ordinal);
        Assert.Contains("role \"exania_no_such_role\" does not exist (SQLSTATE 28000)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingDatabase_IsAnIOException_NamingIt()
    {
        var builder = Builder(PostgresTestServer.RequireConnectionString());
        builder.Database = "exania_missing_" + Guid.NewGuid().ToString("N");
        var error = Assert.Throws<IOException>(() => PostgresEventStore.Open(builder.ConnectionString));
        Assert.Contains($"/{builder.Database}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("(SQLSTATE 3D000)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSchema_HasTheDeclaredColumnTypes_AndVersion1()
    {
        using (PostgresEventStore.Open(Database.ConnectionString))
        {
        }
        var columns = Database.Scalar("""
            SELECT string_agg(table_name || '.' || column_name || ' ' || data_type, ', ' ORDER BY table_name, ordinal_position)
            FROM information_schema.columns WHERE table_schema = 'public'
            """);
        Assert.Equal(
            "campaign_days.row_key uuid, campaign_days.occurrence integer, campaign_days.seq bigint, campaign_days.campaign_id text, " +
            "campaign_days.day date, campaign_days.ad_type text, campaign_days.placement text, campaign_days.impressions double precision, " +
            "campaign_days.clicks double precision, campaign_days.conversions double precision, campaign_days.spend double precision, " +
            "campaign_days.revenue double precision, campaign_days.extra text, " +
            "events.event_key uuid, events.occurrence integer, events.seq bigint, events.user_id text, events.session_id text, " +
            "events.ts double precision, events.action text, events.page text, events.category text, events.item_id text, " +
            "events.campaign_id text, events.ad_type text, events.placement text, events.scroll_depth double precision, " +
            "events.cost double precision, events.revenue double precision, " +
            "exania_meta.key text, exania_meta.value text, " +
            "segments.user_id text, segments.segment text, segments.source text",
            columns);
        Assert.Equal(PostgresEventStore.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), Database.Scalar("SELECT value FROM exania_meta WHERE key = 'schema_version'"));
    }

    [Fact]
    public void ANulCharacter_IsRefused_AndNothingOfThatWriteIsStored()
    {
        using var store = PostgresEventStore.Open(Database.ConnectionString);
        var log = new EventLog();
        log.Append(new InteractionEvent("u1", "s1", 1, "view"));
        log.Append(new InteractionEvent("u1", "s1", 2, "view"));
        log.Append(new InteractionEvent("u1", "s1", 3, "view", Page: "/a\0b"));
        log.Append(new InteractionEvent("u1", "s1", 4, "view"));
        var error = Assert.Throws<ArgumentException>(() => store.Ingest(log, "nul.csv", Token));
        Assert.Contains("NUL character (U+0000), and event 2 has one in page", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Count);

        store.IngestCampaignDays([new("c1", "2024-01-01", null, null, 1, 1, 1, 1, 1)], "one.csv", Token);
        Assert.Throws<ArgumentException>(() => store.IngestCampaignDays([new("c2", "2024-01-01", null, null, 1, 1, 1, 1, 1), new("c\03", "2024-01-01", null, null, 1, 1, 1, 1, 1)], "two.csv", Token));
        Assert.Single(store.LoadCampaignDays());

        store.ReplaceSegments([new("u1", "loyal")], "run 1", Token);
        Assert.Throws<ArgumentException>(() => store.ReplaceSegments([new("u2", "new"), new("u3", "a\0")], "run 2", Token));
        Assert.Equal("loyal", Assert.Single(store.LoadSegments()).Value);
        // The store is still usable after each refusal.
        Assert.Equal(4, store.Ingest(Log(4, 0), "ok.csv", Token).Inserted);
    }

    private static EventLog Log(int events, double firstTimestamp)
    {
        var log = new EventLog();
        for (var i = 0; i < events; i++)
            log.Append(new InteractionEvent($"u{i % 97}", null, firstTimestamp + i, "view"));
        return log;
    }

    [Fact]
    public void TwoWritersAtOnce_KeepLoadOrderUnique_AndTheirReportsExact()
    {
        const int Events = 20_000;
        using var first = PostgresEventStore.Open(Database.ConnectionString);
        using var second = PostgresEventStore.Open(Database.ConnectionString);
        IngestReport[] Both(EventLog a, EventLog b)
        {
            using var start = new Barrier(2);
            var tasks = new[] { (first, a), (second, b) }.Select(w => Task.Run(() =>
            {
                start.SignalAndWait(Token);
                return w.Item1.Ingest(w.Item2, "concurrent", Token);
            }, Token)).ToArray();
            return Task.WhenAll(tasks).GetAwaiter().GetResult();
        }
        var distinct = Both(Log(Events, 0), Log(Events, 1e6));
        Assert.Equal([Events, Events], distinct.Select(r => r.Inserted));
        Assert.Equal(2L * Events, first.Count);
        // The same rows from both: each is stored once, and the two reports add up to that.
        var same = Both(Log(Events, 2e6), Log(Events, 2e6));
        Assert.Equal(Events, same.Sum(r => r.Inserted));
        Assert.Equal(Events, same.Sum(r => r.AlreadyStored));
        Assert.Equal(3L * Events, second.Count);
        Assert.Equal(3L * Events, Convert.ToInt64(Database.Scalar("SELECT count(DISTINCT seq) FROM events")));
        // Each ingest's rows keep their file order.
        var all = first.Load();
        for (var i = 1; i < all.Count; i++)
            Assert.True(all[i - 1].Timestamp < all[i].Timestamp || all[i - 1].Timestamp >= all[i].Timestamp + 1e5, $"row {i} is out of its file's order");
    }

    [Fact]
    public void AWriteWaitingForAnotherWriter_IsCancelled_AndStoresNothing()
    {
        using var store = PostgresEventStore.Open(Database.ConnectionString);
        store.ReplaceSegments([new("u1", "loyal")], "run 1", Token);
        // Another program holds both tables against writers until it rolls back.
        using var other = new NpgsqlConnection(Database.ConnectionString);
        other.Open();
        using (var transaction = other.BeginTransaction())
        {
            new NpgsqlCommand("LOCK TABLE events, segments IN EXCLUSIVE MODE", other, transaction).ExecuteNonQuery();
            foreach (var write in new Action<CancellationToken>[]
                     {
                         token => store.Ingest(Log(100, 0), "blocked", token),
                         token => store.ReplaceSegments([new("u2", "new")], "run 2", token),
                     })
            {
                using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                var watch = System.Diagnostics.Stopwatch.StartNew();
                Assert.ThrowsAny<OperationCanceledException>(() => write(cancellation.Token));
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"the cancellation took {watch.Elapsed}");
            }
            transaction.Rollback();
        }
        Assert.Equal(0, store.Count);
        Assert.Equal("loyal", Assert.Single(store.LoadSegments()).Value);
        Assert.Equal(100, store.Ingest(Log(100, 0), "unblocked", Token).Inserted);
    }

    [Fact]
    public void EventStoresOpen_TakesAConnectionString_ForPostgreSql()
    {
        Assert.True(EventStores.IsPostgreSql(Database.ConnectionString));
        using var store = EventStores.Open(Database.ConnectionString);
        Assert.Equal(StoreKind.PostgreSql, store.Kind);
        Assert.StartsWith("postgresql://", store.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void SkipReason_FailsWhenRequired_AndSkipsOtherwise()
    {
        Assert.Null(PostgresTestServer.SkipReason("Host=127.0.0.1", "1"));
        Assert.StartsWith("No PostgreSQL server: EXANIA_TEST_POSTGRES is not set", PostgresTestServer.SkipReason(null, null), StringComparison.Ordinal);
        Assert.NotNull(PostgresTestServer.SkipReason("", "0"));
        var failure = Assert.Throws<Xunit.Sdk.FailException>(() => PostgresTestServer.SkipReason(null, "1"));
        Assert.Contains("EXANIA_REQUIRE_POSTGRES=1", failure.Message, StringComparison.Ordinal);
    }
}
