using System.Globalization;

namespace Exania.Events;

/// <summary>Parses timestamps into epoch seconds (UTC).</summary>
public static class TimestampParser
{
    /// <summary>Numbers at or above this are epoch milliseconds under <see cref="TimestampFormat.Auto"/> (1e11 s is year 5138).</summary>
    public const double MillisecondsThreshold = 1e11;

    /// <summary>
    /// Parses <paramref name="text"/> as epoch seconds, epoch milliseconds or ISO-8601 (offset honoured, no offset means
    /// UTC). Returns false for anything else, including NaN and infinities.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, TimestampFormat format, out double epochSeconds)
    {
        text = text.Trim();
        epochSeconds = 0;
        if (text.IsEmpty)
            return false;
        if (format != TimestampFormat.Iso8601 &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
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
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto))
            return false;
        epochSeconds = (dto.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerSecond;
        return true;
    }

    /// <summary>Human description of what <paramref name="format"/> accepts, for error messages.</summary>
    public static string Describe(TimestampFormat format) => format switch
    {
        TimestampFormat.EpochSeconds => "epoch seconds",
        TimestampFormat.EpochMilliseconds => "epoch milliseconds",
        TimestampFormat.Iso8601 => "an ISO-8601 date-time",
        _ => "epoch seconds, epoch milliseconds or an ISO-8601 date-time",
    };
}
