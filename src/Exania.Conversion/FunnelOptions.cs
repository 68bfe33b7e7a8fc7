using Exania.Core;
using Exania.Events;

namespace Exania.Conversion;

/// <summary>Whom a funnel counts.</summary>
public enum FunnelUnit
{
    /// <summary>Users, across their sessions (the conversion window may span several).</summary>
    User,

    /// <summary>Sessions, each on its own.</summary>
    Session,
}

/// <summary>How the steps of a funnel must follow one another.</summary>
public enum FunnelOrder
{
    /// <summary>Each step after the one before; other events may come between.</summary>
    Sequential,

    /// <summary>Each step the very next event of the unit after the one before.</summary>
    Strict,

    /// <summary>The steps in any order: reaching step k means steps 1..k all happened within one window.</summary>
    AnyOrder,
}

/// <summary>One step of a funnel: an action, optionally the longest wait from the step before, and whether it may be skipped.</summary>
/// <param name="Action">The action name (e.g. <c>cart</c>).</param>
/// <param name="MaxSecondsFromPrevious">Longest time from the previous required step, on top of the funnel's window; null for none.</param>
/// <param name="Optional">
/// A step units may skip: later steps do not need it, and it is counted as done when its event comes between the
/// previous required step's event and the next one's. Never a drop-off. Not the first step; not in an any-order funnel.
/// </param>
public sealed record FunnelStep(string Action, double? MaxSecondsFromPrevious = null, bool Optional = false)
{
    /// <summary>
    /// The steps written as text, as the CLI's <c>--stages</c> and the dashboard take them: comma-separated actions in
    /// order, a step ending in <c>?</c> optional (<c>view,cart?,purchase</c>).
    /// </summary>
    /// <exception cref="ArgumentException">No step, or an empty one.</exception>
    public static IReadOnlyList<FunnelStep> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var steps = new List<FunnelStep>(parts.Length);
        foreach (var part in parts)
        {
            var action = part.TrimEnd('?').Trim();
            if (action.Length == 0)
                ExaniaThrow.Argument($"The stages '{text}' hold an empty step; write them as view,cart,purchase (a step ending in ? is optional).", nameof(text));
            steps.Add(new FunnelStep(action, Optional: part.EndsWith('?')));
        }
        return steps;
    }
}

/// <summary>Which step's event gives a unit its breakdown value.</summary>
public enum FunnelAttribution
{
    /// <summary>The entry event (first touch).</summary>
    FirstStep,

    /// <summary>The event of the furthest step the unit did (last touch).</summary>
    LastStep,

    /// <summary>The event of <see cref="FunnelBreakdown.AttributionStep"/>; units that did not do it form the group "(not reached)".</summary>
    Step,
}

/// <summary>Split the funnel's counts by a property of one event of each unit.</summary>
public sealed record FunnelBreakdown
{
    /// <summary>The event field whose value names the group (<see cref="EventValues.Fields"/>: page, category, item_id, campaign_id, ...).</summary>
    public EventField Property { get; init; } = EventField.Category;

    public FunnelAttribution Attribution { get; init; } = FunnelAttribution.FirstStep;

    /// <summary>0-based step for <see cref="FunnelAttribution.Step"/>.</summary>
    public int AttributionStep { get; init; }

    /// <summary>Groups listed, largest first (by units entering); the rest are added up as "(other)".</summary>
    public int Top { get; init; } = 10;

    /// <summary>Regular expressions whose matches in the value become <c>*</c> (ids in page names).</summary>
    public IReadOnlyList<string> CleanPatterns { get; init; } = [];

    /// <summary>
    /// A value per user id instead of an event field (e.g. the segment names of <c>exania segment</c>,
    /// <see cref="SegmentCsv.ReadUserSegments"/>): each unit falls in its user's group, "(none)" when the user has no
    /// value. <see cref="Property"/> and <see cref="Attribution"/> are then not used.
    /// </summary>
    public IReadOnlyDictionary<string, string>? UserGroups { get; init; }
}

/// <summary>
/// An event that disqualifies a conversion when it comes between two steps (e.g. a <c>remove_from_cart</c> between
/// <c>cart</c> and <c>purchase</c>): the unit stops at the earlier step.
/// </summary>
/// <param name="Action">The disqualifying action.</param>
/// <param name="AfterStep">0-based index of the earlier step; the exclusion applies until the next step.</param>
public sealed record FunnelExclusion(string Action, int AfterStep);

/// <summary>Options of a funnel. Defaults live here, once; <see cref="Validate"/> names a bad field.</summary>
public sealed record FunnelOptions
{
    /// <summary>The ordered steps (at least one).</summary>
    public IReadOnlyList<FunnelStep> Steps { get; init; } = [];

    public FunnelUnit CountBy { get; init; } = FunnelUnit.User;

    public FunnelOrder Order { get; init; } = FunnelOrder.Sequential;

    /// <summary>Conversion window from the entry event, in seconds (default 14 days).</summary>
    public double WindowSeconds { get; init; } = 14 * 86_400.0;

    /// <summary>Earliest entry time (epoch seconds) counted; null for the log's start.</summary>
    public double? EntryFrom { get; init; }

    /// <summary>Entries before this time are counted (exclusive); later steps may complete after it. Null for the log's end.</summary>
    public double? EntryBefore { get; init; }

    /// <summary>
    /// The moment the funnel is counted at (epoch seconds): a unit whose window is still open then and that has not
    /// reached a step is counted as still in its window, not as a drop-off. Null for the log's last event.
    /// </summary>
    public double? AsOf { get; init; }

    public IReadOnlyList<FunnelExclusion> Exclusions { get; init; } = [];

    /// <summary>When set, the counts are also given per value of a property (<see cref="FunnelReport.Breakdown"/>).</summary>
    public FunnelBreakdown? Breakdown { get; init; }

    /// <summary>Longest window accepted: ten years.</summary>
    public const double MaxWindowSeconds = 3660 * 86_400.0;

    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it, its value and the range.</exception>
    /// <exception cref="ArgumentException">No steps, an empty action name, or an exclusion that names no pair of steps.</exception>
    public FunnelOptions Validate()
    {
        if (Steps.Count == 0)
            ExaniaThrow.Argument("FunnelOptions.Steps is empty: a funnel needs at least one step (e.g. view,cart,purchase).", nameof(Steps));
        if (Steps.Any(s => string.IsNullOrWhiteSpace(s.Action)))
            ExaniaThrow.Argument("FunnelOptions.Steps holds an empty action name.", nameof(Steps));
        foreach (var step in Steps)
            if (step.MaxSecondsFromPrevious is { } limit && !(limit > 0 && limit <= MaxWindowSeconds))
                ExaniaThrow.OptionOutOfRange(nameof(FunnelOptions), nameof(FunnelStep.MaxSecondsFromPrevious), limit, $"must be in (0, {MaxWindowSeconds:0}] seconds");
        if (!(WindowSeconds > 0 && WindowSeconds <= MaxWindowSeconds))
            ExaniaThrow.OptionOutOfRange(nameof(FunnelOptions), nameof(WindowSeconds), WindowSeconds, $"must be in (0, {MaxWindowSeconds:0}] seconds");
        if (EntryFrom is { } from && EntryBefore is { } before && !(from < before))
            ExaniaThrow.OptionOutOfRange(nameof(FunnelOptions), nameof(EntryBefore), before, $"must be after EntryFrom ({from})");
        if (Steps[0].Optional)
            ExaniaThrow.Argument($"FunnelOptions.Steps: the first step ({Steps[0].Action}) is the entry and cannot be optional.", nameof(Steps));
        var lastRequired = Steps.Select((s, k) => s.Optional ? -1 : k).Max();
        foreach (var exclusion in Exclusions)
        {
            if (string.IsNullOrWhiteSpace(exclusion.Action))
                ExaniaThrow.Argument("FunnelOptions.Exclusions holds an empty action name.", nameof(Exclusions));
            if (exclusion.AfterStep < 0 || exclusion.AfterStep >= lastRequired || Steps[exclusion.AfterStep].Optional)
                ExaniaThrow.OptionOutOfRange(nameof(FunnelOptions), nameof(FunnelExclusion.AfterStep), exclusion.AfterStep,
                    "must name a required step that has a required step after it");
        }
        if (Order == FunnelOrder.AnyOrder && (Exclusions.Count > 0 || Steps.Any(s => s.MaxSecondsFromPrevious is not null || s.Optional)))
            ExaniaThrow.Argument("FunnelOptions: exclusions, per-step windows and optional steps need an order of steps; an any-order funnel has none.", nameof(Order));
        if (Breakdown is { } b)
        {
            EventValues.Validate(b.Property, nameof(FunnelBreakdown), nameof(FunnelBreakdown.Property));
            EventValues.ValidatePatterns(b.CleanPatterns, nameof(FunnelBreakdown.CleanPatterns));
            if (b.Top is < 1 or > 10_000)
                ExaniaThrow.OptionOutOfRange(nameof(FunnelBreakdown), nameof(FunnelBreakdown.Top), b.Top, "must be in [1, 10000]");
            if (b.Attribution == FunnelAttribution.Step && (b.AttributionStep < 0 || b.AttributionStep >= Steps.Count))
                ExaniaThrow.OptionOutOfRange(nameof(FunnelBreakdown), nameof(FunnelBreakdown.AttributionStep), b.AttributionStep, $"must be a step index in [0, {Steps.Count - 1}]");
        }
        return this;
    }
}
