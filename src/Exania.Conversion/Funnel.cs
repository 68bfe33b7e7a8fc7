using System.Numerics.Tensors;
using Exania.Core;
using Exania.Events;

namespace Exania.Conversion;

/// <summary>One step's figures in a <see cref="FunnelReport"/>.</summary>
public sealed record FunnelStepReport
{
    public required string Action { get; init; }

    /// <summary>Units that reached this step.</summary>
    public required long Count { get; init; }

    /// <summary>Count ÷ the first step's count.</summary>
    public required double ConversionFromFirst { get; init; }

    /// <summary>Count ÷ the previous step's count (1 for the first step).</summary>
    public required double ConversionFromPrevious { get; init; }

    /// <summary>Units that reached the previous step but not this one and whose window is still open at the funnel's as-of time.</summary>
    public required long InWindow { get; init; }

    /// <summary>Units that reached the previous step, not this one, and whose window has closed.</summary>
    public required long DroppedOff { get; init; }

    /// <summary>Dropped off ÷ (previous step's count − in window) × 100; NaN for the first step.</summary>
    public required double DropoffPercent { get; init; }

    /// <summary>Median seconds from the entry event to this step, over the units that reached it; NaN when none.</summary>
    public required double MedianSecondsToConvert { get; init; }

    /// <summary>The 10th, 25th, 50th, 75th and 90th percentiles of the seconds to this step (linear interpolation).</summary>
    public required IReadOnlyList<double> SecondsToConvertPercentiles { get; init; }
}

/// <summary>What a funnel counted.</summary>
public sealed record FunnelReport
{
    public required FunnelUnit CountBy { get; init; }

    public required FunnelOrder Order { get; init; }

    public required double WindowSeconds { get; init; }

    /// <summary>The as-of time used (the log's last event unless given).</summary>
    public required double AsOf { get; init; }

    /// <summary>Units (users or sessions) in the log.</summary>
    public required long Units { get; init; }

    public required IReadOnlyList<FunnelStepReport> Steps { get; init; }
}

/// <summary>
/// The funnel engine: one pass over events grouped by unit (user or session) in time order, counting how far each
/// unit gets through ordered steps. The CLI and the service call it; no second implementation exists in SQL.
/// </summary>
/// <remarks>
/// <para><b>Attempts.</b> Every event of the first step inside the entry range starts an attempt, and a unit counts
/// with its furthest attempt (the earliest of equally far ones, for the times to convert). So a unit reaches step k
/// when some attempt does; entry is bounded by the date range, later steps may complete after it.</para>
/// <para><b>Sequential.</b> From the previous step's event, the next step is its earliest later event within the
/// window (entry time + <see cref="FunnelOptions.WindowSeconds"/>) and within the step's own limit. The earliest is
/// the best choice: any later match leaves less room for the rest. An exclusion event between the two steps stops
/// the attempt at the earlier one. <b>Strict</b>: the next step must be the very next event. <b>Any order</b>: an
/// attempt starts at any event of a step inside the entry range and reaches step k when steps 1..k all occur from
/// that event to the end of its window.</para>
/// <para>Ties in time keep file order, as everywhere (<see cref="SessionIndex"/>). Each attempt costs O(steps) with
/// per-step "next occurrence" tables built per unit in O(steps × events), so the whole count is linear in events and
/// in steps.</para>
/// </remarks>
public static class Funnel
{
    private static readonly double[] s_percentiles = [0.10, 0.25, 0.50, 0.75, 0.90];

    /// <summary>Counts the funnel over <paramref name="log"/>, whose rows must all have a session when counting by session.</summary>
    /// <exception cref="ArgumentException">A step names an action no event has (the message lists the actions there are).</exception>
    public static FunnelReport Count(EventLog log, FunnelOptions options)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (log.Count == 0)
            ExaniaThrow.Argument("The log holds no events, so the funnel has no one to count.", nameof(log));
        var stepCount = options.Steps.Count;
        var stepCodes = new int[stepCount];
        for (var k = 0; k < stepCount; k++)
            stepCodes[k] = LogActions.Require(log, options.Steps[k].Action, "funnel step", nameof(FunnelOptions.Steps));
        var exclusionCodes = new int[Math.Max(stepCount - 1, 0)];
        Array.Fill(exclusionCodes, -1);
        foreach (var exclusion in options.Exclusions)
        {
            if (exclusionCodes[exclusion.AfterStep] >= 0)
                ExaniaThrow.Argument($"FunnelOptions.Exclusions names two exclusions after step {exclusion.AfterStep}; give one per pair of steps.", nameof(FunnelOptions.Exclusions));
            exclusionCodes[exclusion.AfterStep] = LogActions.Require(log, exclusion.Action, "funnel exclusion", nameof(FunnelOptions.Exclusions));
        }
        var index = options.CountBy == FunnelUnit.User ? SessionIndex.BuildByUser(log) : SessionIndex.Build(log);
        var times = log.Timestamps;
        var asOf = options.AsOf ?? TensorPrimitives.Max(times);
        var entryFrom = options.EntryFrom ?? double.NegativeInfinity;
        var entryBefore = options.EntryBefore ?? double.PositiveInfinity;

        var reached = new long[stepCount];
        var inWindow = new long[stepCount];
        var secondsTo = new List<double>[stepCount];
        for (var k = 0; k < stepCount; k++)
            secondsTo[k] = [];
        var longest = 0;
        for (var u = 0; u < index.SessionCount; u++)
            longest = Math.Max(longest, index.Starts[u + 1] - index.Starts[u]);
        var scratch = new UnitScratch(stepCount, longest);
        var best = new double[stepCount];
        var attempt = new double[stepCount];

        for (var u = 0; u < index.SessionCount; u++)
        {
            var rows = index.Rows(u);
            scratch.Load(log, rows, stepCodes, exclusionCodes);
            var bestReached = 0;
            var bestEntry = double.NaN;
            for (var p = 0; p < rows.Length && bestReached < stepCount; p++)
            {
                var t = times[rows[p]];
                if (t < entryFrom || t >= entryBefore)
                    continue;
                var got = options.Order == FunnelOrder.AnyOrder
                    ? scratch.AttemptAnyOrder(p, options.WindowSeconds, attempt)
                    : scratch.AttemptOrdered(p, options, attempt);
                if (got > bestReached)
                {
                    bestReached = got;
                    bestEntry = t;
                    Array.Copy(attempt, best, got);
                }
            }
            if (bestReached == 0)
                continue;
            for (var k = 0; k < bestReached; k++)
            {
                reached[k]++;
                secondsTo[k].Add(best[k]);
            }
            if (bestReached < stepCount && bestEntry + options.WindowSeconds > asOf)
                inWindow[bestReached]++;
        }

        var steps = new FunnelStepReport[stepCount];
        for (var k = 0; k < stepCount; k++)
        {
            var previous = k == 0 ? reached[0] : reached[k - 1];
            var dropped = k == 0 ? 0 : previous - reached[k] - inWindow[k];
            var sorted = secondsTo[k].ToArray();
            Array.Sort(sorted);
            steps[k] = new FunnelStepReport
            {
                Action = options.Steps[k].Action,
                Count = reached[k],
                ConversionFromFirst = reached[0] == 0 ? double.NaN : (double)reached[k] / reached[0],
                ConversionFromPrevious = previous == 0 ? double.NaN : (double)reached[k] / previous,
                InWindow = inWindow[k],
                DroppedOff = dropped,
                DropoffPercent = k == 0 || previous - inWindow[k] == 0 ? double.NaN : 100.0 * dropped / (previous - inWindow[k]),
                MedianSecondsToConvert = Percentile(sorted, 0.5),
                SecondsToConvertPercentiles = [.. s_percentiles.Select(q => Percentile(sorted, q))],
            };
        }
        return new FunnelReport
        {
            CountBy = options.CountBy,
            Order = options.Order,
            WindowSeconds = options.WindowSeconds,
            AsOf = asOf,
            Units = index.SessionCount,
            Steps = steps,
        };
    }


    /// <summary>Linear interpolation between closest ranks (NumPy's default); NaN for no values.</summary>
    internal static double Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
            return double.NaN;
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }

    /// <summary>
    /// One unit's events as positions 0..n-1 in time order, with for each step (and exclusion) the next position at
    /// or after each position where it occurs (n when none): every attempt then costs a lookup per step.
    /// </summary>
    private sealed class UnitScratch(int steps, int longest)
    {
        private readonly int[][] _nextStep = [.. Enumerable.Range(0, steps).Select(_ => new int[longest + 1])];
        private readonly int[][] _nextExclusion = [.. Enumerable.Range(0, Math.Max(steps - 1, 0)).Select(_ => new int[longest + 1])];
        private readonly double[] _times = new double[longest];
        private readonly int[] _codes = new int[longest];
        private readonly bool[] _hasExclusion = new bool[Math.Max(steps - 1, 0)];
        private int _n;

        public void Load(EventLog log, ReadOnlySpan<int> rows, int[] stepCodes, int[] exclusionCodes)
        {
            _n = rows.Length;
            for (var i = 0; i < _n; i++)
            {
                _times[i] = log.Timestamps[rows[i]];
                _codes[i] = log.ActionCodes[rows[i]];
            }
            for (var k = 0; k < stepCodes.Length; k++)
                FillNext(_nextStep[k], stepCodes[k]);
            for (var k = 0; k < exclusionCodes.Length; k++)
            {
                _hasExclusion[k] = exclusionCodes[k] >= 0;
                if (_hasExclusion[k])
                    FillNext(_nextExclusion[k], exclusionCodes[k]);
            }
        }

        private void FillNext(int[] next, int code)
        {
            next[_n] = _n;
            for (var i = _n - 1; i >= 0; i--)
                next[i] = _codes[i] == code ? i : next[i + 1];
        }

        /// <summary>Sequential or strict attempt from position <paramref name="p"/>; returns the steps reached, seconds to each in <paramref name="seconds"/>.</summary>
        public int AttemptOrdered(int p, FunnelOptions options, double[] seconds)
        {
            if (_nextStep[0][p] != p)
                return 0;
            var entry = _times[p];
            var deadline = entry + options.WindowSeconds;
            var strict = options.Order == FunnelOrder.Strict;
            seconds[0] = 0;
            var current = p;
            for (var k = 1; k < _nextStep.Length; k++)
            {
                var q = strict ? (current + 1 < _n && _nextStep[k][current + 1] == current + 1 ? current + 1 : _n) : _nextStep[k][current + 1];
                if (q >= _n || _times[q] > deadline)
                    return k;
                if (options.Steps[k].MaxSecondsFromPrevious is { } limit && _times[q] - _times[current] > limit)
                    return k;
                if (_hasExclusion[k - 1] && _nextExclusion[k - 1][current + 1] < q)
                    return k;
                seconds[k] = _times[q] - entry;
                current = q;
            }
            return _nextStep.Length;
        }

        /// <summary>Any-order attempt from position <paramref name="p"/>, which must be an event of some step.</summary>
        public int AttemptAnyOrder(int p, double window, double[] seconds)
        {
            var isStep = false;
            for (var k = 0; k < _nextStep.Length && !isStep; k++)
                isStep = _nextStep[k][p] == p;
            if (!isStep)
                return 0;
            var entry = _times[p];
            var latest = entry;
            for (var k = 0; k < _nextStep.Length; k++)
            {
                var q = _nextStep[k][p];
                if (q >= _n || _times[q] > entry + window)
                    return k;
                latest = Math.Max(latest, _times[q]);
                seconds[k] = latest - entry;
            }
            return _nextStep.Length;
        }
    }
}
