namespace Exania.Events;

/// <summary>What reading a file did: every row is either accepted or rejected, never silently dropped.</summary>
public sealed class EventReadSummary
{
    public string File { get; init; } = "";

    /// <summary>Data rows seen (header excluded; blank lines are not rows).</summary>
    public long RowsRead { get; set; }

    public long Accepted { get; set; }

    public long Rejected { get; set; }

    /// <summary>Rejected rows per reason kind (e.g. <c>bad_timestamp</c>).</summary>
    public Dictionary<string, long> RejectedByKind { get; } = new(StringComparer.Ordinal);

    /// <summary>Action strings kept that are not one of the nine known interaction actions, with their counts.</summary>
    public Dictionary<string, long> UnknownActions { get; } = new(StringComparer.Ordinal);

    /// <summary>Rows whose session was assigned by inactivity-gap sessionization (no session id in the source).</summary>
    public long SessionizedRows { get; set; }

    public double Seconds { get; set; }

    internal void CountReject(string kind)
    {
        Rejected++;
        RejectedByKind[kind] = RejectedByKind.GetValueOrDefault(kind) + 1;
    }
}
