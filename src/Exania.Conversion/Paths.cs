using System.Runtime.InteropServices;
using Exania.Core;
using Exania.Events;

namespace Exania.Conversion;

/// <summary>Options of <see cref="Paths.Count"/>. Defaults live here, once; <see cref="Validate"/> names a bad field.</summary>
public sealed record PathOptions
{
    public static PathOptions Default { get; } = new();

    /// <summary>Most events in a path, after repeats are collapsed (1 to <see cref="MaxLength"/>).</summary>
    public int Length { get; init; } = 4;

    public const int MaxLength = 32;

    /// <summary>Whose paths: each session's (default) or each user's, across sessions.</summary>
    public FunnelUnit CountBy { get; init; } = FunnelUnit.Session;

    /// <summary>What a path is made of: <see cref="EventField.Action"/>, or a text field (<see cref="EventValues.Fields"/>).</summary>
    public EventField Field { get; init; } = EventField.Action;

    /// <summary>Actions that are a conversion; a unit with one converts, and its path ends before the first.</summary>
    public IReadOnlyList<string> ConversionActions { get; init; } = SessionTableOptions.Default.ConversionActions;

    /// <summary>
    /// When set, only units that have this action (before converting) count, and the path is what follows it: its first
    /// occurrence and the events after, up to <see cref="Length"/>, stopping at the conversion.
    /// </summary>
    public string? AfterAction { get; init; }

    /// <summary>Regular expressions applied to each value (e.g. <c>\d+</c> on pages): every match is replaced by <c>*</c>, so ids collapse.</summary>
    public IReadOnlyList<string> CleanPatterns { get; init; } = [];

    /// <summary>Collapse consecutive repeats of a value into one (after cleaning).</summary>
    public bool CollapseRepeats { get; init; } = true;

    /// <summary>Paths listed in each ranking.</summary>
    public int Top { get; init; } = 20;

    /// <exception cref="ArgumentOutOfRangeException">A field is out of range.</exception>
    /// <exception cref="ArgumentException">No conversion action, an empty name, or a pattern that is not a valid regular expression.</exception>
    public PathOptions Validate()
    {
        if (Length is < 1 or > MaxLength)
            ExaniaThrow.OptionOutOfRange(nameof(PathOptions), nameof(Length), Length, $"must be in [1, {MaxLength}]");
        if (Top is < 1 or > 10_000)
            ExaniaThrow.OptionOutOfRange(nameof(PathOptions), nameof(Top), Top, "must be in [1, 10000]");
        if (ConversionActions.Count == 0 || ConversionActions.Any(string.IsNullOrWhiteSpace))
            ExaniaThrow.Argument("PathOptions.ConversionActions must name at least one action, none of them empty.", nameof(ConversionActions));
        EventValues.Validate(Field, nameof(PathOptions), nameof(Field));
        if (AfterAction is { } after && string.IsNullOrWhiteSpace(after))
            ExaniaThrow.Argument("PathOptions.AfterAction is empty.", nameof(AfterAction));
        EventValues.ValidatePatterns(CleanPatterns, nameof(CleanPatterns));
        return this;
    }
}

/// <summary>One distinct path and what the units that took it did.</summary>
/// <param name="Steps">The values, in time order.</param>
/// <param name="Units">Units whose path this is.</param>
/// <param name="Conversions">Of those, the ones that converted.</param>
public sealed record PathCount(IReadOnlyList<string> Steps, long Units, long Conversions)
{
    public long Abandonments => Units - Conversions;

    /// <summary>Conversions ÷ units.</summary>
    public double ConversionRate => Units == 0 ? double.NaN : (double)Conversions / Units;
}

/// <summary>What <see cref="Paths.Count"/> found.</summary>
public sealed record PathReport
{
    public required FunnelUnit CountBy { get; init; }

    public required EventField Field { get; init; }

    public required int Length { get; init; }

    public string? AfterAction { get; init; }

    /// <summary>Units (sessions or users) in the log.</summary>
    public required long Units { get; init; }

    /// <summary>Units with a path: every unit with an event before its first conversion (and, with <see cref="AfterAction"/>, that action).</summary>
    public required long WithPath { get; init; }

    public required long Converted { get; init; }

    public long Abandoned => WithPath - Converted;

    public required int DistinctPaths { get; init; }

    /// <summary>The most frequent paths, by units (ties: more conversions first, then the path text).</summary>
    public required IReadOnlyList<PathCount> Top { get; init; }

    /// <summary>The paths that most often lead to a conversion.</summary>
    public required IReadOnlyList<PathCount> TopConverting { get; init; }

    /// <summary>The paths that most often end in abandonment.</summary>
    public required IReadOnlyList<PathCount> TopAbandoning { get; init; }
}

/// <summary>
/// The paths engine: the last events before a conversion or an abandonment, per session or user, counted. It reads
/// events grouped by unit in time order (<see cref="SessionIndex"/>), as the funnel does; there is no SQL twin.
/// </summary>
/// <remarks>
/// <para>For each unit: its events in time order (ties in file order), each mapped to its value (<see cref="EventValues"/>: action, page, item,
/// category...; "(none)" when absent), cleaned (<see cref="PathOptions.CleanPatterns"/>) and with consecutive repeats
/// collapsed. A unit converts when it has a conversion action; only the events before its first conversion count.</para>
/// <para><b>The path</b> is the last <see cref="PathOptions.Length"/> values of those events: what led to the conversion,
/// or what came last before the unit left. With <see cref="PathOptions.AfterAction"/>, it is instead the first
/// <see cref="PathOptions.Length"/> values from the first occurrence of that action: what followed the step, up to the
/// conversion or the end. A unit with no event before converting (or without the action) has no path and is not
/// counted in <see cref="PathReport.WithPath"/>.</para>
/// <para>Cost: one pass over the events; each unit adds one key of at most Length values to a hash table.</para>
/// </remarks>
public static class Paths
{
    /// <exception cref="ArgumentException">No event is a conversion, or the after-action does not occur; the message lists the actions there are.</exception>
    public static PathReport Count(EventLog log, PathOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        options = (options ?? PathOptions.Default).Validate();
        if (log.Count == 0)
            ExaniaThrow.Argument("The log holds no events, so there are no paths.", nameof(log));
        var isConversion = LogActions.Mask(log, options.ConversionActions);
        var anyConversion = false;
        foreach (var code in log.ActionCodes)
            anyConversion |= isConversion[code];
        if (!anyConversion)
            ExaniaThrow.Argument($"No event is a conversion: none of {string.Join(", ", options.ConversionActions)} occurs. The actions in the events are {LogActions.Present(log)}; " +
                                 "name the conversion actions (--conversion).", nameof(PathOptions.ConversionActions));
        var after = options.AfterAction is { } a ? LogActions.Require(log, a, "path start", nameof(PathOptions.AfterAction)) : -1;
        var (valueOf, names) = EventValues.Of(log, options.Field, options.CleanPatterns);

        var index = options.CountBy == FunnelUnit.User ? SessionIndex.BuildByUser(log) : SessionIndex.Build(log);
        var actions = log.ActionCodes;
        var counts = new Dictionary<string, (long Units, long Conversions)>(StringComparer.Ordinal);
        var path = new int[options.Length];
        var key = new char[2 * options.Length];
        long withPath = 0, converted = 0;
        for (var u = 0; u < index.SessionCount; u++)
        {
            var rows = index.Rows(u);
            var end = rows.Length;
            for (var p = 0; p < rows.Length; p++)
            {
                if (isConversion[actions[rows[p]]])
                {
                    end = p;
                    break;
                }
            }
            var converts = end < rows.Length;
            int length;
            if (after >= 0)
            {
                var start = -1;
                for (var p = 0; p < end && start < 0; p++)
                    start = actions[rows[p]] == after ? p : -1;
                if (start < 0)
                    continue;
                length = Forward(rows[start..end], valueOf, options.CollapseRepeats, path);
            }
            else
                length = Backward(rows[..end], valueOf, options.CollapseRepeats, path);
            if (length == 0)
                continue;
            withPath++;
            converted += converts ? 1 : 0;
            for (var i = 0; i < length; i++)
            {
                key[2 * i] = (char)(path[i] >> 16);
                key[2 * i + 1] = (char)path[i];
            }
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, new string(key, 0, 2 * length), out _);
            entry.Units++;
            entry.Conversions += converts ? 1 : 0;
        }

        var all = new List<PathCount>(counts.Count);
        foreach (var (k, (units, conversions)) in counts)
        {
            var steps = new string[k.Length / 2];
            for (var i = 0; i < steps.Length; i++)
                steps[i] = names[(k[2 * i] << 16) | k[2 * i + 1]];
            all.Add(new PathCount(steps, units, conversions));
        }
        List<PathCount> Rank(Func<PathCount, long> by) =>
            [.. all.OrderByDescending(by).ThenByDescending(p => p.Units).ThenBy(p => string.Join('\u001f', p.Steps), StringComparer.Ordinal).Take(options.Top)];
        return new PathReport
        {
            CountBy = options.CountBy,
            Field = options.Field,
            Length = options.Length,
            AfterAction = options.AfterAction,
            Units = index.SessionCount,
            WithPath = withPath,
            Converted = converted,
            DistinctPaths = counts.Count,
            Top = Rank(p => p.Units),
            TopConverting = Rank(p => p.Conversions),
            TopAbandoning = Rank(p => p.Abandonments),
        };
    }

    /// <summary>The last values of <paramref name="rows"/>, collapsed, into <paramref name="path"/> in time order; returns the count.</summary>
    private static int Backward(ReadOnlySpan<int> rows, int[] valueOf, bool collapse, int[] path)
    {
        var count = 0;
        var last = -1;
        for (var p = rows.Length - 1; p >= 0 && count < path.Length; p--)
        {
            var v = valueOf[rows[p]];
            if (collapse && v == last)
                continue;
            path[count++] = last = v;
        }
        path.AsSpan(0, count).Reverse();
        return count;
    }

    /// <summary>The first values of <paramref name="rows"/>, collapsed, into <paramref name="path"/>; returns the count.</summary>
    private static int Forward(ReadOnlySpan<int> rows, int[] valueOf, bool collapse, int[] path)
    {
        var count = 0;
        var last = -1;
        for (var p = 0; p < rows.Length && count < path.Length; p++)
        {
            var v = valueOf[rows[p]];
            if (collapse && v == last)
                continue;
            path[count++] = last = v;
        }
        return count;
    }
}
