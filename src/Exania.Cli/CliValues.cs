using System.Globalization;
using Exania.Events;

namespace Exania.Cli;

/// <summary>Durations and instants as the commands take them, parsed in one place.</summary>
internal static class CliValues
{
    /// <summary>A comma-separated list of names, blanks dropped (<c>view, cart,purchase</c>).</summary>
    public static string[] ParseList(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary><c>60s</c>, <c>5m</c>, <c>1h</c>, <c>14d</c>, or a number of seconds.</summary>
    /// <exception cref="ArgumentException">Not such a duration (the message names <paramref name="flag"/>).</exception>
    public static double ParseDuration(string text, string flag)
    {
        var value = text.Trim().ToLowerInvariant();
        var unit = value.Length > 0 ? value[^1] switch { 's' => 1.0, 'm' => 60.0, 'h' => 3600.0, 'd' => 86_400.0, 'w' => 604_800.0, _ => 0 } : 0;
        var number = unit > 0 ? value[..^1] : value;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !double.IsFinite(amount))
            throw new ArgumentException($"{flag}: '{text}' is not a duration (60s, 5m, 1h, 14d, 2w, or seconds).");
        return amount * (unit > 0 ? unit : 1);
    }

    /// <summary>
    /// A date (<c>2019-10-01</c>, midnight UTC), an ISO date-time or epoch seconds. With <paramref name="endOfDay"/>, a
    /// date alone means the end of that day (the next midnight), so <c>--to 2019-10-31</c> includes the 31st.
    /// </summary>
    /// <exception cref="ArgumentException">None of these (the message names <paramref name="flag"/>).</exception>
    public static double ParseInstant(string text, string flag, bool endOfDay = false)
    {
        var trimmed = text.Trim();
        if (!TimestampRange.TryParseInstant(trimmed, out var seconds))
            throw new ArgumentException($"{flag}: '{text}' is not a date (YYYY-MM-DD), an ISO date-time or epoch seconds.");
        var dateOnly = trimmed.Length == 10 && trimmed[4] == '-' && trimmed[7] == '-';
        return endOfDay && dateOnly ? seconds + 86_400 : seconds;
    }

    /// <summary>An event field with a text value (<see cref="Exania.Conversion.EventValues.Fields"/>) by its column name; <c>item</c> is accepted for item_id.</summary>
    /// <exception cref="ArgumentException">Not such a field (the message names <paramref name="flag"/> and lists them).</exception>
    public static EventField ParseEventField(string text, string flag)
    {
        var name = text.Trim().ToLowerInvariant() switch { "item" => "item_id", "campaign" => "campaign_id", var other => other };
        if (EventFields.TryParse(name, out var field) && Exania.Conversion.EventValues.Fields.Contains(field))
            return field;
        throw new ArgumentException($"{flag}: '{text}' is not one of {string.Join(", ", Exania.Conversion.EventValues.Fields.Select(EventFields.Name))}.");
    }
}
