namespace Exania.Events;

/// <summary>What reading a file did: every row is either accepted or rejected, never silently dropped.</summary>
public sealed class EventReadSummary
{
    public string File { get; init; } = "";

    /// <summary>
    /// Data rows seen (header excluded; blank lines are not rows). With nested events a row is one element of a line's
    /// array, and a line rejected whole (no array, invalid JSON) is one row.
    /// </summary>
    public long RowsRead { get; set; }

    /// <summary>JSON Lines with nested events: non-blank lines read, each holding zero or more rows; 0 otherwise.</summary>
    public long NestedLines { get; set; }

    /// <summary>
    /// JSON Lines with nested events: lines whose array was empty. They are legal but yield no row, so they are counted
    /// here rather than vanishing from the totals.
    /// </summary>
    public long EmptyEventArrays { get; set; }

    public long Accepted { get; set; }

    public long Rejected { get; set; }

    /// <summary>Rejected rows per reason kind (e.g. <c>bad_timestamp</c>).</summary>
    public Dictionary<string, long> RejectedByKind { get; } = new(StringComparer.Ordinal);

    /// <summary>Action strings kept that are not one of the nine known interaction actions, with their counts.</summary>
    public Dictionary<string, long> UnknownActions { get; } = new(StringComparer.Ordinal);

    /// <summary>Accepted rows that took <see cref="EventReaderOptions.DefaultAction"/> (the file has no action column).</summary>
    public long DefaultActionRows { get; set; }

    /// <summary>Rows whose session was assigned by inactivity-gap sessionization (no session id in the source).</summary>
    public long SessionizedRows { get; set; }

    public double Seconds { get; set; }

    /// <summary>Adds the counts of <paramref name="part"/>, read after the rows counted here.</summary>
    internal void Add(EventReadSummary part)
    {
        RowsRead += part.RowsRead;
        NestedLines += part.NestedLines;
        EmptyEventArrays += part.EmptyEventArrays;
        Accepted += part.Accepted;
        Rejected += part.Rejected;
        SessionizedRows += part.SessionizedRows;
        DefaultActionRows += part.DefaultActionRows;
        foreach (var (kind, n) in part.RejectedByKind)
            RejectedByKind[kind] = RejectedByKind.GetValueOrDefault(kind) + n;
        foreach (var (action, n) in part.UnknownActions)
            UnknownActions[action] = UnknownActions.GetValueOrDefault(action) + n;
    }

    internal void CountReject(string kind)
    {
        Rejected++;
        RejectedByKind[kind] = RejectedByKind.GetValueOrDefault(kind) + 1;
    }
}
