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

    /// <summary>
    /// The readers' value slot after the logical fields: the time offset column
    /// (<see cref="EventReaderOptions.TimestampOffsetColumn"/>), read like a field but added to the timestamp.
    /// </summary>
    internal const int TimestampOffsetSlot = Count;

    /// <summary>Value slots of a row in the readers: the logical fields, then the time offset.</summary>
    internal const int Slots = Count + 1;

    /// <summary>What a slot is called in messages: the field's canonical name, or "time offset".</summary>
    internal static string SlotName(int slot) => slot == TimestampOffsetSlot ? "time offset" : Name((EventField)slot);

    /// <summary>The column a slot is read from: the mapped or canonical name of a field, the offset column (null when none).</summary>
    internal static string? SourceOf(int slot, EventReaderOptions options) =>
        slot == TimestampOffsetSlot ? options.TimestampOffsetColumn
        : options.ColumnMap.TryGetValue((EventField)slot, out var mapped) ? mapped : Name((EventField)slot);

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
