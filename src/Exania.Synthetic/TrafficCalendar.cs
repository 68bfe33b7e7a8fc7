namespace Exania.Synthetic;

/// <summary>
/// When sessions start: a day drawn with weekday weights, an hour drawn from a diurnal profile (busy evenings,
/// quiet nights, a lunchtime bump; weekends start later), then a uniform moment within the hour.
/// </summary>
public static class TrafficCalendar
{
    /// <summary>Relative traffic per weekday, Monday first: weekdays alike, Friday and the weekend lighter.</summary>
    public static IReadOnlyList<double> WeekdayWeights { get; } = [1.00, 1.04, 1.04, 1.00, 0.92, 0.78, 0.82];

    /// <summary>Relative traffic per hour of day (UTC treated as local) on weekdays.</summary>
    public static IReadOnlyList<double> WeekdayHourWeights { get; } =
    [
        0.25, 0.12, 0.07, 0.05, 0.05, 0.10, 0.30, 0.65, 0.90, 0.80, 0.70, 0.75,
        0.95, 0.90, 0.70, 0.65, 0.70, 0.85, 1.05, 1.30, 1.50, 1.45, 1.10, 0.60,
    ];

    /// <summary>Relative traffic per hour of day on Saturday and Sunday: no commute peak, a later, longer evening.</summary>
    public static IReadOnlyList<double> WeekendHourWeights { get; } =
    [
        0.40, 0.25, 0.12, 0.07, 0.05, 0.05, 0.10, 0.20, 0.40, 0.65, 0.85, 0.95,
        1.00, 0.95, 0.90, 0.90, 0.90, 0.95, 1.10, 1.30, 1.45, 1.45, 1.20, 0.75,
    ];

    /// <summary>Draws a session start, in epoch milliseconds, within <paramref name="days"/> days of <paramref name="startUtc"/>.</summary>
    internal static long SampleStartMilliseconds(Random random, DateTime startUtc, int days)
    {
        var startMs = (long)(startUtc - DateTime.UnixEpoch).TotalMilliseconds;
        var firstWeekday = ((int)startUtc.DayOfWeek + 6) % 7; // Monday = 0
        var total = 0.0;
        for (var d = 0; d < days; d++)
            total += WeekdayWeights[(firstWeekday + d) % 7];
        var u = random.NextDouble() * total;
        var day = days - 1;
        for (var d = 0; d < days; d++)
        {
            u -= WeekdayWeights[(firstWeekday + d) % 7];
            if (u < 0)
            {
                day = d;
                break;
            }
        }
        var weekday = (firstWeekday + day) % 7;
        var hours = weekday >= 5 ? WeekendHourWeights : WeekdayHourWeights;
        var hour = PickIndex(random, hours);
        var withinHour = (long)(random.NextDouble() * 3_600_000);
        return startMs + day * 86_400_000L + hour * 3_600_000L + withinHour;
    }

    private static int PickIndex(Random random, IReadOnlyList<double> weights)
    {
        var total = 0.0;
        for (var i = 0; i < weights.Count; i++)
            total += weights[i];
        var u = random.NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            u -= weights[i];
            if (u < 0)
                return i;
        }
        return weights.Count - 1;
    }
}
