using System.Globalization;

namespace Exania.Events;

/// <summary>
/// Writes an <see cref="EventLog"/> in Exania's canonical event CSV (the format the readers take without a column
/// map and the Python peers read): <c>user_id,session_id,timestamp,action,page,category,scroll_depth,campaign_id,
/// ad_type,placement,cost,revenue,item_id</c>, timestamps in epoch seconds, absent values as empty cells.
/// </summary>
public static class EventCsvWriter
{
    /// <summary>The canonical header, in column order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "user_id", "session_id", "timestamp", "action", "page", "category", "scroll_depth",
        "campaign_id", "ad_type", "placement", "cost", "revenue", "item_id",
    ];

    /// <summary>Writes <paramref name="log"/> to <paramref name="path"/> atomically, rows in log order.</summary>
    public static void Write(EventLog log, string path)
    {
        ArgumentNullException.ThrowIfNull(log);
        AtomicFile.WriteText(path, writer => Write(log, writer));
    }

    /// <summary>Writes <paramref name="log"/> as CSV to <paramref name="writer"/>, rows in log order.</summary>
    public static void Write(EventLog log, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Join(',', Columns));
        writer.Write('\n');
        var users = log.UserIds;
        var sessions = log.SessionIds;
        var times = log.Timestamps;
        var actions = log.ActionCodes;
        var attributes = log.Attributes;
        Span<char> buffer = stackalloc char[64];
        for (var i = 0; i < log.Count; i++)
        {
            ref readonly var a = ref attributes[i];
            WriteField(writer, log.Users[users[i]]);
            writer.Write(',');
            if (sessions[i] >= 0) WriteField(writer, log.Sessions[sessions[i]]);
            writer.Write(',');
            WriteNumber(writer, times[i], buffer);
            writer.Write(',');
            WriteField(writer, log.Actions[actions[i]]);
            writer.Write(',');
            if (a.Page >= 0) WriteField(writer, log.Pages[a.Page]);
            writer.Write(',');
            if (a.Category >= 0) WriteField(writer, log.Categories[a.Category]);
            writer.Write(',');
            WriteNumber(writer, a.ScrollDepth, buffer);
            writer.Write(',');
            if (a.Campaign >= 0) WriteField(writer, log.Campaigns[a.Campaign]);
            writer.Write(',');
            if (a.AdType >= 0) WriteField(writer, log.AdTypes[a.AdType]);
            writer.Write(',');
            if (a.Placement >= 0) WriteField(writer, log.Placements[a.Placement]);
            writer.Write(',');
            WriteNumber(writer, a.Cost, buffer);
            writer.Write(',');
            WriteNumber(writer, a.Revenue, buffer);
            writer.Write(',');
            if (a.Item >= 0) WriteField(writer, log.Items[a.Item]);
            writer.Write('\n');
        }
    }

    /// <summary>Writes a number in shortest round-trip form; NaN (absent) as an empty cell.</summary>
    public static void WriteNumber(TextWriter writer, double value, Span<char> buffer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (double.IsNaN(value)) return;
        int written;
        // Counts and labels are whole numbers: formatting them as integers is several times cheaper and gives the same text.
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15 && !(value == 0 && double.IsNegative(value)))
            ((long)value).TryFormat(buffer, out written, default, CultureInfo.InvariantCulture);
        else
            value.TryFormat(buffer, out written, default, CultureInfo.InvariantCulture);
        writer.Write(buffer[..written]);
    }

    /// <summary>Writes a CSV field, quoting it when it holds a comma, quote or line break (RFC 4180).</summary>
    public static void WriteField(TextWriter writer, string value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            writer.Write(value);
            return;
        }
        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }
}
