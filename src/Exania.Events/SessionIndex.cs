namespace Exania.Events;

/// <summary>
/// The per-session, time-ordered view of an <see cref="EventLog"/>: <see cref="Order"/> lists row indices grouped by
/// session (sessions in order of first appearance in the file) and sorted by timestamp within a session, ties kept in
/// file order. Session <c>s</c> occupies <c>Order[Starts[s]..Starts[s + 1]]</c>.
/// </summary>
public sealed class SessionIndex
{
    private SessionIndex(int[] order, int[] starts, int[] sessionIds)
    {
        Order = order;
        Starts = starts;
        SessionIds = sessionIds;
    }

    /// <summary>Row indices, grouped by session and time-sorted within each.</summary>
    public int[] Order { get; }

    /// <summary>Start offsets into <see cref="Order"/>; length is <see cref="SessionCount"/> + 1.</summary>
    public int[] Starts { get; }

    /// <summary>The <see cref="EventLog.Sessions"/> id of each session, in index order (<see cref="EventLog.Users"/> ids for <see cref="BuildByUser"/>).</summary>
    public int[] SessionIds { get; }

    public int SessionCount => SessionIds.Length;

    /// <summary>Row indices of session <paramref name="s"/> in time order.</summary>
    public ReadOnlySpan<int> Rows(int s) => Order.AsSpan(Starts[s], Starts[s + 1] - Starts[s]);

    /// <summary>Builds the index. Every row must have a session (run <see cref="Sessionizer"/> first).</summary>
    /// <exception cref="InvalidOperationException">A row has no session id.</exception>
    public static SessionIndex Build(EventLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return Build(log, log.SessionIds, log.Sessions.Count);
    }

    /// <summary>
    /// The same view grouped by user instead of session: group <c>u</c> holds user <see cref="SessionIds"/>[u]'s events
    /// (an <see cref="EventLog.Users"/> id here) in time order, across all of the user's sessions. Funnels and
    /// retention counted per user read it.
    /// </summary>
    public static SessionIndex BuildByUser(EventLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return Build(log, log.UserIds, log.Users.Count);
    }

    private static SessionIndex Build(EventLog log, ReadOnlySpan<int> sessions, int sessionCount)
    {
        var n = sessions.Length;

        // Counting sort by session id: pool ids are in order of first appearance, rows stay in file order.
        var counts = new int[sessionCount + 1];
        for (var i = 0; i < n; i++)
        {
            var s = sessions[i];
            if (s < 0)
                throw new InvalidOperationException($"Row {i} has no session id; sessionize the log first.");
            counts[s + 1]++;
        }
        for (var s = 0; s < sessionCount; s++)
            counts[s + 1] += counts[s];
        var starts = (int[])counts.Clone();
        var order = new int[n];
        var next = counts;
        for (var i = 0; i < n; i++)
            order[next[sessions[i]]++] = i;

        var timestamps = log.Timestamps;
        for (var s = 0; s < sessionCount; s++)
            SortByTimeStable(order.AsSpan(starts[s], starts[s + 1] - starts[s]), timestamps);

        // Drop pool entries that no row uses (possible after re-sessionizing).
        var used = 0;
        for (var s = 0; s < sessionCount; s++)
            if (starts[s + 1] > starts[s]) used++;
        if (used == sessionCount)
            return new SessionIndex(order, starts, Enumerable.Range(0, sessionCount).ToArray());
        var compactStarts = new int[used + 1];
        var ids = new int[used];
        var k = 0;
        for (var s = 0; s < sessionCount; s++)
        {
            if (starts[s + 1] == starts[s]) continue;
            compactStarts[k] = starts[s];
            ids[k++] = s;
        }
        compactStarts[used] = n;
        return new SessionIndex(order, compactStarts, ids);
    }

    /// <summary>Sorts rows (given in file order) by timestamp, keeping file order among equal timestamps.</summary>
    internal static void SortByTimeStable(Span<int> rows, ReadOnlySpan<double> timestamps)
    {
        var sorted = true;
        for (var i = 1; i < rows.Length && sorted; i++)
            sorted = timestamps[rows[i - 1]] <= timestamps[rows[i]];
        if (sorted)
            return;
        var keys = new (double Time, int Row)[rows.Length];
        for (var i = 0; i < rows.Length; i++)
            keys[i] = (timestamps[rows[i]], rows[i]);
        // (time, row) is a total order, so an unstable sort on it is stable in time.
        Array.Sort(keys);
        for (var i = 0; i < rows.Length; i++)
            rows[i] = keys[i].Row;
    }
}
