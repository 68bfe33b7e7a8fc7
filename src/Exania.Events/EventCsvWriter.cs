using Exania.Core;

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
            CsvFieldWriter.WriteField(writer, log.Users[users[i]]);
            writer.Write(',');
            if (sessions[i] >= 0) CsvFieldWriter.WriteField(writer, log.Sessions[sessions[i]]);
            writer.Write(',');
            CsvFieldWriter.WriteNumber(writer, times[i], buffer);
            writer.Write(',');
            CsvFieldWriter.WriteField(writer, log.Actions[actions[i]]);
            writer.Write(',');
            if (a.Page >= 0) CsvFieldWriter.WriteField(writer, log.Pages[a.Page]);
            writer.Write(',');
            if (a.Category >= 0) CsvFieldWriter.WriteField(writer, log.Categories[a.Category]);
            writer.Write(',');
            CsvFieldWriter.WriteNumber(writer, a.ScrollDepth, buffer);
            writer.Write(',');
            if (a.Campaign >= 0) CsvFieldWriter.WriteField(writer, log.Campaigns[a.Campaign]);
            writer.Write(',');
            if (a.AdType >= 0) CsvFieldWriter.WriteField(writer, log.AdTypes[a.AdType]);
            writer.Write(',');
            if (a.Placement >= 0) CsvFieldWriter.WriteField(writer, log.Placements[a.Placement]);
            writer.Write(',');
            CsvFieldWriter.WriteNumber(writer, a.Cost, buffer);
            writer.Write(',');
            CsvFieldWriter.WriteNumber(writer, a.Revenue, buffer);
            writer.Write(',');
            if (a.Item >= 0) CsvFieldWriter.WriteField(writer, log.Items[a.Item]);
            writer.Write('\n');
        }
    }
}
