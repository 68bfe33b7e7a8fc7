using System.Globalization;
using System.Runtime.CompilerServices;
using Exania.Core;

namespace Exania.Events;

/// <summary>
/// Parses timestamps into epoch seconds (UTC). Only unambiguous forms are read without being told the format: epoch
/// seconds or milliseconds, and ISO-8601 dates and date-times (<c>YYYY-MM-DD</c>, then <c>T</c> or a space,
/// <c>HH:MM[:SS[.fffffff]]</c>, then nothing (UTC), <c>Z</c>, <c>UTC</c>, or an offset <c>±HH:MM</c>, <c>±HHMM</c>,
/// <c>±HH</c>). A time without a date (<c>12:00:00</c> would be "today"), a day and month without a year, and
/// month-first or day-first dates (<c>01/05/2026</c>) are rejected; such files name their form with
/// <see cref="TimestampFormat.Pattern"/>.
/// </summary>
public static class TimestampParser
{
    /// <summary>Numbers at or above this are epoch milliseconds under <see cref="TimestampFormat.Auto"/> (1e11 s is year 5138).</summary>
    public const double MillisecondsThreshold = 1e11;

    /// <summary>
    /// Parses <paramref name="text"/> as <paramref name="format"/> says; <paramref name="pattern"/> is the .NET custom
    /// date-time pattern of <see cref="TimestampFormat.Pattern"/> (read with the invariant culture, UTC unless it has an
    /// offset). Returns false for anything else, including NaN and infinities.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<char> text, TimestampFormat format, out double epochSeconds, string? pattern = null)
    {
        text = text.Trim();
        epochSeconds = 0;
        if (text.IsEmpty)
            return false;
        if (format == TimestampFormat.Pattern)
        {
            if (string.IsNullOrEmpty(pattern) || !DateTimeOffset.TryParseExact(text, pattern, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var exact))
                return false;
            epochSeconds = (exact.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerSecond;
            return true;
        }
        if (format != TimestampFormat.Iso8601 &&
            DecimalText.TryParse(text, out var number))
        {
            if (!double.IsFinite(number))
                return false;
            var millis = format == TimestampFormat.EpochMilliseconds ||
                         (format == TimestampFormat.Auto && Math.Abs(number) >= MillisecondsThreshold);
            epochSeconds = millis ? number / 1000.0 : number;
            return true;
        }
        if (format is TimestampFormat.EpochSeconds or TimestampFormat.EpochMilliseconds)
            return false;
        return TryParseIso(text, out epochSeconds);
    }

    /// <summary>The strict ISO-8601 forms in the class summary, without allocating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseIso(ReadOnlySpan<char> s, out double epochSeconds)
    {
        epochSeconds = 0;
        int hour = 0, minute = 0, second = 0;
        long fractionTicks = 0;
        if (s.Length < 10 || s[4] != '-' || s[7] != '-' ||
            !Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day))
            return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            return false;
        var i = 10;
        if (i < s.Length && (s[i] == 'T' || s[i] == ' ') && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))
        {
            if (s.Length < i + 6 || s[i + 3] != ':' || !Digits(s, i + 1, 2, out hour) || !Digits(s, i + 4, 2, out minute))
                return false;
            i += 6;
            if (i < s.Length && s[i] == ':')
            {
                if (!Digits(s, i + 1, 2, out second))
                    return false;
                i += 3;
                if (i < s.Length && (s[i] == '.' || s[i] == ','))
                {
                    var start = ++i;
                    long scale = TimeSpan.TicksPerSecond;
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                    {
                        if (scale > 1)
                        {
                            scale /= 10;
                            fractionTicks += (s[i] - '0') * scale;
                        }
                        i++;
                    }
                    if (i == start)
                        return false;
                }
            }
            if (hour > 23 || minute > 59 || second > 59)
                return false;
        }
        var offsetMinutes = 0;
        var zone = s[i..];
        if (zone.Length > 0 && zone[0] == ' ')
            zone = zone[1..];
        if (zone.IsEmpty || zone.SequenceEqual("Z") || zone.SequenceEqual("UTC"))
        {
        }
        else if (zone[0] is '+' or '-')
        {
            var sign = zone[0] == '-' ? -1 : 1;
            var rest = zone[1..];
            int oh, om = 0;
            if (rest.Length == 2 && Digits(rest, 0, 2, out oh)) { }
            else if (rest.Length == 4 && Digits(rest, 0, 2, out oh) && Digits(rest, 2, 2, out om)) { }
            else if (rest.Length == 5 && rest[2] == ':' && Digits(rest, 0, 2, out oh) && Digits(rest, 3, 2, out om)) { }
            else return false;
            if (oh > 18 || om > 59)
                return false;
            offsetMinutes = sign * (oh * 60 + om);
        }
        else
        {
            return false;
        }
        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fractionTicks
                    - offsetMinutes * TimeSpan.TicksPerMinute;
        epochSeconds = (ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerSecond;
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
            return false;
        for (var k = start; k < start + count; k++)
        {
            if (!char.IsAsciiDigit(s[k]))
                return false;
            value = value * 10 + (s[k] - '0');
        }
        return true;
    }

    /// <summary>Human description of what <paramref name="format"/> accepts, for error messages.</summary>
    public static string Describe(TimestampFormat format, string? pattern = null) => format switch
    {
        TimestampFormat.EpochSeconds => "epoch seconds",
        TimestampFormat.EpochMilliseconds => "epoch milliseconds",
        TimestampFormat.Iso8601 => "an ISO-8601 date-time (YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|UTC|±HH:MM])",
        TimestampFormat.Pattern => $"of the pattern '{pattern}'",
        _ => "epoch seconds, epoch milliseconds or an ISO-8601 date-time (YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|UTC|±HH:MM]; other forms need a timestamp pattern)",
    };
}
