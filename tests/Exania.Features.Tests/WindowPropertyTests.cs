using Exania.Events;
using Exania.Features;
using FsCheck;
using FsCheck.Fluent;

namespace Exania.Features.Tests;

/// <summary>Invariants of the extractor over random sessions (FsCheck).</summary>
public class WindowPropertyTests
{
    private static readonly string[] ActionNames = [.. KnownActions.Names, "pv", "cart", "buy"];

    /// <summary>A random session: events with gaps of 0..40 s (ties included), any action, depth or none.</summary>
    public sealed record RandomSession(double[] Times, string[] Actions, double[] Depths)
    {
        public override string ToString() =>
            string.Join("; ", Times.Select((t, i) => $"{t:0.###} {Actions[i]} {Depths[i]:0.##}"));
    }

    private static readonly Arbitrary<RandomSession> Sessions =
        Gen.Choose(1, 80).SelectMany(n =>
            Gen.Choose(0, 40_000).ArrayOf(n).SelectMany(gaps =>
                Gen.Choose(0, ActionNames.Length - 1).ArrayOf(n).SelectMany(actions =>
                    Gen.Choose(-1, 100).ArrayOf(n).Select(depths =>
                    {
                        var times = new double[n];
                        var t = 1_700_000_000.0;
                        for (var i = 0; i < n; i++)
                        {
                            t += gaps[i] / 1000.0;
                            times[i] = Math.Round(t, 3);
                        }
                        return new RandomSession(times, actions.Select(a => ActionNames[a]).ToArray(),
                            depths.Select(d => d < 0 ? double.NaN : d / 100.0).ToArray());
                    })))).ToArbitrary();

    private static readonly WindowOptions Options = new() { WindowSeconds = 60, StepSeconds = 7, MinActions = 2, HorizonSeconds = 15 };

    private static EventLog ToLog(RandomSession s, IEnumerable<int> order)
    {
        var log = new EventLog();
        foreach (var i in order)
            log.Append(new InteractionEvent("u", "s", s.Times[i], s.Actions[i], s.Depths[i]));
        return log;
    }

    private static WindowTable Extract(EventLog log) => WindowExtractor.Extract(log, SessionIndex.Build(log), Options);

    [Fact]
    public void Windows_CountsNeverExceedTotal_AndEntropyIsBounded()
    {
        Prop.ForAll(Sessions, s =>
        {
            var table = Extract(ToLog(s, Enumerable.Range(0, s.Times.Length)));
            for (var r = 0; r < table.Rows; r++)
            {
                var f = table.Row(r);
                var total = f[WindowFeatures.TotalActions];
                var counted = f[WindowFeatures.ScrollDownCount] + f[WindowFeatures.ScrollUpCount] + f[WindowFeatures.ClickCount] +
                              f[WindowFeatures.HoverCount] + f[WindowFeatures.BlurCount] + f[WindowFeatures.FocusCount] + f[WindowFeatures.WaitCount];
                var end = table.WindowEnds[r];
                var inWindow = s.Times.Select((t, i) => (t, i)).Where(p => p.t > end - Options.WindowSeconds && p.t <= end).ToArray();
                var others = inWindow.Count(p => Array.IndexOf(ActionNames, s.Actions[p.i]) is KnownActions.CloseTab or KnownActions.ClickAd or >= KnownActions.Count);
                var unique = f[WindowFeatures.UniqueActionTypes];
                var entropy = f[WindowFeatures.ActionEntropy];
                if (counted + others != total || total != inWindow.Length || total < Options.MinActions) return false;
                if (entropy < 0 || entropy > Math.Log2(unique) + 1e-12) return false;
                if (f[WindowFeatures.TimeSinceLastAction] < 0 || f[WindowFeatures.ScrollDepthMax] is < 0 or > 1) return false;
                if (Math.Abs(f[WindowFeatures.BurstinessScore]) > 1 + 1e-12 || f[WindowFeatures.AttentionScore] is <= 0 or >= 1) return false;
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Windows_UseNoEventAfterTheirEnd()
    {
        // Changing every event after a window's end (actions, depths, extra events) leaves its features unchanged.
        Prop.ForAll(Sessions, s =>
        {
            var table = Extract(ToLog(s, Enumerable.Range(0, s.Times.Length)));
            for (var r = 0; r < table.Rows; r++)
            {
                var end = table.WindowEnds[r];
                var log = new EventLog();
                for (var i = 0; i < s.Times.Length; i++)
                {
                    var after = s.Times[i] > end;
                    log.Append(new InteractionEvent("u", "s", s.Times[i], after ? "click_ad" : s.Actions[i], after ? 1.0 : s.Depths[i]));
                }
                log.Append(new InteractionEvent("u", "s", end + 0.5, "focus_window"));
                var altered = Extract(log);
                var k = Enumerable.Range(0, altered.Rows).First(i => altered.WindowEnds[i] == end);
                if (!altered.Row(k).SequenceEqual(table.Row(r))) return false;
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Windows_LabelIsAClickAdWithinTheHorizon()
    {
        Prop.ForAll(Sessions, s =>
        {
            var table = Extract(ToLog(s, Enumerable.Range(0, s.Times.Length)));
            for (var r = 0; r < table.Rows; r++)
            {
                var end = table.WindowEnds[r];
                var expected = s.Times.Where((t, i) => t > end && t <= end + Options.HorizonSeconds && s.Actions[i] == "click_ad").Any();
                if ((table.Labels[r] == 1) != expected) return false;
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Windows_ShuffledInput_GivesTheSameWindows()
    {
        var shuffles = Sessions.Generator.SelectMany(s => Gen.Shuffle(Enumerable.Range(0, s.Times.Length).ToArray()).Select(p => (s, p)));
        Prop.ForAll(shuffles.ToArbitrary(), pair =>
        {
            var (s, permutation) = pair;
            // Equal timestamps keep file order, so shuffle only among distinct times to keep the session well defined.
            var distinct = s.Times.Distinct().Count() == s.Times.Length;
            if (!distinct) return true;
            var sorted = Extract(ToLog(s, Enumerable.Range(0, s.Times.Length)));
            var shuffled = Extract(ToLog(s, permutation));
            return sorted.Features.SequenceEqual(shuffled.Features) && sorted.Labels.SequenceEqual(shuffled.Labels)
                   && sorted.WindowEnds.SequenceEqual(shuffled.WindowEnds);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Windows_BatchEqualsIncremental()
    {
        Prop.ForAll(Sessions, s =>
        {
            var log = ToLog(s, Enumerable.Range(0, s.Times.Length));
            var index = SessionIndex.Build(log);
            var batch = WindowExtractor.Extract(log, index, Options);
            var incremental = IncrementalWindows.Run(log, index, Options);
            return batch.Rows == incremental.Count &&
                   Enumerable.Range(0, batch.Rows).All(r => batch.WindowEnds[r] == incremental[r].End && batch.Row(r).SequenceEqual(incremental[r].Features));
        }).QuickCheckThrowOnFailure();
    }
}
