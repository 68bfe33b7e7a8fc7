using Exania.Core;
using Exania.Events;

namespace Exania.Conversion;

/// <summary>Options of <see cref="UserFeatures.Build"/>: which actions are conversions and clicks, as in the session table.</summary>
public sealed record UserFeatureOptions
{
    /// <summary>The defaults: the session table's conversion and click actions.</summary>
    public static UserFeatureOptions Default { get; } = new();

    /// <summary>Action names that are a conversion (<see cref="SessionTableOptions.ConversionActions"/>).</summary>
    public IReadOnlyList<string> ConversionActions { get; init; } = SessionTableOptions.Default.ConversionActions;

    /// <summary>Action names that are a click or a cart (<see cref="SessionTableOptions.ClickActions"/>).</summary>
    public IReadOnlyList<string> ClickActions { get; init; } = SessionTableOptions.Default.ClickActions;

    /// <exception cref="ArgumentException">A list is empty or holds an empty name, or one name is in both lists.</exception>
    public UserFeatureOptions Validate()
    {
        // The same rules as the session table's, so both read the same flags the same way.
        (SessionTableOptions.Default with { ConversionActions = ConversionActions, ClickActions = ClickActions }).Validate();
        return this;
    }
}

/// <summary>One row per user: behavioural features, and the session counts the segment profiles report rates from.</summary>
public sealed class UserFeatureTable
{
    internal UserFeatureTable(IReadOnlyList<string> featureNames, bool[] log1p, double[] values, string[] userIds,
        int[] sessions, int[] convertingSessions, int[] clickedSessions, int[] dropoffSessions, bool hasSpend, UserFeatureOptions options)
    {
        Options = options;
        FeatureNames = featureNames;
        Log1p = log1p;
        Values = values;
        UserIds = userIds;
        Sessions = sessions;
        ConvertingSessions = convertingSessions;
        ClickedSessions = clickedSessions;
        DropoffSessions = dropoffSessions;
        HasSpend = hasSpend;
    }

    /// <summary>The conversion and click actions the table was built with.</summary>
    public UserFeatureOptions Options { get; }

    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Per feature, whether segmentation takes log(1 + x) before standardizing (counts and durations: heavy tails).</summary>
    public IReadOnlyList<bool> Log1p { get; }

    /// <summary>Row-major, <see cref="Rows"/> × <see cref="FeatureNames"/>.</summary>
    public double[] Values { get; }

    public string[] UserIds { get; }

    public int Rows => UserIds.Length;

    public int[] Sessions { get; }

    /// <summary>Sessions with a conversion event, per user.</summary>
    public int[] ConvertingSessions { get; }

    /// <summary>Sessions with a click-like event, per user.</summary>
    public int[] ClickedSessions { get; }

    /// <summary>Sessions with a click-like event and no conversion, per user.</summary>
    public int[] DropoffSessions { get; }

    /// <summary>Whether some event carries a revenue (price), so that <c>spend</c> is a feature.</summary>
    public bool HasSpend { get; }

    public ReadOnlySpan<double> Row(int r) => Values.AsSpan(r * FeatureNames.Count, FeatureNames.Count);
}

/// <summary>
/// Per-user behavioural features from an event log (sessionized), the input of user segmentation.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>sessions</term><description>the user's sessions (log1p)</description></item>
/// <item><term>events_per_session</term><description>mean events per session (log1p)</description></item>
/// <item><term>session_seconds_mean</term><description>mean seconds from a session's first to its last event (log1p)</description></item>
/// <item><term>active_days</term><description>distinct UTC days with an event (log1p)</description></item>
/// <item><term>sessions_per_day</term><description>frequency: sessions ÷ days from the user's first to last event, at least one day (log1p)</description></item>
/// <item><term>distinct_items, distinct_categories</term><description>distinct items (pages where there are no items) and categories seen (log1p)</description></item>
/// <item><term>interaction_depth</term><description>mean distinct action types per session</description></item>
/// <item><term>click_share</term><description>sessions with a click-like event ÷ sessions</description></item>
/// <item><term>conversion_share</term><description>sessions with a conversion ÷ sessions</description></item>
/// <item><term>dropoff_share</term><description>sessions with a click-like event and no conversion ÷ sessions (a drop-off, as in the session table)</description></item>
/// <item><term>conversions</term><description>conversion events (log1p)</description></item>
/// <item><term>spend</term><description>Σ revenue (price) of the user's conversion events, only when some event has a revenue (log1p)</description></item>
/// </list>
/// </remarks>
public static class UserFeatures
{
    /// <summary>The features of every table, in order; <c>spend</c> follows when the log has revenues.</summary>
    public static IReadOnlyList<string> FixedFeatures { get; } =
    [
        "sessions", "events_per_session", "session_seconds_mean", "active_days", "sessions_per_day", "distinct_items",
        "distinct_categories", "interaction_depth", "click_share", "conversion_share", "dropoff_share", "conversions",
    ];

    /// <summary>The name of the spend feature.</summary>
    public const string Spend = "spend";

    private static readonly bool[] s_fixedLog1p = [true, true, true, true, true, true, true, false, false, false, false, true];

    private const double SecondsPerDay = 86_400;

    /// <summary>Builds one row per user of <paramref name="log"/> (in order of first appearance), whose rows must all have a session.</summary>
    /// <exception cref="ArgumentException">The log is empty, or no event is a conversion (the message lists the actions there are).</exception>
    public static UserFeatureTable Build(EventLog log, UserFeatureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        options = (options ?? UserFeatureOptions.Default).Validate();
        if (log.Count == 0)
            ExaniaThrow.Argument("The log holds no events, so there are no users to segment.", nameof(log));
        var isConversion = LogActions.Mask(log, options.ConversionActions);
        var isClick = LogActions.Mask(log, options.ClickActions);
        var anyConversion = false;
        foreach (var code in log.ActionCodes)
            anyConversion |= isConversion[code];
        if (!anyConversion)
            ExaniaThrow.Argument(
                $"No event is a conversion: none of {string.Join(", ", options.ConversionActions)} occurs. The actions in the events are " +
                $"{LogActions.Present(log)}; name the conversion actions (--conversion).", nameof(UserFeatureOptions.ConversionActions));
        var hasSpend = false;
        foreach (ref readonly var a in log.Attributes)
            hasSpend |= !double.IsNaN(a.Revenue);

        var byUser = SessionIndex.BuildByUser(log);
        var users = byUser.SessionCount;
        var width = FixedFeatures.Count + (hasSpend ? 1 : 0);
        var values = new double[users * width];
        var ids = new string[users];
        var sessions = new int[users];
        var converting = new int[users];
        var clicked = new int[users];
        var dropoff = new int[users];
        var places = new HashSet<int>();
        var categories = new HashSet<int>();
        var sessionStats = new Dictionary<int, SessionStats>();
        var times = log.Timestamps;
        var codes = log.ActionCodes;
        var attributes = log.Attributes;
        var sessionOf = log.SessionIds;
        for (var u = 0; u < users; u++)
        {
            var rows = byUser.Rows(u);
            ids[u] = log.Users[byUser.SessionIds[u]];
            places.Clear();
            categories.Clear();
            sessionStats.Clear();
            var days = 0;
            var lastDay = long.MinValue;
            var conversions = 0;
            var spend = 0.0;
            foreach (var r in rows)
            {
                var t = times[r];
                var code = codes[r];
                ref readonly var a = ref attributes[r];
                var day = (long)Math.Floor(t / SecondsPerDay);
                if (day != lastDay)
                {
                    days++; // rows are time-ordered, so a new day is a day not seen before
                    lastDay = day;
                }
                if (a.Item >= 0) places.Add(2 * a.Item);
                else if (a.Page >= 0) places.Add(2 * a.Page + 1); // items and pages are different pools: keep them apart
                if (a.Category >= 0) categories.Add(a.Category);
                // A user's sessions may interleave in time, so each is looked up by id. Rows are time-ordered: the
                // first row seen starts the session, the last one ends it.
                if (!sessionStats.TryGetValue(sessionOf[r], out var stats))
                    sessionStats[sessionOf[r]] = stats = new SessionStats(t);
                stats.Actions.Add(code);
                stats.Click |= isClick[code];
                stats.Conversion |= isConversion[code];
                stats.Last = t;
                if (isConversion[code])
                {
                    conversions++;
                    if (!double.IsNaN(a.Revenue)) spend += a.Revenue;
                }
            }
            var count = sessionStats.Count;
            var seconds = 0.0;
            var depth = 0.0;
            foreach (var stats in sessionStats.Values)
            {
                seconds += stats.Last - stats.First;
                depth += stats.Actions.Count;
                if (stats.Click) clicked[u]++;
                if (stats.Conversion) converting[u]++;
                if (stats.Click && !stats.Conversion) dropoff[u]++;
            }
            sessions[u] = count;
            var span = (times[rows[^1]] - times[rows[0]]) / SecondsPerDay;
            var row = values.AsSpan(u * width, width);
            row[0] = count;
            row[1] = (double)rows.Length / count;
            row[2] = seconds / count;
            row[3] = days;
            row[4] = count / Math.Max(1.0, span);
            row[5] = places.Count;
            row[6] = categories.Count;
            row[7] = depth / count;
            row[8] = (double)clicked[u] / count;
            row[9] = (double)converting[u] / count;
            row[10] = (double)dropoff[u] / count;
            row[11] = conversions;
            if (hasSpend)
                row[12] = spend;
        }
        var names = new List<string>(FixedFeatures);
        var log1p = new List<bool>(s_fixedLog1p);
        if (hasSpend)
        {
            names.Add(Spend);
            log1p.Add(true);
        }
        return new UserFeatureTable(names, [.. log1p], values, ids, sessions, converting, clicked, dropoff, hasSpend, options);
    }

    private sealed class SessionStats(double first)
    {
        public double First { get; } = first;
        public double Last { get; set; } = first;
        public bool Click { get; set; }
        public bool Conversion { get; set; }
        public HashSet<int> Actions { get; } = [];
    }
}
