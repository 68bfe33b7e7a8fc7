using System.Numerics.Tensors;
using Exania.Core;
using Exania.Events;

namespace Exania.Conversion;

/// <summary>The calendar period retention is counted in (UTC).</summary>
public enum RetentionPeriod
{
    /// <summary>UTC days.</summary>
    Day,

    /// <summary>Weeks from Monday 00:00 UTC.</summary>
    Week,
}

/// <summary>Which returns count for period k.</summary>
public enum RetentionMode
{
    /// <summary>A return in period k itself.</summary>
    On,

    /// <summary>A return in period k or any later one (unbounded retention).</summary>
    OnOrAfter,
}

/// <summary>Options of a retention table. Defaults live here, once; <see cref="Validate"/> names a bad field.</summary>
public sealed record RetentionOptions
{
    /// <summary>The action that puts a user in a cohort (its first occurrence); null for any event.</summary>
    public string? StartAction { get; init; }

    /// <summary>The action that counts as a return; null for any event.</summary>
    public string? ReturnAction { get; init; }

    public RetentionPeriod Period { get; init; } = RetentionPeriod.Day;

    /// <summary>Periods after the start one reported: period 0 is the start's own period, then 1..Periods.</summary>
    public int Periods { get; init; } = 7;

    public RetentionMode Mode { get; init; } = RetentionMode.On;

    /// <summary>The moment the table is counted at: a period counts only once it has ended. Null for the log's last event.</summary>
    public double? AsOf { get; init; }

    public const int MaxPeriods = 1000;

    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it, its value and the range.</exception>
    public RetentionOptions Validate()
    {
        if (Periods is < 0 or > MaxPeriods)
            ExaniaThrow.OptionOutOfRange(nameof(RetentionOptions), nameof(Periods), Periods, $"must be in [0, {MaxPeriods}]");
        if (StartAction is not null && string.IsNullOrWhiteSpace(StartAction))
            ExaniaThrow.Argument("RetentionOptions.StartAction is empty; name an action or leave it out for any event.", nameof(StartAction));
        if (ReturnAction is not null && string.IsNullOrWhiteSpace(ReturnAction))
            ExaniaThrow.Argument("RetentionOptions.ReturnAction is empty; name an action or leave it out for any event.", nameof(ReturnAction));
        return this;
    }
}

/// <summary>One cohort: the users whose first start event fell in one period.</summary>
public sealed record RetentionCohort
{
    /// <summary>Start of the cohort's period (epoch seconds, UTC).</summary>
    public required double Start { get; init; }

    public required long Users { get; init; }

    /// <summary>Users counted in periods 0..Periods (partial counts for periods not yet ended).</summary>
    public required IReadOnlyList<long> Retained { get; init; }

    /// <summary>Whether each period had ended by the as-of time; only ended periods enter the totals.</summary>
    public required IReadOnlyList<bool> Ended { get; init; }
}

/// <summary>A retention table: cohorts by start period and the total rate per period.</summary>
public sealed record RetentionReport
{
    public required RetentionPeriod Period { get; init; }

    public required RetentionMode Mode { get; init; }

    public required double AsOf { get; init; }

    public required IReadOnlyList<RetentionCohort> Cohorts { get; init; }

    /// <summary>Per period: retained users ÷ users of the cohorts for which it has ended; NaN when none has.</summary>
    public required IReadOnlyList<double> Rate { get; init; }
}

/// <summary>
/// Retention per user, in calendar periods: a user joins the cohort of the period of their first start event, and is
/// retained in period k when a return event falls in the k-th period after it (<see cref="RetentionMode.On"/>), or in
/// it or any later one (<see cref="RetentionMode.OnOrAfter"/>). Returns must come strictly after the start event, so
/// period 0 counts users who came back later within the start's own period.
/// </summary>
public static class Retention
{
    private const double Day = 86_400;

    /// <summary>Monday 1970-01-05 00:00 UTC: weeks are counted from it.</summary>
    private const double FirstMonday = 4 * Day;

    /// <exception cref="ArgumentException">An action no event has (the message lists the actions there are), or an empty log.</exception>
    public static RetentionReport Compute(EventLog log, RetentionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        options = (options ?? new RetentionOptions()).Validate();
        if (log.Count == 0)
            ExaniaThrow.Argument("The log holds no events, so there is no one to retain.", nameof(log));
        var start = Code(log, options.StartAction, nameof(RetentionOptions.StartAction));
        var comeback = Code(log, options.ReturnAction, nameof(RetentionOptions.ReturnAction));
        var length = options.Period == RetentionPeriod.Day ? Day : 7 * Day;
        var origin = options.Period == RetentionPeriod.Day ? 0 : FirstMonday;
        var times = log.Timestamps;
        var codes = log.ActionCodes;
        var asOf = options.AsOf ?? TensorPrimitives.Max(times);
        var index = SessionIndex.BuildByUser(log);
        var width = options.Periods + 1;
        var cohorts = new SortedDictionary<long, (long Users, long[] Retained)>();
        var returned = new bool[width];
        for (var u = 0; u < index.SessionCount; u++)
        {
            var rows = index.Rows(u);
            var first = -1;
            for (var i = 0; i < rows.Length && first < 0; i++)
                if (start < 0 || codes[rows[i]] == start)
                    first = i;
            if (first < 0)
                continue;
            var t0 = times[rows[first]];
            var cohortPeriod = (long)Math.Floor((t0 - origin) / length);
            Array.Clear(returned);
            var latest = -1L;
            for (var i = first + 1; i < rows.Length; i++)
            {
                var r = rows[i];
                if (times[r] <= t0 || (comeback >= 0 && codes[r] != comeback))
                    continue;
                var k = (long)Math.Floor((times[r] - origin) / length) - cohortPeriod;
                if (k < width)
                    returned[k] = true;
                latest = Math.Max(latest, k);
            }
            if (!cohorts.TryGetValue(cohortPeriod, out var cohort))
                cohort = (0, new long[width]);
            cohort.Users++;
            for (var k = 0; k < width; k++)
                if (options.Mode == RetentionMode.On ? returned[k] : latest >= k)
                    cohort.Retained[k]++;
            cohorts[cohortPeriod] = cohort;
        }

        var retainedTotal = new long[width];
        var usersTotal = new long[width];
        var result = new List<RetentionCohort>(cohorts.Count);
        foreach (var (period, cohort) in cohorts)
        {
            var cohortStart = origin + period * length;
            var ended = new bool[width];
            for (var k = 0; k < width; k++)
            {
                ended[k] = cohortStart + (k + 1) * length <= asOf;
                if (!ended[k])
                    continue;
                retainedTotal[k] += cohort.Retained[k];
                usersTotal[k] += cohort.Users;
            }
            result.Add(new RetentionCohort { Start = cohortStart, Users = cohort.Users, Retained = cohort.Retained, Ended = ended });
        }
        var rate = new double[width];
        for (var k = 0; k < width; k++)
            rate[k] = usersTotal[k] == 0 ? double.NaN : (double)retainedTotal[k] / usersTotal[k];
        return new RetentionReport { Period = options.Period, Mode = options.Mode, AsOf = asOf, Cohorts = result, Rate = rate };
    }

    private static int Code(EventLog log, string? action, string field) =>
        action is null ? -1 : LogActions.Require(log, action, $"RetentionOptions.{field}", field);

}
