namespace Exania.Events;

/// <summary>
/// The nine interaction actions Exania's interaction model knows. Their codes are fixed (0..8) in every
/// <see cref="ActionVocabulary"/>, so feature code can index counts by them; any other action string a file holds
/// (e.g. Taobao's <c>pv</c>/<c>cart</c>) gets a code from 9 upwards.
/// </summary>
public static class KnownActions
{
    public const int ScrollDown = 0;
    public const int ScrollUp = 1;
    public const int Click = 2;
    public const int Hover = 3;
    public const int Wait = 4;
    public const int FocusWindow = 5;
    public const int BlurWindow = 6;
    public const int CloseTab = 7;
    public const int ClickAd = 8;

    /// <summary>Number of known actions; the first unknown action's code.</summary>
    public const int Count = 9;

    /// <summary>Names in code order, as they appear in event files.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "scroll_down", "scroll_up", "click", "hover", "wait", "focus_window", "blur_window", "close_tab", "click_ad",
    ];

    /// <summary>True when <paramref name="code"/> is one of the nine interaction actions.</summary>
    public static bool IsKnown(int code) => (uint)code < Count;
}
