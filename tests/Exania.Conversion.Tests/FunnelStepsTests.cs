using System.Globalization;
using System.Text;
using Exania.Conversion;
using Exania.Events;
using Exania.Testing;

namespace Exania.Conversion.Tests;

/// <summary>
/// Optional funnel steps and breakdowns (issue #11): hand-computed cases, a brute-force reference for optional steps
/// on random logs, and breakdown groups that add up to the whole funnel.
/// </summary>
public class FunnelStepsTests
{
    private static EventLog Log(string rows) => TestData.ReadCsv("user_id,session_id,timestamp,action,page\n" + rows).Log;

    private static FunnelOptions Funnel3(bool strict = false) => new()
    {
        Steps = [new("view"), new("coupon", Optional: true), new("purchase")],
        Order = strict ? FunnelOrder.Strict : FunnelOrder.Sequential,
        AsOf = 1e9,
    };

    [Fact]
    public void OptionalStep_IsCountedWhenBetween_AndNeverNeededByLaterSteps()
    {
        var log = Log(
            "A,a,0,view,/\nA,a,10,coupon,/\nA,a,20,purchase,/\n" + // all three
            "B,b,0,view,/\nB,b,20,purchase,/\n" + // skips the coupon, still purchases
            "C,c,0,view,/\nC,c,20,purchase,/\nC,c,30,coupon,/\n" + // coupon after purchase: not between
            "D,d,0,view,/\nD,d,10,coupon,/\n"); // coupon, then leaves
        var report = Exania.Conversion.Funnel.Count(log, Funnel3());
        Assert.Equal([4L, 2L, 3L], report.Steps.Select(s => s.Count));
        Assert.True(report.Steps[1].Optional);
        Assert.Equal((0L, double.NaN), (report.Steps[1].DroppedOff, report.Steps[1].DropoffPercent));
        // Purchase's previous step is the required view: 3 of 4, one dropped (D).
        Assert.Equal(0.75, report.Steps[2].ConversionFromPrevious);
        Assert.Equal((1L, 25.0), (report.Steps[2].DroppedOff, report.Steps[2].DropoffPercent));
        Assert.Equal(10.0, report.Steps[1].MedianSecondsToConvert);
    }

    [Fact]
    public void OptionalStep_InStrictOrder_MayTakeTheVeryNextEvent()
    {
        var log = Log(
            "A,a,0,view,/\nA,a,10,coupon,/\nA,a,20,purchase,/\n" +
            "B,b,0,view,/\nB,b,20,purchase,/\n" +
            "C,c,0,view,/\nC,c,5,hover,/\nC,c,20,purchase,/\n");
        Assert.Equal([3L, 1L, 2L], Exania.Conversion.Funnel.Count(log, Funnel3(strict: true)).Steps.Select(s => s.Count));
    }

    [Fact]
    public void OptionalSteps_BadUses_AreRefused()
    {
        var log = Log("A,a,0,view,/\nA,a,1,coupon,/\nA,a,2,purchase,/\n");
        Assert.Contains("cannot be optional", Assert.Throws<ArgumentException>(() =>
            Exania.Conversion.Funnel.Count(log, new FunnelOptions { Steps = [new("view", Optional: true), new("purchase")] })).Message);
        Assert.Contains("optional steps need an order", Assert.Throws<ArgumentException>(() =>
            Exania.Conversion.Funnel.Count(log, Funnel3() with { Order = FunnelOrder.AnyOrder })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Exania.Conversion.Funnel.Count(log, Funnel3() with { Exclusions = [new FunnelExclusion("hover", 1)] }));
    }

    [Theory]
    [InlineData(FunnelUnit.User)]
    [InlineData(FunnelUnit.Session)]
    public void OptionalSteps_OnRandomLogs_MatchTheBruteForceReference(FunnelUnit unit)
    {
        var random = new Random(17 + (int)unit);
        string[] actions = ["a", "b", "c", "d", "e", "x"];
        var text = new StringBuilder();
        for (var i = 0; i < 5000; i++)
            text.Append(CultureInfo.InvariantCulture, $"u{random.Next(25)},s{random.Next(80)},{random.Next(20_000)},{actions[random.Next(actions.Length)]},/\n");
        var log = Log(text.ToString());
        var options = new FunnelOptions
        {
            Steps = [new("a"), new("e", Optional: true), new("b"), new("c"), new("d", Optional: true), new("e", Optional: true), new("a"), new("c", Optional: true)],
            CountBy = unit,
            WindowSeconds = 3000,
            AsOf = 1e9,
            Exclusions = [new FunnelExclusion("x", 3)],
        };
        var expected = BruteForce(log, options);
        Assert.Equal(expected, Exania.Conversion.Funnel.Count(log, options).Steps.Select(s => s.Count).ToArray());
        Assert.True(expected[6] > 0 && expected[1] > 0 && expected[7] > 0, string.Join(", ", expected));
    }

    /// <summary>
    /// The definition, searched directly: required steps matched earliest in order by scanning (window, exclusion);
    /// an optional step done when an event of it lies strictly between the previous required match and the next one,
    /// or within the window after the last one reached. A unit counts with its furthest entry (the earliest of ties).
    /// </summary>
    private static long[] BruteForce(EventLog log, FunnelOptions options)
    {
        var index = options.CountBy == FunnelUnit.User ? SessionIndex.BuildByUser(log) : SessionIndex.Build(log);
        var steps = options.Steps;
        var counts = new long[steps.Count];
        for (var u = 0; u < index.SessionCount; u++)
        {
            var rows = index.Rows(u).ToArray();
            var times = rows.Select(r => log.Timestamps[r]).ToArray();
            var names = rows.Select(r => log.Actions[log.ActionCodes[r]]).ToArray();
            bool[]? best = null;
            var bestReached = 0;
            for (var p = 0; p < rows.Length; p++)
            {
                if (names[p] != steps[0].Action)
                    continue;
                var done = new bool[steps.Count];
                done[0] = true;
                var reached = 1;
                var current = p;
                var deadline = times[p] + options.WindowSeconds;
                var k = 1;
                while (k < steps.Count)
                {
                    var next = k;
                    while (next < steps.Count && steps[next].Optional) next++;
                    var exclusion = options.Exclusions.FirstOrDefault(e => e.AfterStep == k - 1)?.Action;
                    var q = -1;
                    if (next < steps.Count)
                    {
                        for (var i = current + 1; i < names.Length; i++)
                        {
                            if (names[i] == steps[next].Action) { q = i; break; }
                            if (names[i] == exclusion) break;
                        }
                        if (q >= 0 && times[q] > deadline) q = -1;
                    }
                    for (var o = k; o < next; o++)
                    {
                        for (var i = current + 1; i < (q >= 0 ? q : names.Length); i++)
                        {
                            if (names[i] == steps[o].Action && times[i] <= deadline) { done[o] = true; break; }
                        }
                    }
                    if (q < 0)
                        break;
                    done[next] = true;
                    reached++;
                    current = q;
                    k = next + 1;
                }
                if (reached > bestReached)
                {
                    bestReached = reached;
                    best = done;
                }
            }
            for (var k = 0; best is not null && k < steps.Count; k++)
                counts[k] += best[k] ? 1 : 0;
        }
        return counts;
    }

    [Fact]
    public void Breakdown_AttributesEachUnitToOneValue_ByTheChosenStep()
    {
        var log = Log(
            "A,a,0,view,/shoes/1\nA,a,10,cart,/cart\nA,a,20,purchase,/done\n" +
            "B,b,0,view,/shoes/2\nB,b,10,cart,/cart\n" +
            "C,c,0,view,/hats/3\n");
        var funnel = new FunnelOptions { Steps = [new("view"), new("cart"), new("purchase")], AsOf = 1e9 };
        var first = Exania.Conversion.Funnel.Count(log, funnel with
        {
            Breakdown = new FunnelBreakdown { Property = EventField.Page, CleanPatterns = ["/[0-9]+$"] },
        }).Breakdown!;
        Assert.Equal((EventField.Page, FunnelAttribution.FirstStep, 2), (first.Property, first.Attribution, first.Groups));
        Assert.Equal(["/shoes*", "/hats*"], first.Shown.Select(g => g.Value));
        Assert.Equal([2L, 2L, 1L], first.Shown[0].Steps.Select(s => s.Count));
        Assert.Equal([1L, 0L, 0L], first.Shown[1].Steps.Select(s => s.Count));

        var last = Exania.Conversion.Funnel.Count(log, funnel with
        {
            Breakdown = new FunnelBreakdown { Property = EventField.Page, Attribution = FunnelAttribution.LastStep },
        }).Breakdown!;
        Assert.Equal(["/cart", "/done", "/hats/3"], last.Shown.Select(g => g.Value).Order(StringComparer.Ordinal));

        var atCart = Exania.Conversion.Funnel.Count(log, funnel with
        {
            Breakdown = new FunnelBreakdown { Property = EventField.Page, Attribution = FunnelAttribution.Step, AttributionStep = 1, Top = 1 },
        }).Breakdown!;
        Assert.Equal(["/cart", "(other)"], atCart.Shown.Select(g => g.Value)); // (not reached) is folded into (other) by Top = 1
        Assert.Equal(2L, atCart.Shown[0].Units);
        Assert.Equal(1L, atCart.Shown[1].Units);
    }

    [Fact]
    public void Breakdown_ByUserGroups_PutsEachUnitInItsUsersGroup()
    {
        var log = Log(
            "A,a,0,view,/\nA,a,10,cart,/\nA,a,20,purchase,/\n" +
            "B,b,0,view,/\nB,b,10,cart,/\n" +
            "C,c,0,view,/\n");
        var report = Exania.Conversion.Funnel.Count(log, new FunnelOptions
        {
            Steps = [new("view"), new("cart"), new("purchase")],
            AsOf = 1e9,
            Breakdown = new FunnelBreakdown { UserGroups = new Dictionary<string, string> { ["A"] = "buyers", ["B"] = "buyers" } },
        }).Breakdown!;
        Assert.Null(report.Property);
        Assert.Equal(["buyers", EventValues.None], report.Shown.Select(g => g.Value));
        Assert.Equal([2L, 2L, 1L], report.Shown[0].Steps.Select(s => s.Count));
        Assert.Equal([1L, 0L, 0L], report.Shown[1].Steps.Select(s => s.Count));
    }

    [Fact]
    public void Breakdown_GroupsAddUpToTheWholeFunnel_OnTheTaobaoSample()
    {
        var log = new EventLog();
        EventReader.Load(TestData.Path("taobao_head3000.csv"), log,
            new EventReaderOptions { HasHeader = false, ColumnNames = ["user_id", "item_id", "category", "action", "timestamp"] });
        foreach (var attribution in Enum.GetValues<FunnelAttribution>())
        {
            var report = Exania.Conversion.Funnel.Count(log, new FunnelOptions
            {
                Steps = [new("pv"), new("fav", Optional: true), new("cart"), new("buy")],
                WindowSeconds = 86_400,
                Breakdown = new FunnelBreakdown { Property = EventField.Category, Attribution = attribution, AttributionStep = 2, Top = 5 },
            });
            var groups = report.Breakdown!.Shown;
            Assert.Equal(6, groups.Count); // five and (other)
            for (var k = 0; k < report.Steps.Count; k++)
            {
                Assert.Equal(report.Steps[k].Count, groups.Sum(g => g.Steps[k].Count));
                Assert.Equal(report.Steps[k].InWindow, groups.Sum(g => g.Steps[k].InWindow));
            }
            Assert.True(groups[0].Units >= groups[1].Units);
        }
    }
}
