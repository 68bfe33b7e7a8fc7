using Exania.Events;
using Exania.Store;
using Exania.Testing;

namespace Exania.Store.Tests;

/// <summary>The DuckDB event store (issue #12): round trip, idempotent and transactional ingest, pushed-down filters.</summary>
public class DuckDbEventStoreTests
{
    private const string Header = "user_id,session_id,timestamp,action,page,scroll_depth,revenue,item_id\n";

    private static EventLog Log(string rows) => TestData.ReadCsv(Header + rows).Log;

    private const string Rows =
        "u1,s1,100.5,view,/a,0.25,,i1\n" +
        "u1,s1,101,cart,/a,,,i1\n" +
        "u1,s1,101,cart,/a,,,i1\n" + // an identical second row: a second event
        "u2,s2,50,purchase,,,19.99,i2\n";

    private static void AssertSameEvents(EventLog expected, EventLog actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i], actual[i]);
    }

    [Fact]
    public void Ingest_ThenLoad_GivesTheSameEventsInLoadOrder()
    {
        using var store = DuckDbEventStore.Open(":memory:");
        var log = Log(Rows);
        var report = store.Ingest(log, "a.csv", TestContext.Current.CancellationToken);
        Assert.Equal((4L, 4L, 0L, 4L), (report.Events, report.Inserted, report.AlreadyStored, report.StoredAfter));
        AssertSameEvents(log, store.Load());
        Assert.True(double.IsNaN(store.Load()[1].ScrollDepth));
        Assert.Null(store.Load()[3].Page);
    }

    [Fact]
    public void Ingest_IsIdempotent_AndAddsOnlyTheNewRowsOfAnOverlappingExport()
    {
        using var store = DuckDbEventStore.Open(":memory:");
        store.Ingest(Log(Rows), "a.csv", TestContext.Current.CancellationToken);
        var again = store.Ingest(Log(Rows), "a.csv", TestContext.Current.CancellationToken);
        Assert.Equal((0L, 4L, 4L), (again.Inserted, again.AlreadyStored, again.StoredAfter));
        // A later export that repeats the first rows and adds one, and a third identical cart row.
        var overlapping = store.Ingest(Log(Rows + "u1,s1,101,cart,/a,,,i1\nu3,s3,200,view,/b,,,\n"), "b.csv", TestContext.Current.CancellationToken);
        Assert.Equal((2L, 4L, 6L), (overlapping.Inserted, overlapping.AlreadyStored, overlapping.StoredAfter));
        Assert.Equal(3, store.Load(new EventQuery { Actions = ["cart"] }).Count);
    }

    [Fact]
    public void CancelledIngest_StoresNothing()
    {
        using var store = DuckDbEventStore.Open(":memory:");
        store.Ingest(Log(Rows), "a.csv", TestContext.Current.CancellationToken);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => store.Ingest(Log("u9,s9,1,view,/x,,,\n"), "b.csv", cancelled.Token));
        Assert.Equal(4, store.Count);
        Assert.Equal(0, store.Load(new EventQuery { Users = ["u9"] }).Count);
    }

    [Fact]
    public void Load_PushesDownEveryFilter_AsParameters()
    {
        using var store = DuckDbEventStore.Open(":memory:");
        store.Ingest(Log(Rows), "a.csv", TestContext.Current.CancellationToken);
        Assert.Equal(3, store.Load(new EventQuery { From = 100 }).Count);
        Assert.Equal(1, store.Load(new EventQuery { From = 100, Before = 101 }).Count); // 100.5 only
        var early = store.Load(new EventQuery { Before = 100 });
        Assert.Equal(("purchase", 19.99), (early[0].Action, early[0].Revenue));
        Assert.Equal(1, early.Count);
        Assert.Equal(1, store.Load(new EventQuery { Users = ["u2"] }).Count);
        // Hostile values are values, never SQL.
        Assert.Equal(0, store.Load(new EventQuery { Users = ["u1' OR '1'='1"] }).Count);
        Assert.Equal(0, store.Load(new EventQuery { Actions = ["view'); DROP TABLE events; --"] }).Count);
        Assert.Equal(4, store.Count);
    }

    [Fact]
    public void Store_PersistsInItsFile_AndReopens()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("events.duckdb");
        using (var store = DuckDbEventStore.Open(path))
            store.Ingest(Log(Rows), "a.csv", TestContext.Current.CancellationToken);
        using (var store = DuckDbEventStore.Open(path))
        {
            Assert.Equal(4, store.Count);
            Assert.Equal(0, store.Ingest(Log(Rows), "a.csv", TestContext.Current.CancellationToken).Inserted);
        }
        File.WriteAllText(dir.File("not.duckdb"), "this is not a database");
        var error = Assert.Throws<IOException>(() => DuckDbEventStore.Open(dir.File("not.duckdb")));
        Assert.Contains("could not be opened as a DuckDB database", error.Message);
        Assert.Equal("this is not a database", File.ReadAllText(dir.File("not.duckdb")));
    }

    [Fact]
    public void Identity_CoversEveryField_AndTheOccurrence()
    {
        var log = Log(Rows + "u1,s1,100.5,view,/a,0.25,,i2\nu1,s1,100.50000000000001,view,/a,0.25,,i1\n");
        Assert.Equal(EventIdentity.Key(log, 1, 0), EventIdentity.Key(log, 2, 0));
        Assert.NotEqual(EventIdentity.Key(log, 1, 0), EventIdentity.Key(log, 2, 1));
        Assert.NotEqual(EventIdentity.Key(log, 0, 0), EventIdentity.Key(log, 4, 0)); // another item
        Assert.NotEqual(EventIdentity.Key(log, 0, 0), EventIdentity.Key(log, 5, 0)); // the next double
    }
}
