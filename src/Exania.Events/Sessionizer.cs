namespace Exania.Events;

/// <summary>
/// Assigns sessions to events that have none: a user's events (in time order, ties in file order) start a new
/// session whenever the gap since that user's previous event exceeds the inactivity gap.
/// Sessions are named <c>{user_id}#{k}</c>, k = 1, 2, ... per user in time order. A generated name never merges
/// with a session id the data already has: where <c>{user_id}#{k}</c> is taken, the <c>#</c> is doubled until the name
/// is free (<c>u1##1</c>).
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
        // Names below this id came from the data; a generated name must not be one of them.
        var realSessions = log.Sessions.Count;
        // ... nor one another user's generated session already took (user "u1#" and user "u1" could both make "u1##1").
        var owner = new Dictionary<int, int>();
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
                    session = log.Sessions.GetOrAdd(FreeName(log, realSessions, owner, u, k));
                    owner[session] = u;
                    created++;
                }
                log.SetSession(row, session);
                previous = t;
            }
        }
        return created;
    }

    private static string FreeName(EventLog log, int realSessions, Dictionary<int, int> owner, int user, int k)
    {
        var separator = "#";
        while (true)
        {
            var name = $"{log.Users[user]}{separator}{k}";
            var existing = log.Sessions.IndexOf(name);
            if (existing < 0 || (existing >= realSessions && owner.GetValueOrDefault(existing, user) == user))
                return name;
            separator += "#";
        }
    }
}
