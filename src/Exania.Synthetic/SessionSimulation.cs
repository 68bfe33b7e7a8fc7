using Exania.Events;
using MathNet.Numerics.Distributions;

namespace Exania.Synthetic;

/// <summary>
/// Simulates one session as a state machine in continuous time. Each step draws a gap, lets the latent state drift
/// over it, then picks the next action from weights that depend on the state:
/// <list type="bullet">
/// <item><b>engagement</b> (0..1): rises with click, hover and focus_window; falls with blur_window and wait, and
/// decays towards a low baseline while idle (time constant <see cref="EngagementDecaySeconds"/>);</item>
/// <item><b>scroll depth</b> (0..1): grows with scroll_down, shrinks with scroll_up, resets on navigation;</item>
/// <item><b>blurred</b>: after blur_window the only likely actions are focus_window and close_tab;</item>
/// <item><b>time since the last interaction</b>: a long pause makes wait and blur_window likely;</item>
/// <item><b>elapsed vs planned time</b>: past the planned duration close_tab becomes likely.</item>
/// </list>
/// The click_ad weight is <c>min(0.6, 0.02 * AdClickScale * multiplier * exp(2.2 e + 2.5 d + 0.45 min(r, 8) - 5.4))</c>
/// with e the engagement, d the depth and r the clicks and hovers of the last two minutes, and zero for
/// <see cref="AdCooldownSeconds"/> after an ad click. Weights are normalised by their sum, so in an engaged,
/// deep-scrolled stretch an ad click becomes one of the likeliest actions: ad clicks are predictable from the
/// preceding minutes, which is what the window features see.
/// </summary>
internal sealed class SessionSimulation
{
    public const double EngagementDecaySeconds = 60;
    public const double AdCooldownSeconds = 45;
    public const double RecentWindowSeconds = 120;
    private const double AdBase = 0.02;
    private const double EngagementBaseline = 0.15;
    private const int MaxEvents = 1_000;

    public static readonly string[] Categories =
        ["news", "sports", "technology", "business", "entertainment", "lifestyle", "health", "travel"];

    private readonly Random _random;
    private readonly GeneratorOptions _options;
    private readonly SessionTraits _traits;
    private readonly UserProfile _profile;
    private readonly string _userId;
    private readonly string _sessionId;
    private readonly int _favouriteCategory;
    private readonly List<InteractionEvent> _events = [];
    private readonly List<long> _recentEngagement = [];

    private long _now;
    private double _engagement;
    private double _depth;
    private bool _blurred;
    private bool _blurNext;
    private long _lastAdMs = long.MinValue / 2;
    private int _article;
    private string _page = "";

    public SessionSimulation(Random random, GeneratorOptions options, UserProfile profile, SessionTraits traits,
        string userId, string sessionId, int favouriteCategory)
    {
        _random = random;
        _options = options;
        _profile = profile;
        _traits = traits;
        _userId = userId;
        _sessionId = sessionId;
        _favouriteCategory = favouriteCategory;
    }

    public List<InteractionEvent> Run(long startMs)
    {
        _now = startMs;
        _engagement = 0.2 + 0.25 * _random.NextDouble();
        _depth = 0;
        GoTo(PickArticle());
        var plannedMs = _traits.PlannedSeconds * 1000;
        var hardStopMs = 3 * plannedMs + 60_000;

        // The landing page view: a first scroll position read before any interaction.
        Emit(KnownActions.ScrollDown, AfterScrollDown());
        while (_events.Count < MaxEvents)
        {
            var forcedBlur = _blurNext;
            _blurNext = false;
            var gapSeconds = forcedBlur ? 0.5 + 2 * _random.NextDouble() : DrawGap(out _);
            var longPause = !forcedBlur && !_blurred && gapSeconds > 12;
            _now += Math.Max(1, (long)Math.Round(gapSeconds * 1000));
            var elapsed = _now - startMs;
            if (elapsed > hardStopMs)
                break; // the user walked away: the session ends without a close_tab
            _engagement = EngagementBaseline + (_engagement - EngagementBaseline) * Math.Exp(-gapSeconds / EngagementDecaySeconds);

            var action = forcedBlur ? KnownActions.BlurWindow : ChooseAction(longPause, elapsed / plannedMs);
            if (Apply(action))
                break;
        }
        return _events;
    }

    /// <summary>Seconds to the next action: away time when blurred, else a normal gap or (sometimes) a long pause.</summary>
    private double DrawGap(out bool pause)
    {
        pause = false;
        if (_blurred)
            return Math.Min(600, LogNormal.Sample(_random, Math.Log(12), 0.8));
        if (_random.NextDouble() < _traits.PauseProbability)
        {
            pause = true;
            return Math.Min(300, LogNormal.Sample(_random, Math.Log(15), 0.6));
        }
        return 0.3 + Exponential.Sample(_random, _traits.ActionsPerMinute / 60);
    }

    private int ChooseAction(bool longPause, double elapsedOverPlanned)
    {
        Span<double> w = stackalloc double[KnownActions.Count];
        var over = elapsedOverPlanned > 1;
        var e = _engagement;
        if (_blurred)
        {
            w[KnownActions.FocusWindow] = 0.78;
            w[KnownActions.CloseTab] = over ? 0.6 : 0.18;
            w[KnownActions.Wait] = 0.04;
        }
        else
        {
            w[KnownActions.ScrollDown] = _depth < 0.97 ? 0.34 : 0.05;
            w[KnownActions.ScrollUp] = 0.05 + 0.12 * _depth;
            w[KnownActions.Click] = _traits.ClickProbability * (0.6 + 1.2 * e);
            w[KnownActions.Hover] = _profile.HoverWeight * (0.6 + 1.2 * e);
            w[KnownActions.Wait] = longPause ? 0.35 : 0.04;
            w[KnownActions.BlurWindow] = 0.012 + 0.03 * (1 - e) + (longPause ? 0.12 : 0);
            w[KnownActions.CloseTab] = over
                ? 0.12 + 0.2 * (elapsedOverPlanned - 1)
                : 0.002 + (_depth > 0.95 ? 0.02 : 0);
            w[KnownActions.ClickAd] = AdWeight();
        }
        var total = 0.0;
        foreach (var x in w)
            total += x;
        var u = _random.NextDouble() * total;
        for (var a = 0; a < w.Length; a++)
        {
            u -= w[a];
            if (u < 0)
                return a;
        }
        return KnownActions.Wait;
    }

    private double AdWeight()
    {
        if (_now - _lastAdMs < AdCooldownSeconds * 1000)
            return 0;
        var recent = Math.Min(RecentEngagements(), 8);
        var z = 2.2 * _engagement + 2.5 * _depth + 0.45 * recent - 5.4;
        return Math.Min(0.6, AdBase * _options.AdClickScale * _traits.AdClickMultiplier * Math.Exp(z));
    }

    private int RecentEngagements()
    {
        var from = _now - (long)(RecentWindowSeconds * 1000);
        var n = 0;
        for (var i = _recentEngagement.Count - 1; i >= 0 && _recentEngagement[i] > from; i--)
            n++;
        return n;
    }

    /// <summary>Applies <paramref name="action"/> to the state and emits its event; true when the session ends.</summary>
    private bool Apply(int action)
    {
        switch (action)
        {
            case KnownActions.ScrollDown:
                Emit(action, AfterScrollDown());
                _engagement += 0.01;
                break;
            case KnownActions.ScrollUp:
                _depth = Math.Max(0, _depth - (0.02 + 0.06 * _random.NextDouble()));
                Emit(action, _depth);
                break;
            case KnownActions.Click:
                _engagement += 0.10;
                _recentEngagement.Add(_now);
                if (_random.NextDouble() < 0.2)
                {
                    // An internal link: the click lands on a new article, read from the top.
                    GoTo(PickArticle());
                    _depth = 0;
                }
                Emit(action, _depth);
                break;
            case KnownActions.Hover:
                _engagement += 0.06;
                _recentEngagement.Add(_now);
                Emit(action, _depth);
                break;
            case KnownActions.Wait:
                _engagement -= 0.04;
                Emit(action, _depth);
                break;
            case KnownActions.FocusWindow:
                _engagement += 0.08;
                _blurred = false;
                Emit(action, _depth);
                break;
            case KnownActions.BlurWindow:
                _engagement -= 0.12;
                _blurred = true;
                Emit(action, _depth);
                break;
            case KnownActions.CloseTab:
                Emit(action, _depth);
                return true;
            case KnownActions.ClickAd:
                EmitAdClick();
                _engagement -= 0.15;
                _lastAdMs = _now;
                // Half the time the advertiser's page opens in front: the article window loses focus.
                _blurNext = _random.NextDouble() < 0.5;
                break;
        }
        _engagement = Math.Clamp(_engagement, 0, 1);
        return false;
    }

    private double AfterScrollDown()
    {
        _depth = Math.Min(1, _depth + 0.03 + 0.08 * _random.NextDouble());
        return _depth;
    }

    private void Emit(int action, double depth) =>
        _events.Add(new InteractionEvent(_userId, _sessionId, _now / 1000.0, KnownActions.Names[action],
            Math.Round(depth, 3), Page, Categories[CategoryOf(_article)]));

    private void EmitAdClick()
    {
        var type = _random.Next(AdInventory.AdTypes.Length);
        var campaign = AdInventory.CampaignIds[_random.Next(_options.Campaigns)];
        var placement = AdInventory.Placement(_random, _depth);
        var cost = Math.Round(AdInventory.MeanCost[type] * LogNormal.Sample(_random, -0.06, 0.35), 4);
        // About a third of ad clicks convert; engaged readers convert a little more often.
        var converts = _random.NextDouble() < 0.25 + 0.2 * _engagement;
        var revenue = converts ? Math.Round(cost * LogNormal.Sample(_random, Math.Log(4), 0.6), 2) : 0;
        _events.Add(new InteractionEvent(_userId, _sessionId, _now / 1000.0, KnownActions.Names[KnownActions.ClickAd],
            Math.Round(_depth, 3), Page, Categories[CategoryOf(_article)], campaign, AdInventory.AdTypes[type], placement,
            cost, revenue));
    }

    private string Page => _page;

    private void GoTo(int article)
    {
        _article = article;
        _page = $"/article/{article}";
    }

    private static int CategoryOf(int article) => (article - 1) % Categories.Length;

    /// <summary>An article id in 1..Articles, in the user's favourite category 60% of the time.</summary>
    private int PickArticle()
    {
        var n = _options.Articles;
        if (_favouriteCategory < n && _random.NextDouble() < 0.6)
        {
            var inCategory = (n - _favouriteCategory + Categories.Length - 1) / Categories.Length;
            return 1 + _favouriteCategory + Categories.Length * _random.Next(inCategory);
        }
        return 1 + _random.Next(n);
    }
}
