using Exania.Conversion;

namespace Exania.Dashboard;

/// <summary>
/// A panel's data, or why it has none: <see cref="Missing"/> names the command that produces what is missing (the
/// dashboard never shows invented numbers).
/// </summary>
public sealed record Panel<T>(T? Data, string? Missing)
    where T : class
{
    public static Panel<T> Of(T data) => new(data, null);

    public static Panel<T> Absent(string missing) => new(null, missing);
}

/// <summary>What the store holds, for the filter bar and the pages' choices.</summary>
public sealed record DashboardMeta
{
    public required string Store { get; init; }
    public required long Events { get; init; }
    public required DateOnly? FirstDay { get; init; }
    public required DateOnly? LastDay { get; init; }
    public required IReadOnlyList<string> Actions { get; init; }
    /// <summary>Funnel stages the pages start with: the first of the usual view → cart → purchase names the events hold.</summary>
    public required string DefaultStages { get; init; }
    public required IReadOnlyList<string> Segments { get; init; }
    public required IReadOnlyList<string> Campaigns { get; init; }
    public required IReadOnlyList<string> CampaignTypes { get; init; }
    public required IReadOnlyList<string> BreakdownFields { get; init; }
    public required long CampaignDays { get; init; }
    public required string? RoasModel { get; init; }
    /// <summary>What is not in the store or the models folder, each with the command that produces it.</summary>
    public required IReadOnlyList<string> Missing { get; init; }
    public required DateTimeOffset LoadedAt { get; init; }
}

/// <summary>One UTC day of the overview's trend: sessions count on the day of their first event.</summary>
public sealed record DailyPoint(DateOnly Day, long Events, long Sessions, long ConvertedSessions, double Revenue);

/// <summary>
/// The overview's headline figures. Sessions convert when they hold a conversion action; they drop off when they hold
/// a click-like action (click, cart, add-to-cart) and no conversion (as in the session table). Revenue is the sum of
/// the conversion events' revenue. Spend, campaign revenue and ROAS come from the campaign-day table, null without one.
/// </summary>
public sealed record OverviewReport
{
    public required long Events { get; init; }
    public required long Users { get; init; }
    public required long Sessions { get; init; }
    public required long ConvertedSessions { get; init; }
    public required long ClickSessions { get; init; }
    public required long DroppedSessions { get; init; }
    public required long AdClickSessions { get; init; }
    /// <summary>Converted ÷ sessions (NaN without sessions).</summary>
    public required double ConversionRate { get; init; }
    /// <summary>Dropped ÷ sessions with a click-like event, in percent.</summary>
    public required double DropoffPercent { get; init; }
    /// <summary>Sessions with an ad click ÷ sessions.</summary>
    public required double AdClickRate { get; init; }
    public required double Revenue { get; init; }
    public required double? Spend { get; init; }
    public required double? CampaignRevenue { get; init; }
    public required double? Roas { get; init; }
    public required string? CampaignNote { get; init; }
    public required IReadOnlyList<DailyPoint> Daily { get; init; }
}

/// <summary>One value of a breakdown: units entering the funnel through it, those reaching its last step, and the rates.</summary>
public sealed record BreakdownRow(string Value, long Entered, long Converted, double Efficiency, double DropoffPercent);

/// <summary>Click-to-conversion efficiency and drop-off per value of an event field, from the funnel engine's breakdown.</summary>
public sealed record BreakdownReport(string Field, string Stages, long Groups, IReadOnlyList<BreakdownRow> Rows);

/// <summary>Spend, revenue and ROAS of one campaign, ad type or placement over the filtered campaign-day rows.</summary>
public sealed record SpendRow(string Value, long Days, double Spend, double Revenue, double Roas, double Clicks, double Conversions);

/// <summary>One campaign-day row: its ROAS and the model's prediction for it.</summary>
public sealed record RoasPoint(string CampaignId, DateOnly Day, double Actual, double Predicted);

/// <summary>The ROAS model over the stored campaign-day rows: its feature importance and predicted vs actual.</summary>
public sealed record RoasModelReport
{
    public required string Model { get; init; }
    public required IReadOnlyList<RoasFeatureGain> Importance { get; init; }
    /// <summary>Rows with a ROAS (spend above zero) that were scored.</summary>
    public required long Rows { get; init; }
    public required double Rmse { get; init; }
    public required double R2 { get; init; }
    /// <summary>
    /// The model scores every stored row, its own training rows among them: this is how well it fits the table, not a
    /// held-out error (that is <c>exania train roas</c>'s report).
    /// </summary>
    public required string Note { get; init; }
    /// <summary>At most <see cref="DashboardQueries.MaxScatterPoints"/> rows, evenly spaced in load order.</summary>
    public required IReadOnlyList<RoasPoint> Points { get; init; }
}

/// <summary>A feature's importance (average gain of its splits, as XGBoost's <c>gain</c>).</summary>
public sealed record RoasFeatureGain(string Feature, double Gain);

public sealed record AdSpendReport
{
    public required long Rows { get; init; }
    public required double Spend { get; init; }
    public required double Revenue { get; init; }
    public required double Roas { get; init; }
    public required IReadOnlyList<SpendRow> ByCampaign { get; init; }
    public required IReadOnlyList<SpendRow> ByAdType { get; init; }
    public required IReadOnlyList<SpendRow> ByPlacement { get; init; }
    public required Panel<RoasModelReport> Model { get; init; }
}

/// <summary>One segment over the filtered events: its users, their sessions, conversion and revenue.</summary>
public sealed record SegmentRow(string Segment, long Users, long Sessions, long Events, double SessionsPerUser, double ConversionRate, double RevenuePerUser);

public sealed record SegmentsReport(long UsersWithSegment, long UsersWithout, IReadOnlyList<SegmentRow> Segments);

/// <summary>Events and conversion events by UTC weekday (Monday first), by UTC hour, and per week (from Monday).</summary>
public sealed record SeasonalityReport(IReadOnlyList<long> EventsByWeekday, IReadOnlyList<long> ConversionsByWeekday,
    IReadOnlyList<long> EventsByHour, IReadOnlyList<long> ConversionsByHour, IReadOnlyList<WeekPoint> Weekly);

public sealed record WeekPoint(DateOnly WeekStart, long Events, long Conversions, double Revenue);

/// <summary>The paths engine's report for the filtered events (re-exported so the service names one type per panel).</summary>
public sealed record PathsPanel(PathReport Report);
