using System.Globalization;
using System.Runtime.CompilerServices;
using Exania.Core;

namespace Exania.Events;

/// <summary>
/// Validates one row's logical fields and appends it to an <see cref="EventLog"/>. Shared by the CSV and JSON Lines
/// readers, so both accept and reject exactly the same values.
/// </summary>
/// <remarks>
/// The per-row methods here and in the pools and parsers they call are marked for full optimization at first call: a
/// CLI run reads its file once, and spending its first 100+ ms in quick-JIT code (while tiering waits for its
/// call-counting delay) costs a large share of a cold run.
/// </remarks>
internal sealed class EventRowParser
{
    private readonly EventLog _log;
    private readonly EventReaderOptions _options;
    private readonly EventReadSummary _summary;

    /// <summary>
    /// Per value slot (the logical fields, then <see cref="EventFields.TimestampOffsetSlot"/>): start and length of its
    /// value in the row buffer; start -1 when absent.
    /// </summary>
    public readonly int[] Start = new int[EventFields.Slots];
    public readonly int[] Length = new int[EventFields.Slots];

    private readonly double _offsetDivisor;

    public EventRowParser(EventLog log, EventReaderOptions options, EventReadSummary summary)
    {
        _log = log;
        _options = options;
        _summary = summary;
        _offsetDivisor = options.TimestampOffsetUnit == TimeOffsetUnit.Seconds ? 1.0 : 1000.0;
    }

    /// <summary>
    /// Whether a row without an action value takes <see cref="EventReaderOptions.DefaultAction"/>: set by the CSV and
    /// Parquet readers when the file has no action column, and by the JSON Lines reader always (each object names its
    /// own fields, so an absent or null action is the absent column). An empty action value is still a bad row.
    /// </summary>
    public bool ActionColumnAbsent { get; set; }

    public void ClearFields() => Start.AsSpan().Fill(-1);

    /// <summary>Called after each accepted row is appended (the streaming hook of <see cref="EventReader.Read(string, EventLog, EventReaderOptions?, IRejectSink?, Action{EventLog}?)"/>).</summary>
    public Action<EventLog>? AfterAppend { get; set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<char> Field(ReadOnlySpan<char> row, EventField f)
    {
        var i = (int)f;
        return Start[i] < 0 ? default : row.Slice(Start[i], Length[i]).Trim();
    }

    /// <summary>Appends the row, or returns (kind, reason) when it is malformed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (string Kind, string Reason)? TryAppend(ReadOnlySpan<char> row)
    {
        var user = Field(row, EventField.UserId);
        var session = Field(row, EventField.SessionId);
        if (user.IsEmpty && session.IsEmpty)
            return ("missing_field", "user_id is missing or empty (one of user_id and session_id is required)");

        var timestampText = Field(row, EventField.Timestamp);
        if (timestampText.IsEmpty)
            return ("missing_field", "timestamp is missing or empty");
        if (!TimestampParser.TryParse(timestampText, _options.TimestampFormat, out var timestamp, _options.TimestampPattern))
            return ("bad_timestamp", $"timestamp '{Clip(timestampText)}' is not {TimestampParser.Describe(_options.TimestampFormat, _options.TimestampPattern)}");
        if (_options.TimestampOffsetColumn is not null)
        {
            if (ParseOffset(row) is { } offsetError)
                return offsetError;
            timestamp += _offsetSeconds;
        }
        if (!_options.TimeRange.Contains(timestamp))
            return ("out_of_range", $"timestamp '{Clip(timestampText)}'{OffsetNote(row)} is {TimestampRange.Describe(timestamp)}, outside the accepted range " +
                                    $"{_options.TimeRange}; widen it with --time-range (e.g. --time-range any for relative times)");

        var actionText = Field(row, EventField.Action);
        var defaulted = false;
        if (actionText.IsEmpty)
        {
            if (!(ActionColumnAbsent && _options.DefaultAction is not null && Start[(int)EventField.Action] < 0))
                return ("missing_field", "action is missing or empty");
            actionText = _options.DefaultAction.AsSpan().Trim();
            defaulted = true;
        }
        var action = _log.Actions.IndexOf(actionText);
        if (action < 0 || !KnownActions.IsKnown(action))
        {
            if (_options.UnknownActions == UnknownActionPolicy.Reject)
                return ("unknown_action", $"action '{Clip(actionText)}' is not one of {string.Join(", ", KnownActions.Names)}");
        }

        var attributes = EventAttributes.None;
        if (ParseNumber(row, EventField.ScrollDepth, out attributes.ScrollDepth) is { } depthError)
            return depthError;
        if (!double.IsNaN(attributes.ScrollDepth) && attributes.ScrollDepth is < 0 or > 1)
            return ("out_of_range", $"scroll_depth {attributes.ScrollDepth.ToString(CultureInfo.InvariantCulture)} is outside 0..1");
        if (ParseNumber(row, EventField.Cost, out attributes.Cost) is { } costError)
            return costError;
        if (attributes.Cost < 0)
            return ("out_of_range", "cost is negative");
        if (ParseNumber(row, EventField.Revenue, out attributes.Revenue) is { } revenueError)
            return revenueError;

        // Only now, with the row known good, intern its strings (a rejected row must not leave traces in the pools).
        if (action < 0)
            action = _log.Actions.GetOrAdd(actionText);
        if (!KnownActions.IsKnown(action))
        {
            var name = _log.Actions[action];
            _summary.UnknownActions[name] = _summary.UnknownActions.GetValueOrDefault(name) + 1;
        }
        attributes.Page = Intern(_log.Pages, Field(row, EventField.Page));
        attributes.Category = Intern(_log.Categories, Field(row, EventField.Category));
        attributes.Campaign = Intern(_log.Campaigns, Field(row, EventField.CampaignId));
        attributes.AdType = Intern(_log.AdTypes, Field(row, EventField.AdType));
        attributes.Placement = Intern(_log.Placements, Field(row, EventField.Placement));
        attributes.Item = Intern(_log.Items, Field(row, EventField.ItemId));
        var userId = _log.Users.GetOrAdd(user.IsEmpty ? session : user);
        var sessionId = session.IsEmpty ? -1 : _log.Sessions.GetOrAdd(session);
        _log.Append(userId, sessionId, timestamp, action, attributes);
        if (defaulted)
            _summary.DefaultActionRows++;
        AfterAppend?.Invoke(_log);
        return null;
    }

    /// <summary>The current row's time offset in seconds, set by <see cref="ParseOffset"/>.</summary>
    private double _offsetSeconds;

    /// <summary>
    /// Reads the time offset column into <see cref="_offsetSeconds"/>: a finite number, 0 or more, in the option's unit.
    /// </summary>
    private (string Kind, string Reason)? ParseOffset(ReadOnlySpan<char> row)
    {
        var column = _options.TimestampOffsetColumn;
        var slot = EventFields.TimestampOffsetSlot;
        var text = Start[slot] < 0 ? default : row.Slice(Start[slot], Length[slot]).Trim();
        if (text.IsEmpty)
            return ("missing_field", $"time offset {column} is missing or empty");
        if (!DecimalText.TryParse(text, out var value))
            return ("wrong_type", $"time offset {column} '{Clip(text)}' is not a number");
        if (!double.IsFinite(value))
            return ("not_finite", $"time offset {column} is {Clip(text)}, not a finite number");
        if (value < 0)
            return ("out_of_range", $"time offset {column} {Clip(text)} is negative");
        // A division, not a multiplication by 0.001: 526309 ms is then the double nearest 526.309 s.
        _offsetSeconds = value / _offsetDivisor;
        return null;
    }

    /// <summary>" + offset 526309 ms" after the timestamp in a message, when an offset was added.</summary>
    private string OffsetNote(ReadOnlySpan<char> row)
    {
        if (_options.TimestampOffsetColumn is null)
            return "";
        var slot = EventFields.TimestampOffsetSlot;
        var unit = _options.TimestampOffsetUnit == TimeOffsetUnit.Seconds ? "s" : "ms";
        return $" + {_options.TimestampOffsetColumn} {Clip(row.Slice(Start[slot], Length[slot]).Trim())} {unit}";
    }

    private static int Intern(StringPool pool, ReadOnlySpan<char> value) => value.IsEmpty ? -1 : pool.GetOrAdd(value);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (string Kind, string Reason)? ParseNumber(ReadOnlySpan<char> row, EventField field, out double value)
    {
        value = double.NaN;
        var text = Field(row, field);
        if (text.IsEmpty)
            return null;
        if (!DecimalText.TryParse(text, out value))
        {
            value = double.NaN;
            return ("wrong_type", $"{EventFields.Name(field)} '{Clip(text)}' is not a number");
        }
        if (!double.IsFinite(value))
        {
            value = double.NaN;
            return ("not_finite", $"{EventFields.Name(field)} is {Clip(text)}, not a finite number");
        }
        return null;
    }

    /// <summary>Cuts long values so one hostile cell cannot flood the error output.</summary>
    internal static string Clip(ReadOnlySpan<char> text) => text.Length <= 60 ? text.ToString() : string.Concat(text[..57], "...");
}
