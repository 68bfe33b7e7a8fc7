namespace Exania.Events;

/// <summary>The logical fields of an event, in the order of <see cref="EventCsvWriter.Columns"/>.</summary>
public enum EventField
{
    UserId,
    SessionId,
    Timestamp,
    Action,
    Page,
    Category,
    ScrollDepth,
    CampaignId,
    AdType,
    Placement,
    Cost,
    Revenue,
    /// <summary>The item (product, article) the event concerns, e.g. Taobao's item_id or OTTO's aid.</summary>
    ItemId,
}

/// <summary>Names of <see cref="EventField"/> values as they appear in files and column maps.</summary>
public static class EventFields
{
    /// <summary>Number of logical fields.</summary>
    public const int Count = 13;

    /// <summary>The canonical column name of <paramref name="field"/>.</summary>
    public static string Name(EventField field) => EventCsvWriter.Columns[(int)field];

    /// <summary>Parses a canonical column name; false when it names no field.</summary>
    public static bool TryParse(string name, out EventField field)
    {
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(EventCsvWriter.Columns[i], name, StringComparison.OrdinalIgnoreCase))
            {
                field = (EventField)i;
                return true;
            }
        }
        field = default;
        return false;
    }
}
