using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Exania.Conversion;
using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Conversion.Tests;

/// <summary>
/// The funnel engine (issue #11) against hand-computed funnels, a brute-force reference written without the engine's
/// next-occurrence tables, and hand-written DuckDB SQL over the real Taobao and REES46 samples.
/// </summary>
public class FunnelTests
{
    private const string Header = "user_id,session_id,timestamp,action\n";

    private static EventLog Log(string rows) => TestData.ReadCsv(Header + rows).Log;

    private static FunnelOptions Steps(params string[] actions) => new() { Steps = [.. actions.Select(a => new FunnelStep(a))] };

    [Fact]
    public void Sequential_CountsEachUsersFurthestStep_WithConversionAndDropoff()
    {
        // u1 reaches purchase; u2 stops at cart; u3 only views; u4 carts before viewing (does not count as cart).
        var log = Log(
            "u1,a,0,view\nu1,a,10,hover\nu1,a,20,cart\nu1,a,100,purchase\n" +
            "u2,b,0,view\nu2,b,50,cart\n" +
            "u3,c,0,view\n" +
            "u4,d,0,cart\nu4,d,5,view\n");
        var report = Funnel.Count(log, Steps("view", "cart", "purchase") with { AsOf = 1e9 });
        Assert.Equal([4L, 2L, 1L], report.Steps.Select(s => s.Count));
        Assert.Equal(0.5, report.Steps[1].ConversionFromFirst);
        Assert.Equal(0.5, report.Steps[2].ConversionFromPrevious);
        Assert.Equal(2, report.Steps[1].DroppedOff);
        Assert.Equal(50.0, report.Steps[1].DropoffPercent);
        Assert.Equal(35.0, report.Steps[1].MedianSecondsToConvert); // u1 20 s, u2 50 s
        Assert.Equal(100.0, report.Steps[2].MedianSecondsToConvert);
        Assert.Equal([23.0, 27.5, 35.0, 42.5, 47.0], report.Steps[1].SecondsToConvertPercentiles);
        Assert.Equal(4, report.Units);
    }

    [Fact]
    public void StrictOrder_NeedsEachStepToBeTheVeryNextEvent()
    {
        var log = Log("u1,a,0,view\nu1,a,10,hover\nu1,a,20,cart\nu2,b,0,view\nu2,b,5,cart\n");
        var report = Funnel.Count(log, Steps("view", "cart") with { Order = FunnelOrder.Strict });
        Assert.Equal([2L, 1L], report.Steps.Select(s => s.Count));
    }

    [Fact]
    public void AnyOrder_CountsStepsDoneInEitherOrder()
    {
        var log = Log("u1,a,0,cart\nu1,a,5,view\nu2,b,0,view\n");
        var report = Funnel.Count(log, Steps("view", "cart") with { Order = FunnelOrder.AnyOrder });
        Assert.Equal([2L, 1L], report.Steps.Select(s => s.Count));
        Assert.Equal(5.0, report.Steps[1].MedianSecondsToConvert);
    }

    [Fact]
    public void Window_StepWindowsAndExclusions_StopTheAttempt()
    {
        var log = Log(
            "u1,a,0,view\nu1,a,100,cart\n" + // cart 100 s after view
            "u2,b,0,view\nu2,b,10,remove\nu2,b,20,cart\n" + // an exclusion between view and cart
            "u3,c,0,view\nu3,c,30,cart\n");
        Assert.Equal([3L, 2L], Funnel.Count(log, Steps("view", "cart") with { WindowSeconds = 60 }).Steps.Select(s => s.Count));
        var perStep = new FunnelOptions { Steps = [new("view"), new("cart", MaxSecondsFromPrevious: 50)] };
        Assert.Equal([3L, 2L], Funnel.Count(log, perStep).Steps.Select(s => s.Count));
        var excluded = Steps("view", "cart") with { Exclusions = [new FunnelExclusion("remove", 0)] };
        Assert.Equal([3L, 2L], Funnel.Count(log, excluded).Steps.Select(s => s.Count));
    }

    [Fact]
    public void UnitsStillInsideTheirWindow_AreCountedApartFromDropoffs()
    {
        // Both entered; u2's window (100 s) is still open at the as-of time 150, u1's closed at 100.
        var log = Log("u1,a,0,view\nu2,b,50,view\nu3,c,0,view\nu3,c,10,cart\n");
        var step = Funnel.Count(log, Steps("view", "cart") with { WindowSeconds = 100, AsOf = 120 }).Steps[1];
        Assert.Equal((1L, 1L, 1L), (step.Count, step.InWindow, step.DroppedOff));
        Assert.Equal(50.0, step.DropoffPercent); // 1 dropped of the 2 whose outcome is known
    }

    [Fact]
    public void EntryRange_BoundsTheFirstStep_WhileLaterStepsMayCompleteAfterIt()
    {
        var log = Log("u1,a,0,view\nu1,a,500,cart\nu2,b,300,view\nu2,b,310,cart\n");
        var report = Funnel.Count(log, Steps("view", "cart") with { EntryFrom = 0, EntryBefore = 200 });
        Assert.Equal([1L, 1L], report.Steps.Select(s => s.Count)); // u1 enters at 0 and carts at 500; u2 enters too late
    }

    [Fact]
    public void BySession_CountsSessionsNotUsers()
    {
        var log = Log("u1,a,0,view\nu1,a,5,cart\nu1,b,5000,view\n");
        Assert.Equal([1L, 1L], Funnel.Count(log, Steps("view", "cart")).Steps.Select(s => s.Count));
        Assert.Equal([2L, 1L], Funnel.Count(log, Steps("view", "cart") with { CountBy = FunnelUnit.Session }).Steps.Select(s => s.Count));
    }

    [Fact]
    public void UnknownStage_IsAClearErrorListingTheActions()
    {
        var log = Log("u1,a,0,view\nu1,a,5,cart\n");
        var error = Assert.Throws<ArgumentException>(() => Funnel.Count(log, Steps("view", "checkout")));
        Assert.Contains("'checkout' is not an action of any event; the actions are view, cart", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Funnel.Count(log, new FunnelOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => Funnel.Count(log, Steps("view") with { WindowSeconds = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Funnel.Count(log, Steps("view", "cart") with { Exclusions = [new FunnelExclusion("cart", 1)] }));
    }

    [Theory]
    [InlineData(FunnelOrder.Sequential, FunnelUnit.User)]
    [InlineData(FunnelOrder.Sequential, FunnelUnit.Session)]
    [InlineData(FunnelOrder.Strict, FunnelUnit.User)]
    [InlineData(FunnelOrder.AnyOrder, FunnelUnit.User)]
    public void TwelveSteps_OnRandomLogs_MatchTheBruteForceReference(FunnelOrder order, FunnelUnit unit)
    {
        var random = new Random((int)order * 10 + (int)unit);
        string[] actions = ["a", "b", "c", "d", "a", "b", "c", "d", "x"];
        var text = new StringBuilder();
        for (var i = 0; i < 6000; i++)
            text.Append(CultureInfo.InvariantCulture, $"u{random.Next(20)},s{random.Next(60)},{random.Next(20_000)},{actions[random.Next(actions.Length)]}\n");
        var log = Log(text.ToString());
        string[] steps = ["a", "b", "c", "a", "d", "b", "c", "d", "a", "b", "c", "d"];
        var options = Steps(steps) with
        {
            Order = order,
            CountBy = unit,
            WindowSeconds = 4000,
            EntryFrom = 1000,
            EntryBefore = 15_000,
            Exclusions = order == FunnelOrder.AnyOrder ? [] : [new FunnelExclusion("x", 2)],
        };
        var report = Funnel.Count(log, options);
        var expected = BruteForce(log, options);
        Assert.Equal(expected, report.Steps.Select(s => s.Count).ToArray());
        // Enough units get far for the comparison to mean something: through all twelve steps where events are dense.
        var dense = unit == FunnelUnit.User && order != FunnelOrder.Strict;
        Assert.True(dense ? expected[^1] > 0 : expected[1] > 0, $"too few units get far: {string.Join(", ", expected)}");
    }

    [Theory]
    [InlineData(86_400.0)]
    [InlineData(3 * 86_400.0)]
    public void Taobao_SequentialCounts_EqualDuckDbSql(double window)
    {
        var path = TestData.Path("taobao_head3000.csv");
        var options = new EventReaderOptions { HasHeader = false, ColumnNames = ["user_id", "item_id", "category", "action", "timestamp"] };
        var log = new EventLog();
        EventReader.Load(path, log, options);
        var report = Funnel.Count(log, Steps("pv", "cart", "buy") with { WindowSeconds = window });
        var sql = SqlFunnel(
            $"SELECT column0 AS unit, column4::DOUBLE AS ts, column3 AS action, row_number() OVER () AS rn FROM read_csv('{path}', header = false, all_varchar = true)",
            ["pv", "cart", "buy"], window);
        Assert.Equal(sql, report.Steps.Select(s => s.Count).ToArray());
        Assert.True(sql[2] > 0);
    }

    [Theory]
    [InlineData(FunnelUnit.User)]
    [InlineData(FunnelUnit.Session)]
    public void Rees46_SequentialCounts_EqualDuckDbSql(FunnelUnit unit)
    {
        var path = TestData.Path("rees46_head6000.csv");
        var options = new EventReaderOptions
        {
            ColumnMap = EventReaderOptions.ParseColumnMap("timestamp=event_time,action=event_type,item_id=product_id,category=category_id,session_id=user_session"),
        };
        var log = new EventLog();
        EventReader.Load(path, log, options);
        var report = Funnel.Count(log, Steps("view", "cart", "purchase") with { CountBy = unit, WindowSeconds = 3600 });
        var unitColumn = unit == FunnelUnit.User ? "user_id" : "user_session";
        var sql = SqlFunnel(
            $"SELECT {unitColumn} AS unit, epoch(strptime(event_time, '%Y-%m-%d %H:%M:%S UTC')) AS ts, event_type AS action, row_number() OVER () AS rn " +
            $"FROM read_csv('{path}', header = true, all_varchar = true)",
            ["view", "cart", "purchase"], 3600);
        Assert.Equal(sql, report.Steps.Select(s => s.Count).ToArray());
        Assert.True(sql[2] > 0);
    }

    /// <summary>
    /// Hand-written SQL for a three-step sequential funnel: each step is the earliest later event (time, then file
    /// row) within the window from the entry; a unit counts at a step when some entry reaches it.
    /// </summary>
    private static long[] SqlFunnel(string events, string[] steps, double window)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        var w = window.ToString("R", CultureInfo.InvariantCulture);
        command.CommandText = $"""
            SET threads = 1;
            CREATE TABLE e AS {events};
            WITH a AS (SELECT unit, ts AS t0, rn AS r0 FROM e WHERE action = '{steps[0]}'),
            b AS (SELECT a.unit, a.t0, min(struct_pack(ts := e.ts, rn := e.rn)) AS m FROM a JOIN e ON e.unit = a.unit AND e.action = '{steps[1]}'
                  AND (e.ts > a.t0 OR (e.ts = a.t0 AND e.rn > a.r0)) AND e.ts <= a.t0 + {w} GROUP BY a.unit, a.t0, a.r0),
            c AS (SELECT b.unit FROM b JOIN e ON e.unit = b.unit AND e.action = '{steps[2]}'
                  AND (e.ts > b.m.ts OR (e.ts = b.m.ts AND e.rn > b.m.rn)) AND e.ts <= b.t0 + {w})
            SELECT (SELECT count(DISTINCT unit) FROM a), (SELECT count(DISTINCT unit) FROM b), (SELECT count(DISTINCT unit) FROM c);
            """;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return [reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)];
    }

    /// <summary>
    /// The definition, searched directly: every entry, every step by scanning forward (no next-occurrence tables),
    /// a unit counted at the furthest step any entry reaches.
    /// </summary>
    private static long[] BruteForce(EventLog log, FunnelOptions options)
    {
        var index = options.CountBy == FunnelUnit.User ? SessionIndex.BuildByUser(log) : SessionIndex.Build(log);
        var counts = new long[options.Steps.Count];
        for (var u = 0; u < index.SessionCount; u++)
        {
            var rows = index.Rows(u).ToArray();
            var times = rows.Select(r => log.Timestamps[r]).ToArray();
            var names = rows.Select(r => log.Actions[log.ActionCodes[r]]).ToArray();
            var best = 0;
            for (var p = 0; p < rows.Length; p++)
            {
                if (times[p] < options.EntryFrom || times[p] >= options.EntryBefore)
                    continue;
                best = Math.Max(best, options.Order == FunnelOrder.AnyOrder
                    ? AnyOrderReach(p, times, names, options)
                    : OrderedReach(p, times, names, options));
            }
            for (var k = 0; k < best; k++)
                counts[k]++;
        }
        return counts;
    }

    private static int OrderedReach(int p, double[] times, string[] names, FunnelOptions options)
    {
        if (names[p] != options.Steps[0].Action)
            return 0;
        var current = p;
        for (var k = 1; k < options.Steps.Count; k++)
        {
            var exclusion = options.Exclusions.FirstOrDefault(e => e.AfterStep == k - 1)?.Action;
            var next = -1;
            for (var q = current + 1; q < names.Length; q++)
            {
                if (names[q] == options.Steps[k].Action) { next = q; break; }
                if (options.Order == FunnelOrder.Strict || names[q] == exclusion) break;
            }
            if (next < 0 || times[next] > times[p] + options.WindowSeconds)
                return k;
            current = next;
        }
        return options.Steps.Count;
    }

    private static int AnyOrderReach(int p, double[] times, string[] names, FunnelOptions options)
    {
        if (!options.Steps.Any(s => s.Action == names[p]))
            return 0;
        for (var k = 0; k < options.Steps.Count; k++)
        {
            var found = false;
            for (var q = p; q < names.Length && times[q] <= times[p] + options.WindowSeconds && !found; q++)
                found = names[q] == options.Steps[k].Action;
            if (!found)
                return k;
        }
        return options.Steps.Count;
    }
}
