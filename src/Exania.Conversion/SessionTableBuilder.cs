using System.Text;
using Exania.Core;
using Exania.Events;

namespace Exania.Conversion;

/// <summary>
/// Builds the session table: for each session, features of its observed prefix and of the user's earlier sessions,
/// and labels from what the whole session did. No feature sees an event after the prefix or a session that starts
/// later (a test removes and scrambles every such event and finds the same features).
/// </summary>
/// <remarks>
/// <para><b>Prefix.</b> The session's events in time order, from its first event t0 up to t0 + observe (inclusive), or up
/// to and including its first click-like event (<see cref="PrefixEnd"/>).</para>
/// <para><b>Labels.</b> <c>conversion</c>: a conversion event after the prefix. <c>clicked</c>: a click-like event anywhere
/// in the session. <c>dropoff</c>: clicked and no conversion. A session whose prefix already holds a conversion is set
/// aside and counted (<see cref="SessionTableReport.ConvertedInPrefix"/>).</para>
/// <para><b>Features</b> (all from the prefix unless said):</para>
/// <list type="table">
/// <item><term>prefix_events, prefix_seconds</term><description>events, and seconds from the first to the last</description></item>
/// <item><term>clicks</term><description>click-like events</description></item>
/// <item><term>seconds_to_first_click</term><description>from t0; the prefix length when there is none (censored)</description></item>
/// <item><term>click_gap_mean</term><description>mean seconds between consecutive clicks (0 below two)</description></item>
/// <item><term>longest_click_run</term><description>most click-like events in a row</description></item>
/// <item><term>page_dwell_mean, page_dwell_max</term><description>time on a page: for each run of consecutive events on
/// one item (or page, where there is no item), from its first event to the next run's first event, or to the prefix's
/// last event for the last run; 0 without pages or items</description></item>
/// <item><term>distinct_pages, distinct_items, distinct_categories</term><description>distinct values seen</description></item>
/// <item><term>distinct_actions</term><description>distinct action types used: the interaction depth</description></item>
/// <item><term>max_scroll_depth</term><description>0 when absent</description></item>
/// <item><term>start_hour, start_weekday</term><description>of t0, UTC; weekday 0 is Monday</description></item>
/// <item><term>previous_sessions</term><description>the user's sessions that started before t0</description></item>
/// <item><term>previous_conversions</term><description>the user's conversion events before t0</description></item>
/// <item><term>days_since_previous</term><description>recency: days from the user's last event before t0; -1 when none</description></item>
/// <item><term>previous_sessions_per_day</term><description>frequency: previous sessions ÷ days from the user's first
/// event to t0 (at least one day); 0 when none</description></item>
/// <item><term>count_&lt;action&gt;</term><description>events of each action that occurs in the log, conversions excepted
/// (always 0 in the table's rows)</description></item>
/// </list>
/// </remarks>
public static class SessionTableBuilder
{
    /// <summary>The features every table has, before the per-action counts.</summary>
    public static IReadOnlyList<string> FixedFeatures { get; } =
    [
        "prefix_events", "prefix_seconds", "clicks", "seconds_to_first_click", "click_gap_mean", "longest_click_run",
        "page_dwell_mean", "page_dwell_max", "distinct_pages", "distinct_items", "distinct_categories",
        "distinct_actions", "max_scroll_depth", "start_hour", "start_weekday", "previous_sessions",
        "previous_conversions", "days_since_previous", "previous_sessions_per_day",
    ];

    private const double SecondsPerDay = 86_400;

    /// <summary>Builds the table of <paramref name="log"/>, whose rows must all have a session (see <see cref="Sessionizer"/>).</summary>
    /// <exception cref="ArgumentException">No event is a conversion (the message lists the actions there are), or the log is empty.</exception>
    public static SessionTable Build(EventLog log, SessionTableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        options = (options ?? SessionTableOptions.Default).Validate();
        if (log.Count == 0)
            ExaniaThrow.Argument("The log holds no events, so there are no sessions to tabulate.", nameof(log));
        var index = SessionIndex.Build(log);
        var isConversion = LogActions.Mask(log, options.ConversionActions);
        var isClick = LogActions.Mask(log, options.ClickActions);
        var actionTotals = new long[log.Actions.Count];
        foreach (var a in log.ActionCodes)
            actionTotals[a]++;
        if (!Enumerable.Range(0, isConversion.Length).Any(a => isConversion[a] && actionTotals[a] > 0))
            ExaniaThrow.Argument(
                $"No event is a conversion: none of {string.Join(", ", options.ConversionActions)} occurs. The actions in the events are " +
                $"{LogActions.Present(log)}; " +
                "name the conversion actions (--conversion).", nameof(SessionTableOptions.ConversionActions));

        // One count column per action that occurs, conversions excepted, in code order.
        var countedActions = Enumerable.Range(0, actionTotals.Length).Where(a => actionTotals[a] > 0 && !isConversion[a]).ToArray();
        var names = new List<string>(FixedFeatures);
        var used = new HashSet<string>(names, StringComparer.Ordinal);
        foreach (var a in countedActions)
            names.Add(UniqueName("count_" + ColumnSafe(log.Actions[a]), used));
        var countColumn = new int[actionTotals.Length];
        Array.Fill(countColumn, -1);
        for (var k = 0; k < countedActions.Length; k++)
            countColumn[countedActions[k]] = FixedFeatures.Count + k;

        var history = UserHistory.Build(log, index, isConversion);
        var width = names.Count;
        var values = new List<double>(index.SessionCount * width);
        var sessionIds = new List<string>(index.SessionCount);
        var userIds = new List<string>(index.SessionCount);
        var clicked = new List<byte>(index.SessionCount);
        var conversion = new List<byte>(index.SessionCount);
        var dropoff = new List<byte>(index.SessionCount);
        var row = new double[width];
        var scratch = new PrefixScratch(log);
        var convertedInPrefix = 0;
        for (var s = 0; s < index.SessionCount; s++)
        {
            var rows = index.Rows(s);
            var prefixLength = PrefixLength(log, rows, options, isClick);
            var convertsInPrefix = false;
            for (var i = 0; i < prefixLength && !convertsInPrefix; i++)
                convertsInPrefix = isConversion[log.ActionCodes[rows[i]]];
            if (convertsInPrefix)
            {
                convertedInPrefix++;
                continue;
            }
            Array.Clear(row);
            scratch.Fill(rows[..prefixLength], options, isClick, countColumn, row);
            var t0 = log.Timestamps[rows[0]];
            var user = log.UserIds[rows[0]];
            history.Fill(user, t0, row);

            var converts = false;
            var clicks = false;
            foreach (var r in rows[prefixLength..])
                converts |= isConversion[log.ActionCodes[r]];
            foreach (var r in rows)
                clicks |= isClick[log.ActionCodes[r]];
            values.AddRange(row);
            sessionIds.Add(log.Sessions[index.SessionIds[s]]);
            userIds.Add(log.Users[user]);
            clicked.Add(clicks ? (byte)1 : (byte)0);
            conversion.Add(converts ? (byte)1 : (byte)0);
            dropoff.Add(clicks && !converts ? (byte)1 : (byte)0);
        }

        var report = new SessionTableReport
        {
            Sessions = index.SessionCount,
            Rows = sessionIds.Count,
            ConvertedInPrefix = convertedInPrefix,
            Conversions = conversion.Count(c => c == 1),
            Clicked = clicked.Count(c => c == 1),
            Dropoffs = dropoff.Count(c => c == 1),
            PrefixEnd = options.PrefixEnd,
            ObserveSeconds = options.PrefixEnd == PrefixEnd.Duration ? options.ObserveSeconds : null,
            ConversionActions = options.ConversionActions,
            ClickActions = options.ClickActions,
            Features = width,
        };
        return new SessionTable(names, [.. values], [.. sessionIds], [.. userIds], [.. clicked], [.. conversion], [.. dropoff], report);
    }

    /// <summary>How many of the session's time-ordered <paramref name="rows"/> form the prefix (at least one).</summary>
    private static int PrefixLength(EventLog log, ReadOnlySpan<int> rows, SessionTableOptions options, bool[] isClick)
    {
        if (options.PrefixEnd == PrefixEnd.FirstClick)
        {
            for (var i = 0; i < rows.Length; i++)
                if (isClick[log.ActionCodes[rows[i]]])
                    return i + 1;
            return rows.Length;
        }
        var end = log.Timestamps[rows[0]] + options.ObserveSeconds;
        var n = 1;
        while (n < rows.Length && log.Timestamps[rows[n]] <= end)
            n++;
        return n;
    }

    /// <summary>An action name as a column name: lower case, anything but letters, digits and _ as _.</summary>
    internal static string ColumnSafe(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
            text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return text.ToString();
    }

    private static string UniqueName(string name, HashSet<string> used)
    {
        var candidate = name;
        for (var k = 2; !used.Add(candidate); k++)
            candidate = $"{name}_{k}";
        return candidate;
    }

    /// <summary>The prefix features of one session, with reusable sets for the distinct counts.</summary>
    private sealed class PrefixScratch(EventLog log)
    {
        private readonly HashSet<int> _pages = [];
        private readonly HashSet<int> _items = [];
        private readonly HashSet<int> _categories = [];
        private readonly HashSet<int> _actions = [];

        public void Fill(ReadOnlySpan<int> prefix, SessionTableOptions options, bool[] isClick, int[] countColumn, double[] row)
        {
            var times = log.Timestamps;
            var codes = log.ActionCodes;
            var attributes = log.Attributes;
            _pages.Clear();
            _items.Clear();
            _categories.Clear();
            _actions.Clear();
            var t0 = times[prefix[0]];
            var last = times[prefix[^1]];
            var clicks = 0;
            var firstClick = double.NaN;
            var previousClick = double.NaN;
            var clickGapSum = 0.0;
            var run = 0;
            var longestRun = 0;
            var maxDepth = 0.0;
            var dwellRuns = 0;
            var dwellSum = 0.0;
            var dwellMax = 0.0;
            var place = -2; // the current run's item or page id (-2: none yet)
            var placeStart = 0.0;
            foreach (var r in prefix)
            {
                var t = times[r];
                var code = codes[r];
                ref readonly var a = ref attributes[r];
                if (countColumn[code] >= 0)
                    row[countColumn[code]]++;
                _actions.Add(code);
                if (a.Page >= 0) _pages.Add(a.Page);
                if (a.Item >= 0) _items.Add(a.Item);
                if (a.Category >= 0) _categories.Add(a.Category);
                if (!double.IsNaN(a.ScrollDepth)) maxDepth = Math.Max(maxDepth, a.ScrollDepth);
                if (isClick[code])
                {
                    clicks++;
                    if (double.IsNaN(firstClick)) firstClick = t;
                    else clickGapSum += t - previousClick;
                    previousClick = t;
                    longestRun = Math.Max(longestRun, ++run);
                }
                else
                {
                    run = 0;
                }
                // Time on a page: a new run starts when the item (or page) changes. Items and pages have ids from
                // different pools, so they are kept apart (even: item, odd: page).
                var here = a.Item >= 0 ? 2 * a.Item : a.Page >= 0 ? 2 * a.Page + 1 : -1;
                if (here >= 0 && here != place)
                {
                    if (place != -2)
                        AddDwell(t - placeStart, ref dwellRuns, ref dwellSum, ref dwellMax);
                    place = here;
                    placeStart = t;
                }
            }
            if (place != -2)
                AddDwell(last - placeStart, ref dwellRuns, ref dwellSum, ref dwellMax);
            var window = options.PrefixEnd == PrefixEnd.Duration ? options.ObserveSeconds : last - t0;
            row[0] = prefix.Length;
            row[1] = last - t0;
            row[2] = clicks;
            row[3] = double.IsNaN(firstClick) ? window : firstClick - t0;
            row[4] = clicks >= 2 ? clickGapSum / (clicks - 1) : 0;
            row[5] = longestRun;
            row[6] = dwellRuns > 0 ? dwellSum / dwellRuns : 0;
            row[7] = dwellMax;
            row[8] = _pages.Count;
            row[9] = _items.Count;
            row[10] = _categories.Count;
            row[11] = _actions.Count;
            row[12] = maxDepth;
            var start = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Floor(t0 * 1000));
            row[13] = start.Hour;
            row[14] = ((int)start.DayOfWeek + 6) % 7;
        }

        private static void AddDwell(double seconds, ref int runs, ref double sum, ref double max)
        {
            runs++;
            sum += seconds;
            max = Math.Max(max, seconds);
        }
    }

    /// <summary>
    /// Per user, the sorted times of every event, of every conversion event and of every session start, so the
    /// history before a session's first event is a few binary searches.
    /// </summary>
    private sealed class UserHistory
    {
        private readonly Segments _events;
        private readonly Segments _conversions;
        private readonly Segments _sessionStarts;

        private UserHistory(Segments events, Segments conversions, Segments sessionStarts)
        {
            _events = events;
            _conversions = conversions;
            _sessionStarts = sessionStarts;
        }

        public static UserHistory Build(EventLog log, SessionIndex index, bool[] isConversion)
        {
            var users = log.Users.Count;
            var times = log.Timestamps;
            var owners = log.UserIds;
            var conversionOwners = new List<int>();
            var conversionTimes = new List<double>();
            for (var i = 0; i < log.Count; i++)
            {
                if (!isConversion[log.ActionCodes[i]]) continue;
                conversionOwners.Add(owners[i]);
                conversionTimes.Add(times[i]);
            }
            var startOwners = new int[index.SessionCount];
            var startTimes = new double[index.SessionCount];
            for (var s = 0; s < index.SessionCount; s++)
            {
                var first = index.Rows(s)[0];
                startOwners[s] = owners[first];
                startTimes[s] = times[first];
            }
            return new UserHistory(
                Segments.Build(users, owners, times),
                Segments.Build(users, [.. conversionOwners], [.. conversionTimes]),
                Segments.Build(users, startOwners, startTimes));
        }

        /// <summary>Writes the four history features of a session of <paramref name="user"/> starting at <paramref name="t0"/>.</summary>
        public void Fill(int user, double t0, double[] row)
        {
            var previousSessions = _sessionStarts.CountBefore(user, t0);
            row[15] = previousSessions;
            row[16] = _conversions.CountBefore(user, t0);
            var eventsBefore = _events.CountBefore(user, t0);
            var userEvents = _events.Of(user);
            row[17] = eventsBefore == 0 ? -1 : (t0 - userEvents[eventsBefore - 1]) / SecondsPerDay;
            row[18] = previousSessions == 0 ? 0 : previousSessions / Math.Max(1.0, (t0 - userEvents[0]) / SecondsPerDay);
        }
    }

    /// <summary>Sorted values grouped by owner (compressed rows): owner k's values are Values[Starts[k]..Starts[k+1]).</summary>
    private sealed class Segments
    {
        private readonly int[] _starts;
        private readonly double[] _values;

        private Segments(int[] starts, double[] values)
        {
            _starts = starts;
            _values = values;
        }

        public static Segments Build(int owners, ReadOnlySpan<int> ownerOf, ReadOnlySpan<double> valueOf)
        {
            var starts = new int[owners + 1];
            foreach (var owner in ownerOf)
                starts[owner + 1]++;
            for (var k = 0; k < owners; k++)
                starts[k + 1] += starts[k];
            var next = (int[])starts.Clone();
            var values = new double[ownerOf.Length];
            for (var i = 0; i < ownerOf.Length; i++)
                values[next[ownerOf[i]]++] = valueOf[i];
            for (var k = 0; k < owners; k++)
                Array.Sort(values, starts[k], starts[k + 1] - starts[k]);
            return new Segments(starts, values);
        }

        public ReadOnlySpan<double> Of(int owner) => _values.AsSpan(_starts[owner], _starts[owner + 1] - _starts[owner]);

        /// <summary>How many of <paramref name="owner"/>'s values are strictly below <paramref name="limit"/>.</summary>
        public int CountBefore(int owner, double limit)
        {
            var values = Of(owner);
            int low = 0, high = values.Length;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (values[middle] < limit) low = middle + 1;
                else high = middle;
            }
            return low;
        }
    }
}
