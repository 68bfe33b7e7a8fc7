using System.Globalization;

namespace Exania.Events;

/// <summary>
/// The event times a reader accepts, in epoch seconds: <see cref="MinSeconds"/> inclusive to <see cref="MaxSeconds"/>
/// exclusive. A timestamp outside it is a bad row (<c>out_of_range</c>), because the usual causes are a stand-in value
/// (<c>0</c> for "missing" puts an event in 1970 and gives its session a duration of decades), a unit mix-up
/// (microseconds read as milliseconds land in the year 50,000) or a corrupt cell, and each would be kept silently as
/// a real time otherwise.
/// </summary>
public readonly record struct TimestampRange(double MinSeconds, double MaxSeconds)
{
    /// <summary>
    /// The default: 1990-01-01 to 2100-01-01 UTC. Clickstreams are recorded by the web, which is younger than 1990,
    /// and a time after 2100 is a unit or data error.
    /// </summary>
    public static TimestampRange Plausible { get; } = new(EpochOf(1990), EpochOf(2100));

    /// <summary>
    /// The widest range: years 1 to 9999, what a date can express. For relative times (seconds since a session's
    /// start, such as 0, 5, 12) and historical data. Finite numbers beyond it are still rejected: a window end near
    /// 1e300 has no room for a 120-second step.
    /// </summary>
    public static TimestampRange Any { get; } = new(EpochOf(1), (DateTime.MaxValue.Ticks + 1 - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond);

    public bool Contains(double epochSeconds) => epochSeconds >= MinSeconds && epochSeconds < MaxSeconds;

    /// <summary>
    /// Parses <c>plausible</c>, <c>any</c>, or <c>FROM..TO</c> where each bound is a date (<c>2019-10-01</c>), an ISO
    /// date-time or epoch seconds (<c>0..86400</c>).
    /// </summary>
    /// <exception cref="FormatException">The text is none of these, a bound is outside <see cref="Any"/>, or FROM is not before TO.</exception>
    public static TimestampRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Equals("plausible", StringComparison.OrdinalIgnoreCase))
            return Plausible;
        if (trimmed.Equals("any", StringComparison.OrdinalIgnoreCase))
            return Any;
        var dots = trimmed.IndexOf("..", StringComparison.Ordinal);
        if (dots <= 0 || dots + 2 >= trimmed.Length)
            throw new FormatException($"Time range '{text}' is not plausible, any, or FROM..TO (e.g. 2019-10-01..2019-12-01, or 0..86400 in epoch seconds).");
        var from = Bound(trimmed[..dots], text);
        var to = Bound(trimmed[(dots + 2)..], text);
        if (!(from < to))
            throw new FormatException($"Time range '{text}': the start must be before the end.");
        return new TimestampRange(from, to);
    }

    /// <summary>
    /// An instant as options give it: epoch seconds however large (under auto, 1e11 and above would be read as
    /// milliseconds), or a date (<c>2019-10-01</c>, midnight UTC) or ISO date-time.
    /// </summary>
    public static bool TryParseInstant(string text, out double seconds)
    {
        ArgumentNullException.ThrowIfNull(text);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds)
            ? double.IsFinite(seconds)
            : TimestampParser.TryParseIso(text.Trim(), out seconds);
    }

    private static double Bound(string text, string whole)
    {
        var parsed = TryParseInstant(text, out var seconds);
        if (!parsed || (!Any.Contains(seconds) && seconds != Any.MaxSeconds))
            throw new FormatException($"Time range '{whole}': '{text.Trim()}' is not a date (YYYY-MM-DD), an ISO date-time or epoch seconds between years 1 and 9999.");
        return seconds;
    }

    /// <summary>
    /// The range as it is parsed back: dates when the bounds are midnights, else epoch seconds (the end of
    /// <see cref="Any"/>, 10000-01-01, has no four-digit year and is written in seconds).
    /// </summary>
    public override string ToString() => $"{Format(MinSeconds)}..{Format(MaxSeconds)}";

    /// <summary>A timestamp for a message: its UTC date-time when it is one, else the number.</summary>
    public static string Describe(double epochSeconds) =>
        Any.Contains(epochSeconds)
            ? DateTime.UnixEpoch.AddTicks((long)Math.Round(epochSeconds * TimeSpan.TicksPerSecond)).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
            : epochSeconds > 0 ? "beyond the year 9999" : "before the year 1";

    private static string Format(double seconds)
    {
        if (Any.Contains(seconds))
        {
            var time = DateTime.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
            if (time.TimeOfDay == TimeSpan.Zero)
                return time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
        return seconds.ToString("R", CultureInfo.InvariantCulture);
    }

    private static double EpochOf(int year) =>
        (new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerSecond;
}
