using Exania.Events;
using Exania.Testing;

namespace Exania.Store.Tests;

/// <summary>
/// What every <see cref="IEventStore"/> must do, run against each store by a subclass: the round trip field by field,
/// idempotent and transactional ingest, pushed-down filters that take hostile values as values, campaign days and
/// segments. xunit makes a new instance for each test, so each test has a fresh, empty store.
/// </summary>
public abstract class EventStoreContract : IDisposable
{
    private const string Header = "user_id,session_id,timestamp,action,page,scroll_depth,revenue,item_id\n";

    private const string Rows =
        "u1,s1,100.5,view,/a,0.25,,i1\n" +
        "u1,s1,101,cart,/a,,,i1\n" +
        "u1,s1,101,cart,/a,,,i1\n" + // an identical second row: a second event
        "u2,s2,50,purchase,,,19.99,i2\n";

    /// <summary>Values that would change a query if they were spliced into its text, or match too much if they were patterns.</summary>
    protected static readonly string[] HostileStrings =
    [
        "u1' OR '1'='1",
        "view'); DROP TABLE events; --",
        "'; DELETE FROM segments; --",
        "' || (SELECT current_user) || '",
        "$1", "@users", ":from", "?", "%", "_", "\\", "\\'", "\"quoted\"", "a;b", "line\nbreak\r\n", "tab\t", " padded ",
        "ü—🎉 日本", "E'\\x27'",
    ];

    /// <summary>Opens the store of this test: the same database on every call (so a test can reopen it), empty at the first.</summary>
    protected abstract IEventStore OpenStore();

    /// <summary>Runs <paramref name="sql"/> on this test's database outside the store, as another program would (the store is closed then).</summary>
    protected abstract void ExecuteOutsideStore(string sql);

    protected abstract StoreKind ExpectedKind { get; }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    protected static EventLog Log(string rows) => TestData.ReadCsv(Header + rows).Log;

    protected static EventLog Log(params InteractionEvent[] events)
    {
        var log = new EventLog();
        foreach (var e in events)
            log.Append(e);
        return log;
    }

    protected static void AssertSameEvents(EventLog expected, EventLog actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i], actual[i]);
    }

    [Fact]
    public void Ingest_ThenLoad_GivesTheSameEventsInLoadOrder()
    {
        using var store = OpenStore();
        Assert.Equal(ExpectedKind, store.Kind);
        var log = Log(Rows);
        var report = store.Ingest(log, "a.csv", Token);
        Assert.Equal(("a.csv", 4L, 4L, 0L, 4L), (report.Source, report.Events, report.Inserted, report.AlreadyStored, report.StoredAfter));
        AssertSameEvents(log, store.Load());
        Assert.True(double.IsNaN(store.Load()[1].ScrollDepth));
        Assert.Null(store.Load()[3].Page);
        Assert.Equal(4, store.Count);
    }

    [Fact]
    public void EveryField_RoundTripsExactly_WithMissingValuesAsMissing()
    {
        using var store = OpenStore();
        var log = Log(
            new InteractionEvent("ü—🎉", "s\"1", 1.7e9 + 0.1 + 0.2, "view", 0.1 + 0.2, "/p?a=1&b='2'", "cat\\x", "camp;1", "banner", "top\nrow", 1e-300, double.MaxValue, "item 1"),
            new InteractionEvent("u2", null, -0.0, "click", double.NaN, null, null, null, null, null, double.NaN, double.NaN, null),
            new InteractionEvent("u3", "s3", double.Epsilon, "spend", double.PositiveInfinity, "", "", "", "", "", double.NegativeInfinity, -0.0, ""));
        store.Ingest(log, "typed", Token);
        var back = store.Load();
        AssertSameEvents(log, back);
        // Equality treats 0 and -0 alike; the stores keep the bits.
        Assert.True(double.IsNegative(back[1].Timestamp));
        Assert.True(double.IsNegative(back[2].Revenue));
        // An empty string is a value, not a missing one.
        Assert.Equal(("", ""), (back[2].Page, back[2].ItemId));
        Assert.Null(back[1].SessionId);
    }

    [Fact]
    public void Ingest_IsIdempotent_AndAddsOnlyTheNewRowsOfAnOverlappingExport()
    {
        using var store = OpenStore();
        store.Ingest(Log(Rows), "a.csv", Token);
        var again = store.Ingest(Log(Rows), "a.csv", Token);
        Assert.Equal((0L, 4L, 4L), (again.Inserted, again.AlreadyStored, again.StoredAfter));
        // A later export that repeats the first rows and adds one, and a third identical cart row.
        var overlapping = store.Ingest(Log(Rows + "u1,s1,101,cart,/a,,,i1\nu3,s3,200,view,/b,,,\n"), "b.csv", Token);
        Assert.Equal((2L, 4L, 6L), (overlapping.Inserted, overlapping.AlreadyStored, overlapping.StoredAfter));
        Assert.Equal(3, store.Load(new EventQuery { Actions = ["cart"] }).Count);
        // The new rows come after the stored ones, in the order of their file.
        var all = store.Load();
        Assert.Equal(new[] { "u1", "u1", "u1", "u2", "u1", "u3" }, Enumerable.Range(0, all.Count).Select(i => all[i].UserId));
        Assert.Equal(200, all[5].Timestamp);
        // A load smaller than the store (DuckDB then checks it the other way round: the load's keys against the stored
        // rows): the three stored cart rows, a fourth identical one, and a new view.
        var small = store.Ingest(Log(string.Concat(Enumerable.Repeat("u1,s1,101,cart,/a,,,i1\n", 4)) + "u4,s4,7,view,,,,\n"), "c.csv", Token);
        Assert.Equal((2L, 3L, 8L), (small.Inserted, small.AlreadyStored, small.StoredAfter));
        Assert.Equal(4, store.Load(new EventQuery { Actions = ["cart"] }).Count);
    }

    [Fact]
    public void CancelledIngest_StoresNothing()
    {
        using var store = OpenStore();
        store.Ingest(Log(Rows), "a.csv", Token);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => store.Ingest(Log("u9,s9,1,view,/x,,,\n"), "b.csv", cancelled.Token));
        Assert.Equal(4, store.Count);
        Assert.Equal(0, store.Load(new EventQuery { Users = ["u9"] }).Count);
    }

    [Fact]
    public void IngestCancelledAtAnyMoment_StoresAllOfItOrNothing_AndTheStoreStaysUsable()
    {
        using var store = OpenStore();
        const int Events = 40_000;
        var expected = 0L;
        var cancelled = 0;
        foreach (var delay in new[] { 1, 10, 40, 150 })
        {
            // A distinct batch each time, so a completed one adds all its rows.
            var log = new EventLog();
            for (var i = 0; i < Events; i++)
                log.Append(new InteractionEvent($"u{i % 500}", $"s{i % 2000}", delay * 1e6 + i, i % 3 == 0 ? "view" : "cart", Page: $"/p{i % 40}"));
            using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(delay));
            try
            {
                var report = store.Ingest(log, $"batch {delay}", cancellation.Token);
                Assert.Equal(Events, report.Inserted);
                expected += Events;
            }
            catch (OperationCanceledException)
            {
                cancelled++;
            }
            Assert.Equal(expected, store.Count);
        }
        Assert.True(cancelled > 0, "no ingest was cancelled, so the test showed nothing"); // 1 ms is far less than 40,000 events take
        var last = store.Ingest(Log(Rows), "a.csv", Token);
        Assert.Equal((4L, expected + 4), (last.Inserted, last.StoredAfter));
    }

    [Fact]
    public void Load_PushesDownEveryFilter_AsParameters()
    {
        using var store = OpenStore();
        store.Ingest(Log(Rows), "a.csv", Token);
        Assert.Equal(3, store.Load(new EventQuery { From = 100 }).Count);
        Assert.Equal(1, store.Load(new EventQuery { From = 100, Before = 101 }).Count); // 100.5 only
        var early = store.Load(new EventQuery { Before = 100 });
        Assert.Equal(("purchase", 19.99), (early[0].Action, early[0].Revenue));
        Assert.Equal(1, early.Count);
        Assert.Equal(1, store.Load(new EventQuery { Users = ["u2"] }).Count);
        Assert.Equal(3, store.Load(new EventQuery { Users = ["u1", "nobody"] }).Count);
        Assert.Equal(2, store.Load(new EventQuery { Users = ["u1"], Actions = ["cart"], From = 101, Before = 102 }).Count);
        // An empty list filters nothing, as null does.
        Assert.Equal(4, store.Load(new EventQuery { Users = [], Actions = [] }).Count);
        // Hostile values are values, never SQL.
        Assert.Equal(0, store.Load(new EventQuery { Users = ["u1' OR '1'='1"] }).Count);
        Assert.Equal(0, store.Load(new EventQuery { Actions = ["view'); DROP TABLE events; --"] }).Count);
        Assert.Equal(4, store.Count);
    }

    /// <summary>
    /// Texts of every length around DuckDB's 12-byte inline limit and far past it, ASCII and multi-byte (a short text of
    /// many bytes), missing values at every position of a vector, over enough rows that DuckDB scans the load on several
    /// threads, vector by vector: each comes back in its row, and a second ingest of the same rows adds none.
    /// </summary>
    [Fact]
    public void TextsOfEveryLength_OverManyVectors_RoundTripInTheirRows()
    {
        using var store = OpenStore();
        var log = new EventLog();
        string Text(int i, int salt)
        {
            var length = (i * 7 + salt) % 300;
            return (i % 5) switch
            {
                0 => null!,
                1 => new string((char)('a' + i % 26), length),
                2 => string.Concat(Enumerable.Repeat("é", length % 20)), // 2 bytes each: 7-19 characters of 14-38 bytes
                3 => $"{i}🎉{new string('x', length % 14)}",
                _ => (length % 13).ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        for (var i = 0; i < 10_000; i++)
        {
            log.Append(new InteractionEvent($"user {i % 37} {new string('u', i % 15)}", i % 11 == 0 ? null : $"session-{i % 101}", 1e6 + i,
                i % 3 == 0 ? "view" : "a longer action name",
                ScrollDepth: i % 4 == 0 ? double.NaN : i / 3.0, Page: Text(i, 0), Category: Text(i, 1), CampaignId: Text(i, 2),
                AdType: Text(i, 3), Placement: Text(i, 4), Cost: i % 6 == 0 ? double.NaN : i, Revenue: i % 9 == 0 ? double.NaN : -i, ItemId: Text(i, 5)));
        }
        Assert.Equal(10_000, store.Ingest(log, "lengths", Token).Inserted);
        AssertSameEvents(log, store.Load());
        var again = store.Ingest(log, "lengths", Token);
        Assert.Equal((0L, 10_000L, 10_000L), (again.Inserted, again.AlreadyStored, again.StoredAfter));
    }

    [Fact]
    public void HostileStrings_ThroughEveryFilter_MatchOnlyThemselves()
    {
        using var store = OpenStore();
        var log = new EventLog();
        for (var i = 0; i < HostileStrings.Length; i++)
            log.Append(new InteractionEvent(HostileStrings[i], HostileStrings[i], 1000 + i, HostileStrings[i], Page: HostileStrings[i]));
        log.Append(new InteractionEvent("plain", "s", 1, "view"));
        store.Ingest(log, "hostile", Token);
        Assert.Equal(HostileStrings.Length + 1, store.Count);
        for (var i = 0; i < HostileStrings.Length; i++)
        {
            var hostile = HostileStrings[i];
            var byUser = store.Load(new EventQuery { Users = [hostile] });
            Assert.Equal(1, byUser.Count);
            Assert.Equal((hostile, hostile, hostile), (byUser[0].UserId, byUser[0].Action, byUser[0].Page));
            Assert.Equal(1, store.Load(new EventQuery { Actions = [hostile] }).Count);
            // Every filter at once: the time range around this row only.
            var all = store.Load(new EventQuery { Users = [hostile, "plain"], Actions = [hostile], From = 1000 + i, Before = 1000 + i + 0.5 });
            Assert.Equal(hostile, Assert.Single(Enumerable.Range(0, all.Count).Select(r => all[r].UserId)));
        }
        // Close misses match nothing: no pattern matching, no case folding, no trimming.
        Assert.Equal(0, store.Load(new EventQuery { Users = ["U1' OR '1'='1", "padded", "%%", "a;b;"] }).Count);
        Assert.Equal(0, store.Load(new EventQuery { Actions = ["VIEW"] }).Count);
        // Many values in one filter.
        var many = Enumerable.Range(0, 3000).Select(i => $"nobody{i}").Append("plain").ToList();
        Assert.Equal(1, store.Load(new EventQuery { Users = many }).Count);
        Assert.Equal(HostileStrings.Length + 1, store.Count);
    }

    [Fact]
    public void Store_Persists_AndReopens()
    {
        using (var store = OpenStore())
        {
            store.Ingest(Log(Rows), "a.csv", Token);
            store.IngestCampaignDays([Day("c1", "2024-01-01")], "campaigns.csv", Token);
            store.ReplaceSegments([new("u1", "loyal")], "run 1", Token);
        }
        using (var store = OpenStore())
        {
            Assert.Equal(4, store.Count);
            Assert.Equal(0, store.Ingest(Log(Rows), "a.csv", Token).Inserted);
            Assert.Equal(Day("c1", "2024-01-01"), Assert.Single(store.LoadCampaignDays()));
            Assert.Equal("loyal", store.LoadSegments()["u1"]);
        }
    }

    [Fact]
    public void AStoreOfAnotherSchemaVersion_IsRefused()
    {
        using (var store = OpenStore())
            store.Ingest(Log(Rows), "a.csv", Token);
        ExecuteOutsideStore("UPDATE exania_meta SET value = '7' WHERE key = 'schema_version'");
        var error = Assert.Throws<InvalidDataException>(OpenStore);
        Assert.Contains("schema version 7; this build reads version 2", error.Message, StringComparison.Ordinal);
    }

    private static CampaignDay Day(string campaign, string day, double spend = 10, double revenue = 25) =>
        new(campaign, day, "banner", "top", 1000, 30, 2, spend, revenue);

    [Fact]
    public void CampaignDays_RoundTrip_WithMissingNumbersAndTexts()
    {
        using var store = OpenStore();
        List<CampaignDay> rows =
        [
            Day("c1", "2024-01-01"),
            new("c2", "2024-02-29", null, null, double.NaN, double.NaN, double.NaN, 0.1 + 0.2, double.NaN),
            new("ü—🎉 'c3'", "1999-12-31", "", "side\nbar", 0, -0.0, 1e-300, double.MaxValue, double.PositiveInfinity),
            Day("c4", "2024-03-01") with { Extra = """{"audience":"broad","days_active":"3"}""" },
        ];
        var report = store.IngestCampaignDays(rows, "campaigns.csv", Token);
        Assert.Equal(("campaigns.csv", 4L, 4L, 0L, 4L), (report.Source, report.Events, report.Inserted, report.AlreadyStored, report.StoredAfter));
        var back = store.LoadCampaignDays();
        Assert.Equal(rows, back);
        Assert.Null(back[1].AdType);
        Assert.True(double.IsNaN(back[1].Impressions));
        Assert.True(double.IsNegative(back[2].Clicks));
        Assert.Equal("", back[2].AdType);
        // The other columns of the row come back as a campaign table the ROAS model can score.
        var table = CampaignDay.ToTable(back);
        Assert.Equal(3.0, table.Get("days_active").Numbers![3]);
        Assert.Equal("broad", table.Get("audience").Texts![3]);
        Assert.Null(table.Get("audience").Texts![0]);
    }

    [Fact]
    public void CampaignDays_ReIngest_IsIdempotent_AndIdenticalRowsAreBothKept()
    {
        using var store = OpenStore();
        var a = Day("c1", "2024-01-01");
        var b = Day("c1", "2024-01-02");
        var first = store.IngestCampaignDays([a, a, b], "one.csv", Token);
        Assert.Equal((3L, 0L, 3L), (first.Inserted, first.AlreadyStored, first.StoredAfter));
        var again = store.IngestCampaignDays([a, a, b], "one.csv", Token);
        Assert.Equal((0L, 3L, 3L), (again.Inserted, again.AlreadyStored, again.StoredAfter));
        // A third identical row is new, and so is a row that differs only in its spend.
        var c = a with { Spend = 10.000000000000002 };
        var overlapping = store.IngestCampaignDays([a, a, a, c], "two.csv", Token);
        Assert.Equal((2L, 2L, 5L), (overlapping.Inserted, overlapping.AlreadyStored, overlapping.StoredAfter));
        Assert.Equal(new[] { a, a, b, a, c }, store.LoadCampaignDays());
    }

    [Fact]
    public void CampaignDays_CancelledIngest_StoresNothing()
    {
        using var store = OpenStore();
        store.IngestCampaignDays([Day("c1", "2024-01-01")], "one.csv", Token);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => store.IngestCampaignDays([Day("c9", "2024-01-01")], "two.csv", cancelled.Token));
        Assert.Equal("c1", Assert.Single(store.LoadCampaignDays()).CampaignId);
    }

    [Fact]
    public void Segments_AreReplacedWhole_ByEachRun()
    {
        using var store = OpenStore();
        Assert.Empty(store.LoadSegments());
        var first = store.ReplaceSegments([new("u1", "loyal"), new("u2", "new")], "run 1", Token);
        Assert.Equal(("run 1", 2L, 0L), (first.Source, first.Stored, first.Replaced));
        var second = store.ReplaceSegments([new("u2", "loyal"), new("u3", "at risk")], "run 2", Token);
        Assert.Equal((2L, 2L), (second.Stored, second.Replaced));
        Assert.Equal(new Dictionary<string, string> { ["u2"] = "loyal", ["u3"] = "at risk" }, store.LoadSegments());
        var empty = store.ReplaceSegments([], "run 3", Token);
        Assert.Equal((0L, 2L), (empty.Stored, empty.Replaced));
        Assert.Empty(store.LoadSegments());
    }

    [Fact]
    public void Segments_AUserAssignedTwice_IsRefused_AndTheStoredRunIsKept()
    {
        using var store = OpenStore();
        store.ReplaceSegments([new("u1", "loyal")], "run 1", Token);
        var error = Assert.Throws<ArgumentException>(() => store.ReplaceSegments([new("u2", "a"), new("u3", "b"), new("u2", "c")], "run 2", Token));
        Assert.Contains("'u2'", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, string> { ["u1"] = "loyal" }, store.LoadSegments());
        // Users differing only in case are different users.
        store.ReplaceSegments([new("u1", "a"), new("U1", "b")], "run 3", Token);
        Assert.Equal(2, store.LoadSegments().Count);
    }

    [Fact]
    public void Segments_CancelledReplace_KeepsTheStoredRun()
    {
        using var store = OpenStore();
        store.ReplaceSegments([new("u1", "loyal")], "run 1", Token);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => store.ReplaceSegments([new("u2", "new")], "run 2", cancelled.Token));
        Assert.Equal(new Dictionary<string, string> { ["u1"] = "loyal" }, store.LoadSegments());
    }

    [Fact]
    public void Segments_HostileStrings_AreStoredVerbatim()
    {
        using var store = OpenStore();
        var assignments = HostileStrings.Select((s, i) => new SegmentAssignment(s, HostileStrings[(i + 1) % HostileStrings.Length])).ToList();
        store.ReplaceSegments(assignments, "'; DROP TABLE segments; --", Token);
        var back = store.LoadSegments();
        Assert.Equal(assignments.Count, back.Count);
        foreach (var a in assignments)
            Assert.Equal(a.Segment, back[a.UserId]);
        // The tables are all still there.
        store.Ingest(Log(Rows), "a.csv", Token);
        Assert.Equal(4, store.Count);
    }
}
