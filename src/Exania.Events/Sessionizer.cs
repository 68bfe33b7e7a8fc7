namespace Exania.Events;

/// <summary>
/// Assigns sessions to events that have none: a user's events (in time order, ties in file order) start a new
/// session whenever the gap since that user's previous event exceeds the inactivity gap.
/// Sessions are named <c>{user_id}#{k}</c>, k = 1, 2, ... per user in time order.
/// </summary>
public static class Sessionizer
{
    /// <summary>The default inactivity gap: 30 minutes, the usual web-analytics convention.</summary>
    public const double DefaultGapSeconds = 30 * 60;

    /// <summary>Fills the session id of every row that has none; returns how many sessions it created.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gapSeconds"/> is not positive and finite.</exception>
    public static int AssignMissing(EventLog log, double gapSeconds = DefaultGapSeconds)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (!(gapSeconds > 0) || double.IsInfinity(gapSeconds))
            throw new ArgumentOutOfRangeException(nameof(gapSeconds), gapSeconds, "The inactivity gap must be a positive number of seconds.");
        if (!log.HasMissingSessions)
            return 0;

        // Group the session-less rows by user (users in order of first appearance), then split each user's timeline.
        var users = log.UserIds;
        var sessions = log.SessionIds;
        var userCount = log.Users.Count;
        var counts = new int[userCount + 1];
        var missing = 0;
        for (var i = 0; i < users.Length; i++)
        {
            if (sessions[i] >= 0) continue;
            counts[users[i] + 1]++;
            missing++;
        }
        for (var u = 0; u < userCount; u++)
            counts[u + 1] += counts[u];
        var starts = (int[])counts.Clone();
        var rows = new int[missing];
        for (var i = 0; i < users.Length; i++)
            if (sessions[i] < 0)
                rows[counts[users[i]]++] = i;

        var timestamps = log.Timestamps;
        var created = 0;
        for (var u = 0; u < userCount; u++)
        {
            var span = rows.AsSpan(starts[u], starts[u + 1] - starts[u]);
            if (span.IsEmpty) continue;
            SessionIndex.SortByTimeStable(span, timestamps);
            var k = 0;
            var session = -1;
            var previous = double.NegativeInfinity;
            foreach (var row in span)
            {
                var t = timestamps[row];
                if (session < 0 || t - previous > gapSeconds)
                {
                    k++;
                    session = log.Sessions.GetOrAdd($"{log.Users[u]}#{k}");
                    created++;
                }
                log.SetSession(row, session);
                previous = t;
            }
        }
        return created;
    }
}
