using Exania.Events;

namespace Exania.Features;

/// <summary>
/// The 20 sliding-window features: their names, order and the one kernel that computes them. Batch extraction,
/// incremental (live) extraction and, through golden vectors, the JavaScript tracker all follow these definitions.
/// </summary>
/// <remarks>
/// For a window ending at t with events e_1..e_n (time order, n ≥ 1), session start t0, window length W,
/// gaps g_i = t_{i+1} - t_i (n - 1 of them), μ = (t_n - t_1)/(n - 1) and σ their population standard deviation
/// (both 0 when n = 1):
/// <list type="table">
/// <item><term>time_since_last_action</term><description>t - t_n</description></item>
/// <item><term>avg_time_between_actions</term><description>μ</description></item>
/// <item><term>session_duration</term><description>t - t0</description></item>
/// <item><term>scroll_down_count … wait_count</term><description>events of that action in the window
/// (blur_count counts blur_window, focus_count focus_window)</description></item>
/// <item><term>scroll_depth_max</term><description>largest scroll_depth in the window, absent values ignored; 0 if none</description></item>
/// <item><term>interaction_density</term><description>n / W (events per second)</description></item>
/// <item><term>attention_score</term><description>(focus + 1) / (focus + blur + 2), a Laplace-smoothed focus share</description></item>
/// <item><term>action_entropy</term><description>Shannon entropy in bits of the action distribution, over every distinct action string</description></item>
/// <item><term>burstiness_score</term><description>(σ - μ)/(σ + μ); 0 when σ + μ = 0</description></item>
/// <item><term>engagement_rhythm</term><description>1 / (1 + σ/μ); 1 when μ = 0</description></item>
/// <item><term>unique_action_types</term><description>distinct action strings in the window</description></item>
/// <item><term>scroll_ratio</term><description>scroll_down / (scroll_down + scroll_up + 1)</description></item>
/// <item><term>click_rate</term><description>click / n (click_ad is not a click)</description></item>
/// <item><term>total_actions</term><description>n, every action included (click_ad, close_tab and unknown actions too)</description></item>
/// </list>
/// These match <c>peers/extract_windows.py</c>, except that σ is computed in two passes (the peer uses E[g²] - μ²,
/// which loses digits to cancellation) and that n = 1 gives μ = σ = 0 instead of NaN.
/// </remarks>
public static class WindowFeatures
{
    public const int Count = 20;

    public const int TimeSinceLastAction = 0;
    public const int AvgTimeBetweenActions = 1;
    public const int SessionDuration = 2;
    public const int ScrollDownCount = 3;
    public const int ScrollUpCount = 4;
    public const int ClickCount = 5;
    public const int HoverCount = 6;
    public const int BlurCount = 7;
    public const int FocusCount = 8;
    public const int WaitCount = 9;
    public const int ScrollDepthMax = 10;
    public const int InteractionDensity = 11;
    public const int AttentionScore = 12;
    public const int ActionEntropy = 13;
    public const int BurstinessScore = 14;
    public const int EngagementRhythm = 15;
    public const int UniqueActionTypes = 16;
    public const int ScrollRatio = 17;
    public const int ClickRate = 18;
    public const int TotalActions = 19;

    /// <summary>Feature names, in column order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "time_since_last_action", "avg_time_between_actions", "session_duration",
        "scroll_down_count", "scroll_up_count", "click_count", "hover_count",
        "blur_count", "focus_count", "wait_count", "scroll_depth_max",
        "interaction_density", "attention_score", "action_entropy",
        "burstiness_score", "engagement_rhythm", "unique_action_types",
        "scroll_ratio", "click_rate", "total_actions",
    ];

    /// <summary>
    /// Computes the 20 features of one window into <paramref name="destination"/>.
    /// </summary>
    /// <param name="times">Event times in the window, non-decreasing, all in (windowEnd - windowSeconds, windowEnd].</param>
    /// <param name="actions">Action codes (see <see cref="ActionVocabulary"/>), same length as <paramref name="times"/>.</param>
    /// <param name="depths">Scroll depths, NaN when absent, same length.</param>
    /// <param name="windowEnd">t, the window's end.</param>
    /// <param name="sessionStart">t0, the session's first event time.</param>
    /// <param name="windowSeconds">W.</param>
    /// <param name="countScratch">Zeroed scratch with one slot per action code; left zeroed on return.</param>
    /// <param name="destination">At least <see cref="Count"/> values.</param>
    public static void Compute(ReadOnlySpan<double> times, ReadOnlySpan<int> actions, ReadOnlySpan<double> depths,
        double windowEnd, double sessionStart, double windowSeconds, Span<int> countScratch, Span<double> destination)
    {
        var n = times.Length;
        if (n == 0)
            throw new ArgumentException("A window needs at least one event.", nameof(times));
        if (actions.Length != n || depths.Length != n)
            throw new ArgumentException("times, actions and depths must have the same length.", nameof(actions));
        if (destination.Length < Count)
            throw new ArgumentException($"destination needs {Count} values.", nameof(destination));

        var depthMax = double.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
            countScratch[actions[i]]++;
            var d = depths[i];
            if (d > depthMax) depthMax = d; // NaN compares false: absent depths are ignored
        }
        double down = countScratch[KnownActions.ScrollDown];
        double up = countScratch[KnownActions.ScrollUp];
        double click = countScratch[KnownActions.Click];
        double hover = countScratch[KnownActions.Hover];
        double blur = countScratch[KnownActions.BlurWindow];
        double focus = countScratch[KnownActions.FocusWindow];
        double wait = countScratch[KnownActions.Wait];

        // Entropy and distinct count in one pass that also re-zeroes the scratch.
        // H = -Σ (c/n) log2(c/n) = log2 n - (1/n) Σ c log2 c, with c log2 c from a table: no logarithm per window.
        double total = n;
        var sumCLogC = 0.0;
        var unique = 0;
        for (var i = 0; i < n; i++)
        {
            var c = countScratch[actions[i]];
            if (c == 0) continue;
            countScratch[actions[i]] = 0;
            unique++;
            sumCLogC += CLog2C(c);
        }
        var entropy = unique <= 1 ? 0 : Log2(n) - sumCLogC / total;

        double mu = 0, sigma = 0;
        if (n > 1)
        {
            mu = (times[n - 1] - times[0]) / (n - 1);
            var sum = 0.0;
            for (var i = 1; i < n; i++)
            {
                var dev = times[i] - times[i - 1] - mu;
                sum += dev * dev;
            }
            sigma = Math.Sqrt(sum / (n - 1));
        }

        destination[TimeSinceLastAction] = windowEnd - times[n - 1];
        destination[AvgTimeBetweenActions] = mu;
        destination[SessionDuration] = windowEnd - sessionStart;
        destination[ScrollDownCount] = down;
        destination[ScrollUpCount] = up;
        destination[ClickCount] = click;
        destination[HoverCount] = hover;
        destination[BlurCount] = blur;
        destination[FocusCount] = focus;
        destination[WaitCount] = wait;
        destination[ScrollDepthMax] = double.IsNegativeInfinity(depthMax) ? 0 : depthMax;
        destination[InteractionDensity] = total / windowSeconds;
        destination[AttentionScore] = (focus + 1) / (focus + blur + 2);
        destination[ActionEntropy] = Math.Max(entropy, 0); // rounding must not make a near-uniform window negative
        destination[BurstinessScore] = sigma + mu > 0 ? (sigma - mu) / (sigma + mu) : 0;
        destination[EngagementRhythm] = mu > 0 ? 1 / (1 + sigma / mu) : 1;
        destination[UniqueActionTypes] = unique;
        destination[ScrollRatio] = down / (down + up + 1);
        destination[ClickRate] = click / total;
        destination[TotalActions] = total;
    }

    private const int TableSize = 1024;
    private static readonly double[] s_cLog2C = BuildTable(c => c == 0 ? 0 : c * Math.Log2(c));
    private static readonly double[] s_log2 = BuildTable(c => c == 0 ? double.NegativeInfinity : Math.Log2(c));

    private static double[] BuildTable(Func<int, double> f)
    {
        var table = new double[TableSize];
        for (var c = 0; c < TableSize; c++)
            table[c] = f(c);
        return table;
    }

    private static double CLog2C(int c) => c < TableSize ? s_cLog2C[c] : c * Math.Log2(c);

    private static double Log2(int n) => n < TableSize ? s_log2[n] : Math.Log2(n);
}
