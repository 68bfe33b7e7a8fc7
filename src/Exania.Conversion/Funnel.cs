using System.Numerics.Tensors;
using Exania.Core;
using Exania.Events;

namespace Exania.Conversion;

/// <summary>One step's figures in a <see cref="FunnelReport"/>.</summary>
public sealed record FunnelStepReport
{
    public required string Action { get; init; }

    /// <summary>An optional step: units may skip it; it has no drop-off and no units in the window.</summary>
    public bool Optional { get; init; }

    /// <summary>Units that reached this step.</summary>
    public required long Count { get; init; }

    /// <summary>Count ÷ the first step's count.</summary>
    public required double ConversionFromFirst { get; init; }

    /// <summary>Count ÷ the previous required step's count (1 for the first step).</summary>
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

    /// <summary>The counts per value of <see cref="FunnelOptions.Breakdown"/>'s property; null without one.</summary>
    public FunnelBreakdownReport? Breakdown { get; init; }
}

/// <summary>One value of a breakdown and its funnel; <paramref name="Units"/> entered through it.</summary>
public sealed record FunnelGroupReport(string Value, long Units, IReadOnlyList<FunnelStepReport> Steps);

/// <summary>A funnel split by a property: its groups sum to the whole funnel, step by step.</summary>
/// <param name="Property">The event field the groups are values of; null for groups of users (<see cref="FunnelBreakdown.UserGroups"/>).</param>
/// <param name="Attribution">Which step's event gave each unit its value.</param>
/// <param name="AttributionStep">The step for <see cref="FunnelAttribution.Step"/>.</param>
/// <param name="Groups">Distinct values seen (before <see cref="FunnelBreakdown.Top"/> cut the list).</param>
/// <param name="Shown">The largest groups, then "(other)" adding up the rest.</param>
public sealed record FunnelBreakdownReport(EventField? Property, FunnelAttribution Attribution, int AttributionStep, int Groups, IReadOnlyList<FunnelGroupReport> Shown);

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

        var breakdown = options.Breakdown;
        var (valueOf, valueNames) = breakdown switch
        {
            null => ([], []),
            { UserGroups: { } users } => EventValues.OfUsers(log, users),
            _ => EventValues.Of(log, breakdown.Property, breakdown.CleanPatterns),
        };
        var required = Enumerable.Range(0, stepCount).Where(k => !options.Steps[k].Optional).ToArray();
        var total = new FunnelTally(stepCount);
        var groups = new Dictionary<int, FunnelTally>();
        var longest = 0;
        for (var u = 0; u < index.SessionCount; u++)
            longest = Math.Max(longest, index.Starts[u + 1] - index.Starts[u]);
        var scratch = new UnitScratch(options, longest);
        var best = new FunnelAttempt(stepCount);
        var attempt = new FunnelAttempt(stepCount);

        for (var u = 0; u < index.SessionCount; u++)
        {
            var rows = index.Rows(u);
            scratch.Load(log, rows, stepCodes, exclusionCodes);
            var bestReached = 0;
            var bestEntry = double.NaN;
            for (var p = 0; p < rows.Length && bestReached < required.Length; p++)
            {
                var t = times[rows[p]];
                if (t < entryFrom || t >= entryBefore)
                    continue;
                var got = options.Order == FunnelOrder.AnyOrder ? scratch.AttemptAnyOrder(p, attempt) : scratch.AttemptOrdered(p, attempt);
                if (got > bestReached)
                {
                    bestReached = got;
                    bestEntry = t;
                    best.CopyFrom(attempt);
                }
            }
            if (bestReached == 0)
                continue;
            var stillOpen = bestReached < required.Length && bestEntry + options.WindowSeconds > asOf;
            var nextRequired = bestReached < required.Length ? required[bestReached] : -1;
            total.Add(best, stillOpen ? nextRequired : -1);
            if (breakdown is null)
                continue;
            var position = AttributedPosition(best, breakdown, required[bestReached - 1]);
            var group = position < 0 ? -1 : valueOf[rows[position]];
            if (!groups.TryGetValue(group, out var tally))
                groups[group] = tally = new FunnelTally(stepCount);
            tally.Add(best, stillOpen ? nextRequired : -1);
        }

        FunnelBreakdownReport? breakdownReport = null;
        if (breakdown is not null)
        {
            var ranked = groups.OrderByDescending(g => g.Value.Reached[0]).ThenBy(g => g.Key < 0 ? "" : valueNames[g.Key], StringComparer.Ordinal).ToList();
            var shown = ranked.Take(breakdown.Top).Select(g => new FunnelGroupReport(g.Key < 0 ? NotReached : valueNames[g.Key], g.Value.Reached[0], g.Value.Report(options, required))).ToList();
            if (ranked.Count > breakdown.Top)
            {
                var rest = new FunnelTally(stepCount);
                foreach (var (_, tally) in ranked.Skip(breakdown.Top))
                    rest.Merge(tally);
                shown.Add(new FunnelGroupReport(Other, rest.Reached[0], rest.Report(options, required)));
            }
            breakdownReport = new FunnelBreakdownReport(breakdown.UserGroups is null ? breakdown.Property : null, breakdown.Attribution, breakdown.AttributionStep, ranked.Count, shown);
        }
        return new FunnelReport
        {
            CountBy = options.CountBy,
            Order = options.Order,
            WindowSeconds = options.WindowSeconds,
            AsOf = asOf,
            Units = index.SessionCount,
            Steps = total.Report(options, required),
            Breakdown = breakdownReport,
        };
    }

    /// <summary>The group of units that did not reach the attribution step.</summary>
    public const string NotReached = "(not reached)";

    /// <summary>The groups beyond <see cref="FunnelBreakdown.Top"/>, added up.</summary>
    public const string Other = "(other)";

    /// <summary>The event whose property names the unit's group: of the first step, of the furthest step reached, or of a chosen step (−1 when not reached).</summary>
    private static int AttributedPosition(FunnelAttempt attempt, FunnelBreakdown breakdown, int lastRequired)
    {
        switch (breakdown.Attribution)
        {
            case FunnelAttribution.FirstStep:
                return attempt.Position[0];
            case FunnelAttribution.Step:
                return attempt.Position[breakdown.AttributionStep];
            default:
                // The furthest step done: the last required step reached, or an optional step done after it.
                var last = lastRequired;
                for (var k = lastRequired + 1; k < attempt.Position.Length; k++)
                {
                    if (attempt.Position[k] >= 0)
                        last = k;
                }
                return attempt.Position[last];
        }
    }

    /// <summary>One attempt's matched event per step (−1 when not done) and seconds from entry to it.</summary>
    private sealed class FunnelAttempt(int steps)
    {
        public readonly int[] Position = new int[steps];
        public readonly double[] Seconds = new double[steps];

        public void Clear() => Array.Fill(Position, -1);

        public void CopyFrom(FunnelAttempt other)
        {
            other.Position.CopyTo(Position, 0);
            other.Seconds.CopyTo(Seconds, 0);
        }
    }

    /// <summary>Counts per step for one population (every unit, or one breakdown group).</summary>
    private sealed class FunnelTally(int steps)
    {
        public readonly long[] Reached = new long[steps];
        private readonly long[] _inWindow = new long[steps];
        private readonly List<double>[] _secondsTo = [.. Enumerable.Range(0, steps).Select(_ => new List<double>())];

        /// <summary>Adds a unit's best attempt; <paramref name="inWindowAt"/> is the required step it is still in the window for, or −1.</summary>
        public void Add(FunnelAttempt attempt, int inWindowAt)
        {
            for (var k = 0; k < Reached.Length; k++)
            {
                if (attempt.Position[k] < 0)
                    continue;
                Reached[k]++;
                _secondsTo[k].Add(attempt.Seconds[k]);
            }
            if (inWindowAt >= 0)
                _inWindow[inWindowAt]++;
        }

        public void Merge(FunnelTally other)
        {
            for (var k = 0; k < Reached.Length; k++)
            {
                Reached[k] += other.Reached[k];
                _inWindow[k] += other._inWindow[k];
                _secondsTo[k].AddRange(other._secondsTo[k]);
            }
        }

        /// <summary>
        /// The step figures. "Previous" is the previous required step, for a required step and an optional one alike;
        /// drop-off and the window apply to required steps only (an optional step is never a drop-off).
        /// </summary>
        public FunnelStepReport[] Report(FunnelOptions options, int[] required)
        {
            var steps = new FunnelStepReport[Reached.Length];
            var previousRequired = 0;
            for (var k = 0; k < Reached.Length; k++)
            {
                var optional = options.Steps[k].Optional;
                var previous = Reached[previousRequired];
                var dropped = k == 0 || optional ? 0 : previous - Reached[k] - _inWindow[k];
                var sorted = _secondsTo[k].ToArray();
                Array.Sort(sorted);
                steps[k] = new FunnelStepReport
                {
                    Action = options.Steps[k].Action,
                    Optional = optional,
                    Count = Reached[k],
                    ConversionFromFirst = Reached[0] == 0 ? double.NaN : (double)Reached[k] / Reached[0],
                    ConversionFromPrevious = previous == 0 ? double.NaN : (double)Reached[k] / previous,
                    InWindow = _inWindow[k],
                    DroppedOff = dropped,
                    DropoffPercent = k == 0 || optional || previous - _inWindow[k] == 0 ? double.NaN : 100.0 * dropped / (previous - _inWindow[k]),
                    MedianSecondsToConvert = Percentile(sorted, 0.5),
                    SecondsToConvertPercentiles = [.. s_percentiles.Select(q => Percentile(sorted, q))],
                };
                if (!optional)
                    previousRequired = k;
            }
            return steps;
        }
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
    private sealed class UnitScratch(FunnelOptions options, int longest)
    {
        private readonly int[][] _nextStep = [.. Enumerable.Range(0, options.Steps.Count).Select(_ => new int[longest + 1])];
        private readonly int[][] _nextExclusion = [.. Enumerable.Range(0, Math.Max(options.Steps.Count - 1, 0)).Select(_ => new int[longest + 1])];
        private readonly double[] _times = new double[longest];
        private readonly int[] _codes = new int[longest];
        private readonly bool[] _hasExclusion = new bool[Math.Max(options.Steps.Count - 1, 0)];
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

        /// <summary>
        /// Sequential or strict attempt from position <paramref name="p"/>; returns the required steps reached, with
        /// the matched events in <paramref name="attempt"/>. An optional step counts as done when its event comes
        /// between the previous required step's and the next one's (or, after the last one reached, within the window).
        /// </summary>
        public int AttemptOrdered(int p, FunnelAttempt attempt)
        {
            attempt.Clear();
            if (_nextStep[0][p] != p)
                return 0;
            var steps = options.Steps;
            var entry = _times[p];
            var deadline = entry + options.WindowSeconds;
            var strict = options.Order == FunnelOrder.Strict;
            attempt.Position[0] = p;
            attempt.Seconds[0] = 0;
            var current = p;
            var reached = 1;
            var k = 1;
            while (k < steps.Count)
            {
                var next = k;
                while (next < steps.Count && steps[next].Optional)
                    next++;
                // Strict: optional steps may take the very next events, in order; the required step comes right after them.
                var cursor = current;
                if (strict)
                {
                    for (var o = k; o < next; o++)
                    {
                        if (cursor + 1 < _n && _nextStep[o][cursor + 1] == cursor + 1 && _times[cursor + 1] <= deadline)
                            Mark(attempt, o, ++cursor, entry);
                    }
                }
                int q;
                if (next == steps.Count)
                    q = _n;
                else if (strict)
                    q = cursor + 1 < _n && _nextStep[next][cursor + 1] == cursor + 1 ? cursor + 1 : _n;
                else
                    q = _nextStep[next][current + 1];
                var ok = q < _n && _times[q] <= deadline
                    && !(steps[next].MaxSecondsFromPrevious is { } limit && _times[q] - _times[current] > limit)
                    && !(_hasExclusion[k - 1] && _nextExclusion[k - 1][current + 1] < q);
                if (!strict)
                {
                    for (var o = k; o < next; o++)
                    {
                        var at = _nextStep[o][current + 1];
                        if (ok ? at < q : at < _n && _times[at] <= deadline)
                            Mark(attempt, o, at, entry);
                    }
                }
                if (!ok)
                    return reached;
                Mark(attempt, next, q, entry);
                current = q;
                reached++;
                k = next + 1;
            }
            return reached;
        }

        private void Mark(FunnelAttempt attempt, int step, int position, double entry)
        {
            attempt.Position[step] = position;
            attempt.Seconds[step] = _times[position] - entry;
        }

        /// <summary>Any-order attempt from position <paramref name="p"/>, which must be an event of some step (every step is required).</summary>
        public int AttemptAnyOrder(int p, FunnelAttempt attempt)
        {
            attempt.Clear();
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
                if (q >= _n || _times[q] > entry + options.WindowSeconds)
                    return k;
                latest = Math.Max(latest, _times[q]);
                attempt.Position[k] = q;
                attempt.Seconds[k] = latest - entry;
            }
            return _nextStep.Length;
        }
    }
}
