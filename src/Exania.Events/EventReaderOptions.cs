using Exania.Core;

namespace Exania.Events;

/// <summary>How timestamps are written in the source.</summary>
public enum TimestampFormat
{
    /// <summary>ISO-8601 text, or a number: epoch milliseconds when at least 1e11, else epoch seconds.</summary>
    Auto,
    EpochSeconds,
    EpochMilliseconds,

    /// <summary>The strict ISO-8601 forms of <see cref="TimestampParser"/>, never a number.</summary>
    Iso8601,

    /// <summary>The .NET custom date-time pattern in <see cref="EventReaderOptions.TimestampPattern"/>, e.g. <c>MM/dd/yyyy HH:mm</c>.</summary>
    Pattern,
}

/// <summary>The text encoding of an event file.</summary>
public enum TextEncoding
{
    /// <summary>UTF-8 (a BOM is skipped). A row or line holding bytes that are not UTF-8 is a bad row, in CSV and JSON Lines alike.</summary>
    Utf8,

    /// <summary>ISO-8859-1: every byte is a character, so nothing is invalid (files exported by older Windows tools).</summary>
    Latin1,
}

/// <summary>What a reader does with an action string that is not one of the nine <see cref="KnownActions"/>.</summary>
public enum UnknownActionPolicy
{
    /// <summary>Keep it as its own action code (real data such as Taobao's pv/cart/fav/buy); counted in the summary.</summary>
    Keep,
    /// <summary>Treat the row as malformed.</summary>
    Reject,
}

/// <summary>The unit of <see cref="EventReaderOptions.TimestampOffsetColumn"/>.</summary>
public enum TimeOffsetUnit
{
    Milliseconds,
    Seconds,
}

/// <summary>Options of the event readers. Defaults live here, once.</summary>
public sealed record EventReaderOptions
{
    /// <summary>The defaults: canonical column names, header row, auto timestamps, fail on the first bad row.</summary>
    public static EventReaderOptions Default { get; } = new();

    /// <summary>Source column for each logical field; unmapped fields are looked up by their canonical name.</summary>
    public IReadOnlyDictionary<EventField, string> ColumnMap { get; init; } = new Dictionary<EventField, string>();

    public TimestampFormat TimestampFormat { get; init; } = TimestampFormat.Auto;

    /// <summary>The file's text encoding; UTF-8 unless told.</summary>
    public TextEncoding Encoding { get; init; } = TextEncoding.Utf8;

    /// <summary>With <see cref="TimestampFormat.Pattern"/>: the pattern (invariant culture; UTC unless it has an offset).</summary>
    public string? TimestampPattern { get; init; }

    /// <summary>
    /// Event times accepted; a timestamp outside is a bad row. <see cref="TimestampRange.Plausible"/> (1990 to 2100)
    /// unless told; relative times (0, 5, 12 seconds) need <see cref="TimestampRange.Any"/> or their own range.
    /// </summary>
    public TimestampRange TimeRange { get; init; } = TimestampRange.Plausible;

    /// <summary>
    /// A numeric column added to each row's timestamp, in <see cref="TimestampOffsetUnit"/>, e.g. DIGINETICA's
    /// <c>timeframe</c> (milliseconds since <c>eventdate</c> at 00:00 UTC). The offset must be a finite number, 0 or
    /// more; otherwise the row is bad. The accepted range (<see cref="TimeRange"/>) applies to the sum. Null (the
    /// default) reads the timestamp alone.
    /// </summary>
    public string? TimestampOffsetColumn { get; init; }

    /// <summary>The unit of <see cref="TimestampOffsetColumn"/>; milliseconds unless told.</summary>
    public TimeOffsetUnit TimestampOffsetUnit { get; init; } = TimeOffsetUnit.Milliseconds;

    /// <summary>
    /// The action of every row of a file that has no action column (CSV, Parquet), or of a JSON Lines event without an
    /// action property (or with null). An empty value in a file that has the column is still a bad row. Null (the
    /// default): the action column is required.
    /// </summary>
    public string? DefaultAction { get; init; }

    public BadRowPolicy OnBadRow { get; init; } = BadRowPolicy.Fail;

    public UnknownActionPolicy UnknownActions { get; init; } = UnknownActionPolicy.Keep;

    public DataFileFormat Format { get; init; } = DataFileFormat.Auto;

    /// <summary>CSV only: whether the first row names the columns.</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>CSV without header: names of the columns in order. When null, columns are named "1", "2", ...</summary>
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>CSV field separator (any character but the quote, CR and LF; <see cref="Validate"/>).</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>
    /// JSON Lines only: the property of each line that holds an array of event objects (e.g. <c>events</c> in OTTO's
    /// <c>{"session": 0, "events": [...]}</c>). Each element is one row; a field is looked up in the element first, then
    /// in the line object. Null (the default) reads one flat event object per line.
    /// </summary>
    public string? NestedEvents { get; init; }

    /// <summary>
    /// Threads a large CSV file is read with, one part of the file each (0 for all processors, 1 to read it in one
    /// go). The result does not depend on it: the parts join into exactly the log, counts and rejects of one pass.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>Files smaller than this are read in one go whatever <see cref="Threads"/> says.</summary>
    public long PartsFromBytes { get; init; } = 8L << 20;

    /// <summary>Returns these options when they can work, for chaining.</summary>
    /// <exception cref="ArgumentException">The delimiter is the quote, CR or LF; the offset column or default action is
    /// empty. The parameter names the field.</exception>
    public EventReaderOptions Validate()
    {
        if (Delimiter is '"' or '\r' or '\n')
            ExaniaThrow.Argument($"EventReaderOptions.Delimiter {DescribeDelimiter(Delimiter)} cannot separate CSV fields: the quote, " +
                                 "CR and LF have their own meaning in CSV; choose another character (such as , ; | or tab).", nameof(Delimiter));
        if (TimestampOffsetColumn is not null && string.IsNullOrWhiteSpace(TimestampOffsetColumn))
            ExaniaThrow.Argument("EventReaderOptions.TimestampOffsetColumn is empty; name the numeric column added to the timestamp, or leave it null.", nameof(TimestampOffsetColumn));
        if (!Enum.IsDefined(TimestampOffsetUnit))
            ExaniaThrow.Argument($"EventReaderOptions.TimestampOffsetUnit {TimestampOffsetUnit} is not milliseconds or seconds.", nameof(TimestampOffsetUnit));
        if (DefaultAction is not null && string.IsNullOrWhiteSpace(DefaultAction))
            ExaniaThrow.Argument("EventReaderOptions.DefaultAction is empty; give the action of rows without an action column, or leave it null.", nameof(DefaultAction));
        return this;
    }

    /// <summary>A delimiter as people read it in a message: <c>';'</c>, or the name of an invisible one.</summary>
    internal static string DescribeDelimiter(char c) => c switch
    {
        '\t' => "tab",
        '\r' => "CR (\\r)",
        '\n' => "LF (\\n)",
        '"' => "'\"' (the quote character)",
        _ => $"'{c}'",
    };

    /// <summary>
    /// Parses a column map such as <c>timestamp=event_time,action=behavior_type</c> (logical=source pairs).
    /// </summary>
    /// <exception cref="FormatException">A pair is malformed or names an unknown logical field.</exception>
    public static Dictionary<EventField, string> ParseColumnMap(string? text)
    {
        var map = new Dictionary<EventField, string>();
        if (string.IsNullOrWhiteSpace(text))
            return map;
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == pair.Length - 1)
                throw new FormatException($"Column map entry '{pair}' is not of the form field=column (e.g. timestamp=event_time).");
            var name = pair[..eq].Trim();
            if (!EventFields.TryParse(name, out var field))
                throw new FormatException($"Column map entry '{pair}': '{name}' is not an event field; fields are {string.Join(", ", EventCsvWriter.Columns)}.");
            map[field] = pair[(eq + 1)..].Trim();
        }
        return map;
    }
}
