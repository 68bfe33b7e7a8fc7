using Exania.Events;
using Exania.Features;
using FsCheck;
using FsCheck.Fluent;

namespace Exania.Features.Tests;

/// <summary>
/// Issue #15, class 1: empty stretches of time cost nothing. The extractors jump over windows that cannot hold
/// MinActions events instead of stepping through every window end, and still emit exactly the windows stepping emits.
/// </summary>
public class RunawayTimeTests
{
    private static readonly WindowOptions Options = new() { WindowSeconds = 60, StepSeconds = 7, MinActions = 3, HorizonSeconds = 15 };

    private static EventLog Log(params double[] times)
    {
        var log = new EventLog();
        foreach (var t in times)
            log.Append(new InteractionEvent("u", "s", t, "click", double.NaN));
        return log;
    }

    /// <summary>The definition, stepped end by end (the old extractor): the reference the jumps must agree with.</summary>
    private static List<(double End, double[] Features)> Stepping(double[] times, WindowOptions options)
    {
        var result = new List<(double, double[])>();
        var actions = Enumerable.Repeat(KnownActions.Names.ToList().IndexOf("click"), times.Length).ToArray();
        var depths = Enumerable.Repeat(double.NaN, times.Length).ToArray();
        var counts = new int[KnownActions.Count];
        for (long j = 1; times[0] + j * options.StepSeconds <= times[^1]; j++)
        {
            var end = times[0] + j * options.StepSeconds;
            var lo = Array.FindIndex(times, t => t > end - options.WindowSeconds);
            var hi = Array.FindLastIndex(times, t => t <= end) + 1;
            if (lo < 0 || hi - lo < options.MinActions) continue;
            var features = new double[WindowFeatures.Count];
            WindowFeatures.Compute(times.AsSpan(lo, hi - lo), actions.AsSpan(lo, hi - lo), depths.AsSpan(lo, hi - lo), end, times[0],
                options.WindowSeconds, counts, features);
            result.Add((end, features));
        }
        return result;
    }

    [Fact(Timeout = 30_000)]
    public async Task FarOffTimestamp_1e300_FinishesAndEmitsOnlyTheRealWindows()
    {
        await Task.Run(() =>
        {
            var times = new[] { 0, 1, 2, 3, 1e300 };
            var log = Log(times);
            var batch = WindowExtractor.Extract(log, SessionIndex.Build(log), Options with { MinActions = 1 });
            var incremental = IncrementalWindows.Run(log, SessionIndex.Build(log), Options with { MinActions = 1 });
            // Ends 7, 14, ..., 56 see the first events (8 windows); a window ending on the far-off event is there only
            // if some end k × 7 rounds to at most 1e300 within 60 s of it.
            Assert.Equal(batch.Rows, incremental.Count);
            Assert.InRange(batch.Rows, 8, 9);
            Assert.Equal(7, batch.WindowEnds[0]);
        }, TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = 30_000)]
    public async Task YearNineThousandNineHundredNinetyNine_AfterARealSession_CostsNothing()
    {
        await Task.Run(() =>
        {
            var real = Enumerable.Range(0, 40).Select(i => 1_700_000_000.0 + i * 3).ToList();
            real.Add(253_402_300_799); // 9999-12-31T23:59:59Z
            var log = Log([.. real]);
            var batch = WindowExtractor.Extract(log, SessionIndex.Build(log), Options);
            // Stepping to year 9999 would take 3.6e10 steps; any event more than a window after the session gives the
            // same windows, and the far-off one opens none of its own (it is alone in every window near it).
            var reference = Stepping([.. real.Take(40), real[39] + 1000], Options);
            Assert.Equal(reference.Count, batch.Rows);
            for (var r = 0; r < batch.Rows; r++)
            {
                Assert.Equal(reference[r].End, batch.WindowEnds[r]);
                Assert.Equal(reference[r].Features, batch.Row(r).ToArray());
            }
        }, TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Jumps_EmitExactlyTheWindowsSteppingEmits_BatchAndIncremental()
    {
        // Sessions with long silent stretches (up to 2 hours) between bursts.
        var sessions = Gen.Choose(1, 40).SelectMany(n =>
            Gen.Choose(0, 100).ArrayOf(n).SelectMany(kinds =>
                Gen.Choose(0, 40_000).ArrayOf(n).Select(gaps =>
                {
                    var times = new double[n];
                    var t = 1_700_000_000.0;
                    for (var i = 0; i < n; i++)
                    {
                        t += kinds[i] < 10 ? gaps[i] * 0.18 : gaps[i] / 1000.0; // a tenth of the gaps are long
                        times[i] = Math.Round(t, 3);
                    }
                    return times;
                }))).ToArbitrary();
        Prop.ForAll(sessions, times =>
        {
            var log = Log(times);
            var index = SessionIndex.Build(log);
            var reference = Stepping(times, Options);
            var batch = WindowExtractor.Extract(log, index, Options);
            var incremental = IncrementalWindows.Run(log, index, Options);
            return batch.Rows == reference.Count && incremental.Count == reference.Count &&
                   Enumerable.Range(0, reference.Count).All(r =>
                       batch.WindowEnds[r] == reference[r].End && incremental[r].End == reference[r].End &&
                       batch.Row(r).SequenceEqual(reference[r].Features) && incremental[r].Features.SequenceEqual(reference[r].Features));
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(120, 1e-300)]
    [InlineData(120, 0.011)]
    public void Step_TooSmallForTheWindow_IsRejectedNamingTheBound(double window, double step)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new WindowOptions { WindowSeconds = window, StepSeconds = step }.Validate());
        Assert.Equal("StepSeconds", ex.ParamName);
        Assert.Contains("at least window / 10000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Window_LongerThanAYear_IsRejected() =>
        Assert.Equal("WindowSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => new WindowOptions { WindowSeconds = 1e300 }.Validate()).ParamName);
}
