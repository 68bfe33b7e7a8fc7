using DuckDB.NET.Data;
using Exania.Events;
using Exania.Testing;

namespace Exania.Store.Tests;

/// <summary>The store contract against DuckDB, in a file of a temporary folder (one per test).</summary>
public sealed class DuckDbEventStoreContractTests : EventStoreContract
{
    private readonly TestData.TempDir _dir = new();

    private string DatabaseFile => _dir.File("events.duckdb");

    protected override StoreKind ExpectedKind => StoreKind.DuckDb;

    protected override IEventStore OpenStore() => DuckDbEventStore.Open(DatabaseFile);

    protected override void ExecuteOutsideStore(string sql)
    {
        using var connection = new DuckDBConnection($"DataSource={DatabaseFile}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _dir.Dispose();
    }
}

/// <summary>What only the DuckDB store does: a store in memory, files that are not databases, and <c>--db</c> paths.</summary>
public class DuckDbEventStoreTests
{
    private static EventLog Log(string rows) => TestData.ReadCsv("user_id,session_id,timestamp,action\n" + rows).Log;

    [Fact]
    public void InMemoryStore_HoldsItsEvents_UntilDisposed()
    {
        using (var store = DuckDbEventStore.Open(":memory:"))
        {
            Assert.Equal(":memory:", store.Source);
            Assert.Equal(2, store.Ingest(Log("u1,s1,1,view\nu1,s1,2,cart\n"), "a.csv", TestContext.Current.CancellationToken).Inserted);
            Assert.Equal(2, store.Load().Count);
        }
        using (var fresh = DuckDbEventStore.Open(":memory:"))
            Assert.Equal(0, fresh.Count);
    }

    [Fact]
    public void Threads_AreDuckDbsDefault_OrTheNumberGiven_AndInsertionOrderIsNotKept()
    {
        using (var given = DuckDbEventStore.Open(":memory:", threads: 1))
        {
            Assert.Equal("1", given.Setting("threads"));
            // Every read orders by seq: the rows come back in load order all the same.
            given.Ingest(Log("u1,s1,3,view\nu1,s1,1,cart\nu1,s1,2,view\n"), "a.csv", TestContext.Current.CancellationToken);
            Assert.Equal([3.0, 1, 2], given.Load().Timestamps.ToArray());
            Assert.Equal("false", given.Setting("preserve_insertion_order"), ignoreCase: true);
        }
        using (var fallback = DuckDbEventStore.Open(":memory:"))
            Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), fallback.Setting("threads"));
        Assert.Throws<ArgumentOutOfRangeException>(() => DuckDbEventStore.Open(":memory:", threads: -1));
    }

    [Fact]
    public void MemoryLimit_IsDuckDbsDefault_OrTheMebibytesGiven()
    {
        string Limit(int megabytes)
        {
            using var store = DuckDbEventStore.Open(":memory:", memoryLimitMegabytes: megabytes);
            return store.Setting("memory_limit")!;
        }
        // DuckDB reports the limit in its own units: 300 MiB is 300.0 MiB, and its default is 80% of the RAM.
        Assert.Equal("300.0 MiB", Limit(300));
        Assert.NotEqual(Limit(300), Limit(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DuckDbEventStore.Open(":memory:", memoryLimitMegabytes: -1));
    }

    [Fact]
    public void ARowStoredByAnotherConnection_BetweenIngests_CountsAndKeepsItsPlaceInLoadOrder()
    {
        // The store remembers the table's size and next seq from its own last ingest; a write it did not make must be seen.
        var token = TestContext.Current.CancellationToken;
        using var dir = new TestData.TempDir();
        var path = dir.File("events.duckdb");
        using var store = DuckDbEventStore.Open(path);
        store.Ingest(Log("u1,s1,1,view\nu1,s1,2,cart\n"), "a.csv", token);
        Assert.Equal((0L, 2L), (store.Ingest(Log("u1,s1,1,view\n"), "a.csv", token).Inserted, store.Count));
        using (var other = new DuckDBConnection($"DataSource={path}")) // in the same process DuckDB shares the open database
        {
            other.Open();
            using var command = other.CreateCommand();
            command.CommandText = "INSERT INTO events SELECT event_key, occurrence + 1, 2, user_id, session_id, 7, action, page, category, item_id, " +
                                  "campaign_id, ad_type, placement, scroll_depth, cost, revenue FROM events WHERE seq = 0";
            Assert.Equal(1, command.ExecuteNonQuery());
        }
        var report = store.Ingest(Log("u2,s2,5,view\n"), "b.csv", token);
        Assert.Equal((1L, 0L, 4L), (report.Inserted, report.AlreadyStored, report.StoredAfter));
        Assert.Equal([1.0, 2, 7, 5], store.Load().Timestamps.ToArray());
        Assert.Equal((1L, 5L), (store.Ingest(Log("u2,s2,5,view\nu2,s2,6,view\n"), "c.csv", token).Inserted, store.Count));
    }

    [Fact]
    public void EachStoredRow_CarriesItsEventsKey_AndOccurrence()
    {
        var token = TestContext.Current.CancellationToken;
        using var dir = new TestData.TempDir();
        var path = dir.File("events.duckdb");
        var log = Log("u1,s1,1,view\nu1,s1,1,view\nu2,s2,5,cart\n");
        using var store = DuckDbEventStore.Open(path);
        store.Ingest(log, "a.csv", token);
        using var other = new DuckDBConnection($"DataSource={path}");
        other.Open();
        using var command = other.CreateCommand();
        command.CommandText = "SELECT event_key::VARCHAR, occurrence FROM events ORDER BY seq";
        using var reader = command.ExecuteReader();
        var stored = new List<(string, int)>();
        while (reader.Read())
            stored.Add((reader.GetString(0), reader.GetInt32(1)));
        var key = EventIdentity.Keys(log, token);
        Assert.Equal([(key[0].ToString(), 0), (key[0].ToString(), 1), (key[2].ToString(), 0)], stored);
    }

    /// <summary>
    /// The rows reach DuckDB through a table function that the INSERT reads on DuckDB's threads; a cancellation stops
    /// that statement from inside. The cancellation comes when a scanning thread claims the vector holding
    /// <paramref name="row"/>: at the first vector, in the middle, at the last, and into a store larger than the load
    /// (the other form of the statement). Chosen by the store's hook, not by a timer, so every case lands inside the
    /// statement. Cancellations at moments chosen by time are in the contract tests.
    /// </summary>
    [Theory]
    [InlineData(0, 200_000)]
    [InlineData(100_000, 200_000)]
    [InlineData(199_999, 200_000)]
    [InlineData(60_000, 120_000)]
    public void AnIngestCancelledWhileDuckDbReadsItsRows_StoresNothing_AndTheStoreStaysUsable(int row, int loadSize)
    {
        var token = TestContext.Current.CancellationToken;
        using var store = DuckDbEventStore.Open(":memory:");
        static EventLog Batch(int batch, int size)
        {
            var log = new EventLog();
            for (var i = 0; i < size; i++)
                log.Append(new InteractionEvent($"u{i % 700}", $"s{batch}-{i % 3000}", batch * 1e6 + i, i % 3 == 0 ? "view" : "cart", Page: $"/p{i % 40}", Revenue: i % 7));
            return log;
        }
        Assert.Equal(200_000, store.Ingest(Batch(0, 200_000), "batch 0", token).Inserted);
        using var cancellation = new CancellationTokenSource();
        var vector = DuckDbNative.VectorSize;
        store.PendingRows.VectorClaimed = start =>
        {
            if (start <= row && row < start + vector)
                cancellation.Cancel();
        };
        var cancelled = Assert.Throws<OperationCanceledException>(() => store.Ingest(Batch(1, loadSize), "batch 1", cancellation.Token));
        Assert.IsType<DuckDBException>(cancelled.InnerException);
        store.PendingRows.VectorClaimed = null;
        Assert.Equal(200_000, store.Count);
        // Usable, and nothing of the cancelled load was kept: all of it goes in now.
        var again = store.Ingest(Batch(1, loadSize), "batch 1", token);
        Assert.Equal((loadSize, 200_000L + loadSize), ((int)again.Inserted, again.StoredAfter));
    }

    [Fact]
    public void AFileThatIsNotADatabase_IsRefused_AndLeftUnchanged()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("not.duckdb"), "this is not a database");
        var error = Assert.Throws<IOException>(() => DuckDbEventStore.Open(dir.File("not.duckdb")));
        Assert.Contains("could not be opened as a DuckDB database", error.Message);
        Assert.Equal("this is not a database", File.ReadAllText(dir.File("not.duckdb")));
    }

    [Fact]
    public void EventStoresOpen_TakesAPath_ForDuckDb()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("Host=x.duckdb"); // a file name with "Host=" in it is still a file: no ';'-separated Host key
        Assert.False(EventStores.IsPostgreSql(path));
        using var store = EventStores.Open(path);
        Assert.Equal((StoreKind.DuckDb, path), (store.Kind, store.Source));
        Assert.True(File.Exists(path));
    }
}
