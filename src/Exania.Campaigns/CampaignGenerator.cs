using System.Globalization;

namespace Exania.Campaigns;

/// <summary>Options of <see cref="CampaignGenerator"/>. Defaults live here, once.</summary>
public sealed record CampaignGeneratorOptions
{
    public static CampaignGeneratorOptions Default { get; } = new();

    public int Seed { get; init; } = 1;

    /// <summary>Rows (campaign-days) to generate.</summary>
    public int Rows { get; init; } = 20_000;

    /// <summary>Fraction of feature cells left empty (spend, revenue and the ids are always present).</summary>
    public double MissingRate { get; init; } = 0.10;

    /// <summary>First possible campaign start.</summary>
    public DateOnly Start { get; init; } = new(2026, 1, 1);

    /// <summary>Campaign starts are spread over this many days.</summary>
    public int StartSpreadDays { get; init; } = 150;

    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public CampaignGeneratorOptions Validate()
    {
        if (Rows < 1)
            throw new ArgumentOutOfRangeException(nameof(Rows), Rows, "Rows must be at least 1.");
        if (MissingRate is < 0 or >= 1 || double.IsNaN(MissingRate))
            throw new ArgumentOutOfRangeException(nameof(MissingRate), MissingRate, "The missing rate must be in [0, 1).");
        if (StartSpreadDays < 1)
            throw new ArgumentOutOfRangeException(nameof(StartSpreadDays), StartSpreadDays, "The start spread must be at least one day.");
        return this;
    }
}

/// <summary>
/// Synthetic campaign-day rows for the ROAS model, with the non-linear structure real ad spend has:
/// <list type="bullet">
/// <item>ad type × placement: each pair has its own base return (video does well in the feed and badly in a sidebar,
/// search ads only pay on search results);</item>
/// <item>saturation: return per unit falls as daily spend grows (revenue ∝ spend^0.7);</item>
/// <item>reach versus targeting: targeted and retargeting audiences convert better but cost more per impression;
/// broad reach is cheap and converts worse;</item>
/// <item>day of week × ad type × device: leisure formats on phones pay at weekends, search on desktops on
/// weekdays;</item>
/// <item>cold start: a campaign's conversion rate ramps up over its first days (1 − e^(−days/6)), and the trailing
/// 7-day ROAS (<c>hist_roas_7d</c>) is missing on a campaign's first day;</item>
/// <item>about 1% paused days with zero spend (ROAS undefined), and <see cref="CampaignGeneratorOptions.MissingRate"/>
/// of the feature cells empty.</item>
/// </list>
/// The <c>roas</c> column is revenue / spend, empty on paused days. Deterministic for a seed: one <see cref="Random"/>
/// drives everything in row order.
/// </summary>
public static class CampaignGenerator
{
    private static readonly string[] s_adTypes = ["banner", "video", "native", "search", "social"];
    private static readonly string[] s_placements = ["feed", "sidebar", "header", "in_article", "search_results"];
    private static readonly string[] s_audiences = ["broad", "targeted", "lookalike", "retargeting"];
    private static readonly string[] s_devices = ["mobile", "desktop", "tablet"];

    // Base return of an ad type (rows) in a placement (columns): the interaction a linear model cannot see.
    private static readonly double[,] s_typeByPlacement =
    {
        // feed  sidebar header in_article search_results
        { 0.9, 1.1, 1.3, 0.8, 0.4 },   // banner
        { 2.6, 0.5, 1.0, 1.8, 0.3 },   // video
        { 1.6, 0.7, 0.6, 2.2, 0.5 },   // native
        { 0.3, 0.2, 0.3, 0.4, 3.4 },   // search
        { 2.1, 0.6, 0.5, 0.9, 0.4 },   // social
    };

    private static readonly double[] s_audienceConversion = [0.6, 1.5, 1.1, 2.0];
    private static readonly double[] s_audienceCpm = [1.0, 3.0, 2.0, 4.0];
    private static readonly double[] s_deviceFactor = [0.85, 1.15, 1.0];

    /// <summary>The generated table's columns, in order.</summary>
    public static IReadOnlyList<string> ColumnNames { get; } =
    [
        "campaign_id", "date", "start_date", "days_active", "weekday", "ad_type", "placement", "audience", "device",
        "impressions", "clicks", "ctr", "conversions", "conversion_rate", "spend", "revenue", "hist_roas_7d", "roas",
    ];

    public static CampaignTable Generate(CampaignGeneratorOptions? options = null)
    {
        options = (options ?? CampaignGeneratorOptions.Default).Validate();
        var random = new Random(options.Seed);
        var n = options.Rows;
        var campaignId = new string?[n];
        var date = new string?[n];
        var startDate = new string?[n];
        var daysActive = new double[n];
        var weekday = new double[n];
        var adType = new string?[n];
        var placement = new string?[n];
        var audience = new string?[n];
        var device = new string?[n];
        var impressions = new double[n];
        var clicks = new double[n];
        var ctr = new double[n];
        var conversions = new double[n];
        var conversionRate = new double[n];
        var spend = new double[n];
        var revenue = new double[n];
        var history = new double[n];
        var roas = new double[n];

        var row = 0;
        var campaign = 0;
        var trailing = new Queue<(double Spend, double Revenue)>();
        while (row < n)
        {
            campaign++;
            var id = $"c{campaign:D6}";
            var type = random.Next(s_adTypes.Length);
            var place = random.Next(s_placements.Length);
            var aud = random.Next(s_audiences.Length);
            var dev = random.Next(s_devices.Length);
            var quality = Math.Exp(0.35 * Normal(random));
            var budget = Math.Max(20, Math.Exp(Math.Log(150) + 0.6 * Normal(random)));
            var start = options.Start.AddDays(random.Next(options.StartSpreadDays));
            var duration = 5 + random.Next(60);
            var orderValue = 15 + 8 * type + 10 * random.NextDouble();
            trailing.Clear();
            for (var day = 1; day <= duration && row < n; day++, row++)
            {
                campaignId[row] = id;
                var today = start.AddDays(day - 1);
                date[row] = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                startDate[row] = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                daysActive[row] = day;
                var dow = (int)today.DayOfWeek;
                weekday[row] = dow;
                adType[row] = s_adTypes[type];
                placement[row] = s_placements[place];
                audience[row] = s_audiences[aud];
                device[row] = s_devices[dev];

                var paused = random.NextDouble() < 0.01;
                var dailySpend = paused ? 0 : Math.Round(budget * Math.Exp(0.25 * Normal(random)), 2);
                var cpm = s_audienceCpm[aud] * (place == 2 ? 1.6 : 1.0) * Math.Exp(0.15 * Normal(random));
                var shown = Math.Round(dailySpend / cpm * 1000);
                var baseCtr = 0.004 + 0.006 * s_typeByPlacement[type, place] / 3.4;
                var clickRate = Math.Clamp(baseCtr * s_deviceFactor[dev] * Math.Exp(0.2 * Normal(random)), 0.0005, 0.2);
                var clicked = Math.Round(shown * clickRate);
                var ramp = 1 - Math.Exp(-day / 6.0);
                var conversionProbability = Math.Clamp(0.06 * s_audienceConversion[aud] * quality * (0.25 + 0.75 * ramp)
                    * Math.Sqrt(s_typeByPlacement[type, place]), 0, 0.9);
                var converted = Math.Round(clicked * conversionProbability * Math.Exp(0.3 * Normal(random)));
                // Saturation: the same campaign earns less per unit as its daily spend grows.
                var saturation = dailySpend > 0 ? Math.Pow(dailySpend / 150.0, -0.45) : 0;
                var earned = Math.Round(converted * orderValue * saturation * Seasonality(type, dev, dow) * Math.Exp(0.2 * Normal(random)), 2);

                impressions[row] = shown;
                clicks[row] = clicked;
                ctr[row] = shown > 0 ? clicked / shown : double.NaN;
                conversions[row] = converted;
                conversionRate[row] = clicked > 0 ? converted / clicked : double.NaN;
                spend[row] = dailySpend;
                revenue[row] = earned;
                roas[row] = dailySpend > 0 ? earned / dailySpend : double.NaN; // paused day: no ROAS, never an infinity
                history[row] = Trailing(trailing);
                trailing.Enqueue((dailySpend, earned));
                if (trailing.Count > 7) trailing.Dequeue();
            }
        }

        // Missing cells in the features a real export loses (never ids, dates, spend or revenue).
        var rate = options.MissingRate;
        Blank(random, rate, adType);
        Blank(random, rate, placement);
        Blank(random, rate, audience);
        Blank(random, rate, device);
        Blank(random, rate, impressions);
        Blank(random, rate, clicks);
        Blank(random, rate, ctr);
        Blank(random, rate, history);

        return new CampaignTable(
        [
            TableColumn.Text("campaign_id", campaignId), TableColumn.Text("date", date), TableColumn.Text("start_date", startDate),
            TableColumn.Numeric("days_active", daysActive), TableColumn.Numeric("weekday", weekday), TableColumn.Text("ad_type", adType), TableColumn.Text("placement", placement),
            TableColumn.Text("audience", audience), TableColumn.Text("device", device), TableColumn.Numeric("impressions", impressions),
            TableColumn.Numeric("clicks", clicks), TableColumn.Numeric("ctr", ctr), TableColumn.Numeric("conversions", conversions),
            TableColumn.Numeric("conversion_rate", conversionRate), TableColumn.Numeric("spend", spend),
            TableColumn.Numeric("revenue", revenue), TableColumn.Numeric("hist_roas_7d", history), TableColumn.Numeric("roas", roas),
        ]);
    }

    /// <summary>
    /// Day-of-week effect that depends on the ad type and device: social and video on phones pay at weekends, search
    /// and desktop on weekdays. It changes from day to day, so a campaign's trailing ROAS cannot carry it.
    /// </summary>
    private static double Seasonality(int type, int device, int dayOfWeek)
    {
        var weekend = dayOfWeek is 0 or 6;
        var leisure = type is 1 or 4; // video, social
        if (weekend)
            return leisure ? (device == 0 ? 2.2 : 1.5) : (type == 3 ? 0.45 : 0.8);
        return leisure ? 0.8 : (type == 3 && device == 1 ? 1.5 : 1.0);
    }

    private static double Trailing(Queue<(double Spend, double Revenue)> days)
    {
        double s = 0, r = 0;
        foreach (var (sp, rev) in days) { s += sp; r += rev; }
        return s > 0 ? Math.Round(r / s, 4) : double.NaN;
    }

    private static void Blank(Random random, double rate, double[] values)
    {
        for (var i = 0; i < values.Length; i++)
            if (random.NextDouble() < rate) values[i] = double.NaN;
    }

    private static void Blank(Random random, double rate, string?[] values)
    {
        for (var i = 0; i < values.Length; i++)
            if (random.NextDouble() < rate) values[i] = null;
    }

    /// <summary>Standard normal by Box-Muller (one draw per call; determinism matters more than speed here).</summary>
    private static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
