using System.Collections.Concurrent;
using Exania.Conversion;
using Exania.Core;
using Exania.Events;
using Exania.Roas;
using Exania.Store;
using Exania.Trees;

namespace Exania.Dashboard;

/// <summary>Which actions the dashboard's headline rates count. Defaults live here, once.</summary>
public sealed record DashboardOptions
{
    public static DashboardOptions Default { get; } = new();

    /// <summary>Conversion actions (as the session table: buy, purchase, transaction).</summary>
    public IReadOnlyList<string> ConversionActions { get; init; } = SessionTableOptions.Default.ConversionActions;

    /// <summary>Click-like actions: a session with one and no conversion is a drop-off.</summary>
    public IReadOnlyList<string> ClickActions { get; init; } = SessionTableOptions.Default.ClickActions;

    /// <summary>Ad clicks (the generator's <c>click_ad</c>).</summary>
    public IReadOnlyList<string> AdClickActions { get; init; } = [KnownActions.Names[KnownActions.ClickAd], "ad_click"];

    /// <summary>Filtered logs and panel results kept for repeated requests (a page load asks for several panels of one filter).</summary>
    public int CacheEntries { get; init; } = 64;
}

/// <summary>
/// Every figure of the dashboard, computed from one <see cref="DashboardSnapshot"/> by the library engines: the funnel
/// (<see cref="Funnel"/>), paths (<see cref="Paths"/>), retention (<see cref="Retention"/>) and the ROAS trees
/// (<see cref="RoasTrainer.Predict"/>), on the events the filter selects. Thread-safe: results are cached per filter
/// and parameters, bounded by <see cref="DashboardOptions.CacheEntries"/>, and discarded with the snapshot.
/// </summary>
public sealed class DashboardQueries
{
    /// <summary>Most campaign-day rows the predicted-vs-actual scatter sends.</summary>
    public const int MaxScatterPoints = 2000;

    /// <summary>Most rows of a spend or breakdown table.</summary>
    public const int MaxTableRows = 25;

    private static readonly string[] s_usualStages = ["view", "pv", "cart", "addtocart", "purchase", "buy", "transaction"];

    private readonly ConcurrentDictionary<string, Lazy<object>> _cache = new(StringComparer.Ordinal);
    private readonly bool[] _isConversion;
    private readonly bool[] _isClick;
    private readonly bool[] _isAdClick;

    public DashboardQueries(DashboardSnapshot snapshot, DashboardOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Snapshot = snapshot;
        Options = options ?? DashboardOptions.Default;
        _isConversion = LogActions.Mask(snapshot.Events, Options.ConversionActions);
        _isClick = LogActions.Mask(snapshot.Events, Options.ClickActions);
        _isAdClick = LogActions.Mask(snapshot.Events, Options.AdClickActions);
        _segmentNames = [.. new SortedSet<string>(snapshot.Segments.Values, StringComparer.Ordinal)];
        var index = _segmentNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        // Once per snapshot: a filtered log shares the snapshot's pools (EventLog.Select), so its user ids index this too.
        _segmentOfUser = new int[snapshot.Events.Users.Count];
        for (var u = 0; u < _segmentOfUser.Length; u++)
            _segmentOfUser[u] = snapshot.Segments.TryGetValue(snapshot.Events.Users[u], out var name) ? index[name] : -1;
    }

    private readonly List<string> _segmentNames;
    private readonly int[] _segmentOfUser;

    public DashboardSnapshot Snapshot { get; }

    public DashboardOptions Options { get; }

    /// <summary>What the store holds: the filter bar's choices and what is missing.</summary>
    public DashboardMeta Meta() => Cached("meta", DashboardFilter.None, () =>
    {
        var log = Snapshot.Events;
        var times = log.Timestamps;
        DateOnly? first = null, last = null;
        if (log.Count > 0)
        {
            var (min, max) = (double.PositiveInfinity, double.NegativeInfinity);
            foreach (var t in times)
            {
                min = Math.Min(min, t);
                max = Math.Max(max, t);
            }
            (first, last) = (DashboardFilter.DayOf(min), DashboardFilter.DayOf(max));
        }
        var present = new bool[log.Actions.Count];
        foreach (var code in log.ActionCodes)
            present[code] = true;
        var actions = Enumerable.Range(0, present.Length).Where(c => present[c]).Select(c => log.Actions[c]).ToList();
        var campaigns = new SortedSet<string>(log.Campaigns.Values, StringComparer.Ordinal);
        var types = new SortedSet<string>(log.AdTypes.Values, StringComparer.Ordinal);
        foreach (var row in Snapshot.CampaignDays)
        {
            campaigns.Add(row.CampaignId);
            if (row.AdType is not null) types.Add(row.AdType);
        }
        var missing = new List<string>();
        if (log.Count == 0)
            missing.Add("No events in the store: run `exania ingest --events events.csv --db <this store>`.");
        if (Snapshot.CampaignDays.Count == 0)
            missing.Add(NoCampaignDays);
        if (Snapshot.Segments.Count == 0)
            missing.Add(NoSegments);
        if (Snapshot.RoasModelProblem is { } problem)
            missing.Add(problem);
        return new DashboardMeta
        {
            Store = Snapshot.Store,
            Events = log.Count,
            FirstDay = first,
            LastDay = last,
            Actions = actions,
            DefaultStages = DefaultStages(actions),
            Segments = [.. new SortedSet<string>(Snapshot.Segments.Values, StringComparer.Ordinal)],
            Campaigns = [.. campaigns],
            CampaignTypes = [.. types],
            BreakdownFields = [.. EventValues.Fields.Where(f => f != EventField.Action).Select(EventFields.Name)],
            CampaignDays = Snapshot.CampaignDays.Count,
            RoasModel = Snapshot.RoasModelPath is null ? null : Path.GetFileName(Snapshot.RoasModelPath),
            Missing = missing,
            LoadedAt = Snapshot.LoadedAt,
        };
    });

    /// <summary>The headline figures and the daily trend of the filtered events (and campaign-day rows).</summary>
    public OverviewReport Overview(DashboardFilter filter) => Cached("overview", filter, () =>
    {
        var log = Filtered(filter);
        var sessions = log.Sessions.Count;
        var flags = new byte[sessions];
        var firstTime = new double[sessions];
        Array.Fill(firstTime, double.PositiveInfinity);
        var seenUser = new bool[log.Users.Count];
        var codes = log.ActionCodes;
        var times = log.Timestamps;
        var sessionOf = log.SessionIds;
        var userOf = log.UserIds;
        var attributes = log.Attributes;
        var revenue = 0.0;
        var users = 0L;
        // Per UTC day, in arrays over the log's span of days (a dictionary lookup per event would cost more than the rest).
        var (firstDay, days) = DaySpan(times);
        var dayEvents = new long[days];
        var dayRevenue = new double[days];
        var daySessions = new long[days];
        var dayConverted = new long[days];
        for (var i = 0; i < log.Count; i++)
        {
            var code = codes[i];
            var s = sessionOf[i];
            var conversion = _isConversion[code];
            flags[s] |= (byte)(Present | (conversion ? Converted : 0) | (_isClick[code] ? Clicked : 0) | (_isAdClick[code] ? AdClicked : 0));
            if (times[i] < firstTime[s]) firstTime[s] = times[i];
            if (!seenUser[userOf[i]])
            {
                seenUser[userOf[i]] = true;
                users++;
            }
            var day = (int)(Math.Floor(times[i] / SecondsPerDay) - firstDay);
            dayEvents[day]++;
            if (conversion && !double.IsNaN(attributes[i].Revenue))
            {
                revenue += attributes[i].Revenue;
                dayRevenue[day] += attributes[i].Revenue;
            }
        }
        long present = 0, converted = 0, clicked = 0, dropped = 0, adClicked = 0;
        for (var s = 0; s < sessions; s++)
        {
            var f = flags[s];
            if ((f & Present) == 0) continue;
            present++;
            var isConverted = (f & Converted) != 0;
            if (isConverted) converted++;
            if ((f & Clicked) != 0)
            {
                clicked++;
                if (!isConverted) dropped++;
            }
            if ((f & AdClicked) != 0) adClicked++;
            var day = (int)(Math.Floor(firstTime[s] / SecondsPerDay) - firstDay);
            daySessions[day]++;
            if (isConverted) dayConverted[day]++;
        }
        var daily = new List<DailyPoint>();
        for (var d = 0; d < days; d++)
            if (dayEvents[d] > 0)
                daily.Add(new DailyPoint(DayNumber(firstDay + d), dayEvents[d], daySessions[d], dayConverted[d], dayRevenue[d]));
        var campaignRows = FilteredCampaignDays(filter);
        double? spend = null, campaignRevenue = null, roas = null;
        string? note = null;
        if (Snapshot.CampaignDays.Count == 0)
            note = NoCampaignDays;
        else
        {
            var (sumSpend, sumRevenue) = Sums(campaignRows);
            (spend, campaignRevenue, roas) = (sumSpend, sumRevenue, sumSpend > 0 ? sumRevenue / sumSpend : double.NaN);
            if (filter.Segment is not null)
                note = "Spend, campaign revenue and ROAS come from the campaign-day table, which has no users: the segment filter does not narrow them.";
        }
        return new OverviewReport
        {
            Events = log.Count,
            Users = users,
            Sessions = present,
            ConvertedSessions = converted,
            ClickSessions = clicked,
            DroppedSessions = dropped,
            AdClickSessions = adClicked,
            ConversionRate = Ratio(converted, present),
            DropoffPercent = 100 * Ratio(dropped, clicked),
            AdClickRate = Ratio(adClicked, present),
            Revenue = revenue,
            Spend = spend,
            CampaignRevenue = campaignRevenue,
            Roas = roas,
            CampaignNote = note,
            Daily = daily,
        };
    });

    /// <summary>The funnel of <paramref name="stages"/> (<see cref="FunnelStep.ParseList"/>) over the filtered events.</summary>
    /// <exception cref="ArgumentException">Bad stages, or a stage no event has (the message lists the actions).</exception>
    public FunnelReport Funnel(DashboardFilter filter, string stages, FunnelUnit countBy, double windowSeconds) =>
        Cached($"funnel\u001f{stages}\u001f{countBy}\u001f{windowSeconds:R}", filter, () =>
            Conversion.Funnel.Count(Filtered(filter), new FunnelOptions { Steps = FunnelStep.ParseList(stages), CountBy = countBy, WindowSeconds = windowSeconds }));

    /// <summary>Top conversion and abandonment paths of the filtered sessions; absent when no filtered event is a conversion.</summary>
    public Panel<PathsPanel> Paths(DashboardFilter filter, int length) => Cached($"paths\u001f{length}", filter, () =>
    {
        var log = Filtered(filter);
        if (!HasConversion(log))
            return Panel<PathsPanel>.Absent(NoConversionMessage(log));
        var report = Conversion.Paths.Count(log, new PathOptions { Length = length, Top = 10, ConversionActions = Options.ConversionActions }.Validate());
        return Panel<PathsPanel>.Of(new PathsPanel(report));
    });

    /// <summary>
    /// Click-to-conversion efficiency and drop-off per value of <paramref name="field"/>: the funnel engine's breakdown
    /// of <paramref name="stages"/> by sessions, each attributed to its entry event's value.
    /// </summary>
    public BreakdownReport Breakdown(DashboardFilter filter, EventField field, string stages, double windowSeconds) =>
        Cached($"breakdown\u001f{field}\u001f{stages}\u001f{windowSeconds:R}", filter, () =>
        {
            EventValues.Validate(field, nameof(DashboardQueries), nameof(field));
            var report = Conversion.Funnel.Count(Filtered(filter), new FunnelOptions
            {
                Steps = FunnelStep.ParseList(stages),
                CountBy = FunnelUnit.Session,
                WindowSeconds = windowSeconds,
                Breakdown = new FunnelBreakdown { Property = field, Attribution = FunnelAttribution.FirstStep, Top = MaxTableRows },
            });
            var rows = new List<BreakdownRow>();
            foreach (var group in report.Breakdown!.Shown)
            {
                var entered = group.Steps[0].Count;
                var converted = group.Steps[^1].Count;
                rows.Add(new BreakdownRow(group.Value, entered, converted, Ratio(converted, entered), 100 * Ratio(entered - converted, entered)));
            }
            return new BreakdownReport(EventFields.Name(field), stages, report.Breakdown.Groups, rows);
        });

    /// <summary>Spend, revenue and ROAS by campaign, ad type and placement; the ROAS model's importance and predicted vs actual.</summary>
    public Panel<AdSpendReport> AdSpend(DashboardFilter filter) => Cached("adspend", filter, () =>
    {
        if (Snapshot.CampaignDays.Count == 0)
            return Panel<AdSpendReport>.Absent(NoCampaignDays);
        var rows = FilteredCampaignDays(filter);
        var (spend, revenue) = Sums(rows);
        return Panel<AdSpendReport>.Of(new AdSpendReport
        {
            Rows = rows.Count,
            Spend = spend,
            Revenue = revenue,
            Roas = spend > 0 ? revenue / spend : double.NaN,
            ByCampaign = SpendBy(rows, r => r.CampaignId),
            ByAdType = SpendBy(rows, r => r.AdType ?? "(none)"),
            ByPlacement = SpendBy(rows, r => r.Placement ?? "(none)"),
            Model = RoasModelPanel(rows),
        });
    });

    /// <summary>Segment sizes and profiles over the filtered events; absent when the store holds no segmentation.</summary>
    public Panel<SegmentsReport> Segments(DashboardFilter filter) => Cached("segments", filter, () =>
    {
        if (Snapshot.Segments.Count == 0)
            return Panel<SegmentsReport>.Absent(NoSegments);
        var log = Filtered(filter);
        var names = _segmentNames;
        var segmentOfUser = _segmentOfUser;
        var k = names.Count;
        var users = new long[k];
        var sessions = new long[k];
        var events = new long[k];
        var convertedSessions = new long[k];
        var revenue = new double[k];
        var userSeen = new bool[log.Users.Count];
        var sessionSeen = new byte[log.Sessions.Count];
        var codes = log.ActionCodes;
        var attributes = log.Attributes;
        long without = 0;
        for (var i = 0; i < log.Count; i++)
        {
            var u = log.UserIds[i];
            var g = segmentOfUser[u];
            if (!userSeen[u])
            {
                userSeen[u] = true;
                if (g >= 0) users[g]++;
                else without++;
            }
            if (g < 0) continue;
            events[g]++;
            var s = log.SessionIds[i];
            if ((sessionSeen[s] & Present) == 0)
            {
                sessionSeen[s] |= Present;
                sessions[g]++;
            }
            if (_isConversion[codes[i]])
            {
                if ((sessionSeen[s] & Converted) == 0)
                {
                    sessionSeen[s] |= Converted;
                    convertedSessions[g]++;
                }
                if (!double.IsNaN(attributes[i].Revenue)) revenue[g] += attributes[i].Revenue;
            }
        }
        var rows = new List<SegmentRow>(k);
        for (var g = 0; g < k; g++)
            rows.Add(new SegmentRow(names[g], users[g], sessions[g], events[g], Ratio(sessions[g], users[g]), Ratio(convertedSessions[g], sessions[g]), users[g] == 0 ? double.NaN : revenue[g] / users[g]));
        return Panel<SegmentsReport>.Of(new SegmentsReport(users.Sum(), without, rows));
    });

    /// <summary>Events and conversions by weekday, by hour and per week (UTC).</summary>
    public SeasonalityReport Seasonality(DashboardFilter filter) => Cached("seasonality", filter, () =>
    {
        var log = Filtered(filter);
        var byWeekday = new long[7];
        var conversionsByWeekday = new long[7];
        var byHour = new long[24];
        var conversionsByHour = new long[24];
        var codes = log.ActionCodes;
        var times = log.Timestamps;
        var attributes = log.Attributes;
        var (firstDay, days) = DaySpan(times);
        // Weeks from Monday: 1970-01-01 was a Thursday, so day d is weekday (d + 3) mod 7 with Monday = 0.
        var firstWeekStart = firstDay - Weekday(firstDay);
        var weekCount = (int)((firstDay + days - firstWeekStart + 6) / 7);
        var weekEvents = new long[weekCount];
        var weekConversions = new long[weekCount];
        var weekRevenue = new double[weekCount];
        for (var i = 0; i < log.Count; i++)
        {
            var day = (long)Math.Floor(times[i] / SecondsPerDay);
            var weekday = Weekday(day);
            var hour = Math.Clamp((int)Math.Floor((times[i] - day * SecondsPerDay) / 3600.0), 0, 23);
            var week = (int)((day - firstWeekStart) / 7);
            byWeekday[weekday]++;
            byHour[hour]++;
            weekEvents[week]++;
            if (_isConversion[codes[i]])
            {
                conversionsByWeekday[weekday]++;
                conversionsByHour[hour]++;
                weekConversions[week]++;
                if (!double.IsNaN(attributes[i].Revenue)) weekRevenue[week] += attributes[i].Revenue;
            }
        }
        var weekly = new List<WeekPoint>();
        for (var w = 0; w < weekCount; w++)
            if (weekEvents[w] > 0)
                weekly.Add(new WeekPoint(DayNumber(firstWeekStart + 7L * w), weekEvents[w], weekConversions[w], weekRevenue[w]));
        return new SeasonalityReport(byWeekday, conversionsByWeekday, byHour, conversionsByHour, weekly);
    });

    /// <summary>Retention cohorts of the filtered users (any event starts a cohort and counts as a return).</summary>
    public Panel<RetentionReport> Retention(DashboardFilter filter, RetentionPeriod period) => Cached($"retention\u001f{period}", filter, () =>
    {
        var log = Filtered(filter);
        if (log.Count == 0)
            return Panel<RetentionReport>.Absent("No events match the filters.");
        var options = new RetentionOptions { Period = period, Periods = period == RetentionPeriod.Day ? 14 : 8 };
        return Panel<RetentionReport>.Of(Conversion.Retention.Compute(log, options));
    });

    /// <summary>The events the filter selects: the snapshot's own log when it selects them all. Cached.</summary>
    public EventLog Filtered(DashboardFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        filter.Validate();
        if (filter.IsEmpty)
            return Snapshot.Events;
        // Filtered logs are large (up to the snapshot's size each): a few are kept, apart from the small panel results.
        if (_logs.Count >= MaxCachedLogs)
            _logs.Clear();
        return _logs.GetOrAdd(filter.Key, _ => new Lazy<EventLog>(() => Select(filter), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>Filtered logs kept at once.</summary>
    public const int MaxCachedLogs = 4;

    private readonly ConcurrentDictionary<string, Lazy<EventLog>> _logs = new(StringComparer.Ordinal);

    /// <summary>The campaign-day rows the filter selects (the segment does not apply to them), in load order.</summary>
    public List<CampaignDay> FilteredCampaignDays(DashboardFilter filter)
    {
        var from = filter.From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var to = filter.To?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var rows = new List<CampaignDay>();
        foreach (var row in Snapshot.CampaignDays)
        {
            // ISO dates compare as text in calendar order.
            if (from is not null && string.CompareOrdinal(row.Day, from) < 0) continue;
            if (to is not null && string.CompareOrdinal(row.Day, to) > 0) continue;
            if (filter.Campaign is not null && row.CampaignId != filter.Campaign) continue;
            if (filter.CampaignType is not null && row.AdType != filter.CampaignType) continue;
            rows.Add(row);
        }
        return rows;
    }

    private EventLog Select(DashboardFilter filter)
    {
        var log = Snapshot.Events;
        var n = log.Count;
        bool[]? userIn = null;
        if (filter.Segment is { } segment)
        {
            var wanted = _segmentNames.IndexOf(segment); // -1 for a segment the store does not hold: no user is in it
            userIn = new bool[log.Users.Count];
            for (var u = 0; u < userIn.Length; u++)
                userIn[u] = wanted >= 0 && _segmentOfUser[u] == wanted;
        }
        bool[]? sessionIn = null;
        if (filter.Campaign is not null || filter.CampaignType is not null)
        {
            var campaign = filter.Campaign is null ? -1 : log.Campaigns.IndexOf(filter.Campaign);
            var adType = filter.CampaignType is null ? -1 : log.AdTypes.IndexOf(filter.CampaignType);
            var campaignMatch = new bool[log.Sessions.Count];
            var typeMatch = new bool[log.Sessions.Count];
            var attributes = log.Attributes;
            var sessionOf = log.SessionIds;
            for (var i = 0; i < n; i++)
            {
                if (campaign >= 0 && attributes[i].Campaign == campaign) campaignMatch[sessionOf[i]] = true;
                if (adType >= 0 && attributes[i].AdType == adType) typeMatch[sessionOf[i]] = true;
            }
            sessionIn = new bool[log.Sessions.Count];
            for (var s = 0; s < sessionIn.Length; s++)
                sessionIn[s] = (filter.Campaign is null || campaignMatch[s]) && (filter.CampaignType is null || typeMatch[s]);
        }
        var from = filter.FromSeconds ?? double.NegativeInfinity;
        var before = filter.BeforeSeconds ?? double.PositiveInfinity;
        var rows = new List<int>();
        var times = log.Timestamps;
        for (var i = 0; i < n; i++)
        {
            if (times[i] < from || times[i] >= before) continue;
            if (userIn is not null && !userIn[log.UserIds[i]]) continue;
            if (sessionIn is not null && !sessionIn[log.SessionIds[i]]) continue;
            rows.Add(i);
        }
        return rows.Count == n ? log : log.Select(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows));
    }

    private Panel<RoasModelReport> RoasModelPanel(List<CampaignDay> rows)
    {
        if (Snapshot.RoasModel is not { } model)
            return Panel<RoasModelReport>.Absent(Snapshot.RoasModelProblem ?? "No ROAS model.");
        var scored = rows.Where(r => r.Spend > 0 && double.IsFinite(r.Revenue)).ToList();
        if (scored.Count == 0)
            return Panel<RoasModelReport>.Absent("No campaign-day row in the filters has spend above zero and a revenue: there is no ROAS to compare with.");
        double[] predicted;
        try
        {
            predicted = RoasTrainer.Predict(model, CampaignDay.ToTable(scored));
        }
        catch (ArgumentException e)
        {
            return Panel<RoasModelReport>.Absent($"The ROAS model does not fit the stored campaign-day table: {e.Message}");
        }
        var actual = scored.Select(r => r.Roas).ToArray();
        var step = Math.Max(1, (scored.Count + MaxScatterPoints - 1) / MaxScatterPoints);
        var points = new List<RoasPoint>();
        for (var i = 0; i < scored.Count; i += step)
            points.Add(new RoasPoint(scored[i].CampaignId, DateOnly.ParseExact(scored[i].Day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), actual[i], predicted[i]));
        return Panel<RoasModelReport>.Of(new RoasModelReport
        {
            Model = Path.GetFileName(Snapshot.RoasModelPath!),
            Importance = [.. model.Importance(GbtImportanceType.Gain).Take(15).Select(f => new RoasFeatureGain(f.Feature, f.Value))],
            Rows = scored.Count,
            Rmse = Metrics.Rmse(predicted, actual),
            R2 = Metrics.R2(predicted, actual),
            Note = "Scored on every stored row in the filters, training rows included: the fit to this table, not a held-out error (see `exania train roas`).",
            Points = points,
        });
    }

    private static List<SpendRow> SpendBy(List<CampaignDay> rows, Func<CampaignDay, string> key)
    {
        var groups = new Dictionary<string, (long Days, double Spend, double Revenue, double Clicks, double Conversions)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            groups.TryGetValue(key(row), out var g);
            groups[key(row)] = (g.Days + 1, g.Spend + Zero(row.Spend), g.Revenue + Zero(row.Revenue), g.Clicks + Zero(row.Clicks), g.Conversions + Zero(row.Conversions));
        }
        return [.. groups.Select(p => new SpendRow(p.Key, p.Value.Days, p.Value.Spend, p.Value.Revenue, p.Value.Spend > 0 ? p.Value.Revenue / p.Value.Spend : double.NaN, p.Value.Clicks, p.Value.Conversions))
            .OrderByDescending(r => r.Spend).ThenBy(r => r.Value, StringComparer.Ordinal).Take(MaxTableRows)];
    }

    private static (double Spend, double Revenue) Sums(List<CampaignDay> rows)
    {
        var (spend, revenue) = (0.0, 0.0);
        foreach (var row in rows)
        {
            spend += Zero(row.Spend);
            revenue += Zero(row.Revenue);
        }
        return (spend, revenue);
    }

    private bool HasConversion(EventLog log)
    {
        var mask = LogActions.Mask(log, Options.ConversionActions);
        foreach (var code in log.ActionCodes)
            if (mask[code]) return true;
        return false;
    }

    private string NoConversionMessage(EventLog log) => log.Count == 0
        ? "No events match the filters."
        : $"No event in the filters is a conversion ({string.Join(", ", Options.ConversionActions)}); the actions are {LogActions.Present(log)}.";

    private static string DefaultStages(List<string> actions)
    {
        var stages = new List<string>();
        foreach (var group in new[] { new[] { "view", "pv" }, ["cart", "addtocart", "add_to_cart"], ["purchase", "buy", "transaction"] })
            if (group.FirstOrDefault(actions.Contains) is { } action) stages.Add(action);
        if (stages.Count >= 2)
            return string.Join(',', stages);
        return string.Join(',', actions.Where(a => s_usualStages.Contains(a) || KnownActions.Names.Contains(a)).Take(3).DefaultIfEmpty(actions.FirstOrDefault() ?? "view"));
    }

    private T Cached<T>(string what, DashboardFilter filter, Func<T> compute)
        where T : class
    {
        if (_cache.Count >= Options.CacheEntries)
            _cache.Clear(); // bounded: a burst of distinct filters costs recomputation, never memory without end
        var key = what + "\u001e" + filter.Key;
        var lazy = _cache.GetOrAdd(key, _ => new Lazy<object>(() => compute(), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return (T)lazy.Value;
        }
        catch
        {
            _cache.TryRemove(key, out _); // a failure (bad stages) is not kept
            throw;
        }
    }

    private const double SecondsPerDay = 86_400.0;

    /// <summary>The first UTC day (days since 1970-01-01) of the timestamps and the number of days to the last; (0, 0) when empty.</summary>
    private static (long First, int Days) DaySpan(ReadOnlySpan<double> times)
    {
        if (times.IsEmpty)
            return (0, 0);
        var min = System.Numerics.Tensors.TensorPrimitives.Min(times);
        var max = System.Numerics.Tensors.TensorPrimitives.Max(times);
        var first = (long)Math.Floor(min / SecondsPerDay);
        return (first, (int)((long)Math.Floor(max / SecondsPerDay) - first + 1));
    }

    private static int Weekday(long day) => (int)(((day + 3) % 7 + 7) % 7);

    private static DateOnly DayNumber(long daysSinceEpoch) => DateOnly.FromDayNumber(s_epochDayNumber + (int)daysSinceEpoch);

    private static readonly int s_epochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    private static double Zero(double value) => double.IsNaN(value) ? 0 : value;

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? double.NaN : (double)numerator / denominator;

    private const byte Present = 1, Converted = 2, Clicked = 4, AdClicked = 8;

    internal const string NoCampaignDays = "No campaign-day table in the store: run `exania ingest --campaigns campaigns.csv --db <this store>` " +
                                           "(campaigns.csv as `exania generate campaigns` writes it, or your own with campaign_id, date, spend and revenue).";

    internal const string NoSegments = "No segmentation in the store: run `exania segment --events events.csv --out segments/`, then " +
                                       "`exania ingest --segments segments/segment_assignments.csv --db <this store>`.";
}
