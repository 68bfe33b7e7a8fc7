using System.CommandLine;
using Exania.Core;
using Exania.Events;

namespace Exania.Cli;

/// <summary>The options every command that reads event files shares, and the one way they are read.</summary>
/// <param name="store">Offer <c>--db</c>: read the events from the event store instead of files (analysis commands).</param>
/// <param name="eventsOptional">--events may be left out (<c>exania ingest</c> may store only campaign days or segments).</param>
internal sealed class EventInput(bool store = false, bool eventsOptional = false)
{
    /// <summary>The event store to read from (<c>exania ingest</c> fills it); offered when the command reads from a store.</summary>
    public Option<string?> Db { get; } = new("--db")
    {
        Description = "Read the events from this event store (a DuckDB file filled by `exania ingest`) instead of --events.",
    };

    public Option<string[]> Events { get; } = new("--events")
    {
        Description = "Event file(s): CSV with a header row, JSON Lines (.jsonl) or Parquet (.parquet). Several files form one log.",
        Required = !store && !eventsOptional,
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string?> Map { get; } = new("--map")
    {
        Description = "Column mapping field=column,... e.g. timestamp=event_time,action=behavior_type",
    };

    public Option<string> Format { get; } = new("--format")
    {
        Description = "Input format: auto (by extension: .parquet, .jsonl/.ndjson/.json, else CSV), csv, jsonl or parquet.",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string?> NestedEvents { get; } = new("--nested-events")
    {
        Description = "JSON Lines whose every line holds an array of events under this property, e.g. events for OTTO's " +
                      "{\"session\": 0, \"events\": [...]}; a field an event lacks is taken from its line (e.g. session).",
    };

    public Option<string> TimestampFormat { get; } = new("--timestamp-format")
    {
        Description = "auto, epoch-s, epoch-ms, iso8601, or pattern:<.NET date pattern> such as \"pattern:MM/dd/yyyy HH:mm\" " +
                      "(auto: ISO-8601 text, numbers >= 1e11 as milliseconds, else seconds; ambiguous text needs a pattern).",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string> TimeRange { get; } = new("--time-range")
    {
        Description = "Event times accepted; others are bad rows: plausible (1990-01-01..2100-01-01, the default), any " +
                      "(years 1-9999, e.g. for relative times 0, 5, 12), or FROM..TO as dates or epoch seconds.",
        DefaultValueFactory = _ => "plausible",
    };

    public Option<string> Encoding { get; } = new("--encoding")
    {
        Description = "utf8 (default; rows with bytes that are not UTF-8 are bad rows) or latin1 (ISO-8859-1).",
        DefaultValueFactory = _ => "utf8",
    };

    public Option<bool> NoHeader { get; } = new("--no-header")
    {
        Description = "The CSV has no header row; name its columns with --columns (else they are 1, 2, ...).",
    };

    public Option<string?> Columns { get; } = new("--columns")
    {
        Description = "Column names of a header-less CSV, comma-separated, e.g. user_id,item_id,category,action,timestamp",
    };

    public Option<string> OnBadRow { get; } = new("--on-bad-row")
    {
        Description = "fail (stop at the first malformed row) or skip (count it and write it to a rejects file).",
        DefaultValueFactory = _ => "fail",
    };

    public Option<string> UnknownActions { get; } = new("--unknown-actions")
    {
        Description = "keep (actions outside the nine known ones become their own action type) or reject.",
        DefaultValueFactory = _ => "keep",
    };

    public Option<string> Delimiter { get; } = new("--delimiter")
    {
        Description = "Field separator of CSV input: one character such as ';' or '|', or tab (also \\t), semicolon, comma, pipe. " +
                      "Not the quote, CR or LF. JSON Lines and Parquet ignore it.",
        DefaultValueFactory = _ => ",",
    };

    public Option<string?> TimeOffset { get; } = new("--time-offset")
    {
        Description = "COLUMN[:ms|s]: add this numeric column to the timestamp, in milliseconds (default) or seconds, e.g. " +
                      "--map timestamp=eventdate --time-offset timeframe:ms for DIGINETICA. A missing, non-numeric or negative offset is a bad row.",
    };

    public Option<string?> DefaultAction { get; } = new("--default-action")
    {
        Description = "The action of every row when the file has no action column (e.g. view for a file of item views). " +
                      "Empty action values in a file that has the column are still bad rows.",
    };

    /// <summary>
    /// The default action a command supplies when the user gave no <c>--default-action</c> (null: none, the action
    /// column is then required). The sequence commands set it when the predicted field is not the action.
    /// </summary>
    public string? DefaultActionFallback { get; set; }

    public Option<double> SessionGap { get; } = new("--session-gap")
    {
        Description = "Inactivity gap in seconds that splits a user's events into sessions when session_id is absent.",
        DefaultValueFactory = _ => Sessionizer.DefaultGapSeconds,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Events);
        if (store)
            command.Options.Add(Db);
        command.Options.Add(Map);
        command.Options.Add(Format);
        command.Options.Add(NestedEvents);
        command.Options.Add(TimestampFormat);
        command.Options.Add(TimeRange);
        command.Options.Add(Encoding);
        command.Options.Add(NoHeader);
        command.Options.Add(Columns);
        command.Options.Add(Delimiter);
        command.Options.Add(TimeOffset);
        command.Options.Add(DefaultAction);
        command.Options.Add(OnBadRow);
        command.Options.Add(UnknownActions);
        command.Options.Add(SessionGap);
    }

    public EventReaderOptions ReaderOptions(ParseResult parse) => new()
    {
        ColumnMap = EventReaderOptions.ParseColumnMap(parse.GetValue(Map)),
        Format = parse.GetValue(Format) switch
        {
            "auto" => DataFileFormat.Auto,
            "csv" => DataFileFormat.Csv,
            "jsonl" => DataFileFormat.JsonLines,
            "parquet" => DataFileFormat.Parquet,
            var other => throw new ArgumentException($"--format '{other}' is not one of auto, csv, jsonl, parquet."),
        },
        TimestampFormat = parse.GetValue(TimestampFormat) switch
        {
            "auto" => Exania.Events.TimestampFormat.Auto,
            "epoch-s" => Exania.Events.TimestampFormat.EpochSeconds,
            "epoch-ms" => Exania.Events.TimestampFormat.EpochMilliseconds,
            "iso8601" => Exania.Events.TimestampFormat.Iso8601,
            { } p when p.StartsWith("pattern:", StringComparison.Ordinal) && p.Length > "pattern:".Length => Exania.Events.TimestampFormat.Pattern,
            var other => throw new ArgumentException($"--timestamp-format '{other}' is not one of auto, epoch-s, epoch-ms, iso8601, pattern:<pattern>."),
        },
        TimestampPattern = parse.GetValue(TimestampFormat) is { } f && f.StartsWith("pattern:", StringComparison.Ordinal) ? f["pattern:".Length..] : null,
        TimeRange = ParseTimeRange(parse.GetValue(TimeRange)!),
        NestedEvents = parse.GetValue(NestedEvents) switch
        {
            null => null,
            var name when string.IsNullOrWhiteSpace(name) => throw new ArgumentException("--nested-events needs the name of the array property, e.g. --nested-events events."),
            var name => name.Trim(),
        },
        Encoding = parse.GetValue(Encoding) switch
        {
            "utf8" or "utf-8" => TextEncoding.Utf8,
            "latin1" or "iso-8859-1" => TextEncoding.Latin1,
            var other => throw new ArgumentException($"--encoding '{other}' is not one of utf8, latin1."),
        },
        HasHeader = !parse.GetValue(NoHeader) && (parse.GetValue(Columns) is null
            ? true
            : throw new ArgumentException("--columns names the columns of a header-less CSV and needs --no-header; a file with a header row names its own columns (rename them with --map).")),
        ColumnNames = parse.GetValue(Columns)?.Split(',', StringSplitOptions.TrimEntries),
        Delimiter = ParseDelimiter(parse.GetValue(Delimiter)!),
        TimestampOffsetColumn = ParseTimeOffset(parse.GetValue(TimeOffset)).Column,
        TimestampOffsetUnit = ParseTimeOffset(parse.GetValue(TimeOffset)).Unit,
        DefaultAction = parse.GetValue(DefaultAction) switch
        {
            null => DefaultActionFallback,
            var name when string.IsNullOrWhiteSpace(name) => throw new ArgumentException("--default-action needs the action name rows without an action column get, e.g. --default-action view."),
            var name => name.Trim(),
        },
        OnBadRow = CommonOptions.ParseBadRowPolicy(parse.GetValue(OnBadRow)!),
        UnknownActions = parse.GetValue(UnknownActions) switch
        {
            "keep" => UnknownActionPolicy.Keep,
            "reject" => UnknownActionPolicy.Reject,
            var other => throw new ArgumentException($"--unknown-actions '{other}' is not one of keep, reject."),
        },
    };

    /// <summary>
    /// One character, or a name: <c>tab</c> (also <c>\t</c> as typed, or a real tab), <c>semicolon</c>, <c>comma</c>,
    /// <c>pipe</c>. The quote, CR and LF cannot separate CSV fields.
    /// </summary>
    /// <exception cref="ArgumentException">Anything else, naming --delimiter.</exception>
    internal static char ParseDelimiter(string text)
    {
        var c = text switch
        {
            "tab" or "\\t" => '\t',
            "semicolon" => ';',
            "comma" => ',',
            "pipe" => '|',
            { Length: 1 } => text[0],
            _ => throw new ArgumentException($"--delimiter '{text}' is not one character (such as , ; or |) or one of tab, \\t, semicolon, comma, pipe."),
        };
        if (c is '"' or '\r' or '\n')
            throw new ArgumentException($"--delimiter {(c == '"' ? "'\"'" : c == '\r' ? "CR" : "LF")} cannot separate CSV fields: the quote, CR and LF have their own meaning in CSV; choose another character (such as , ; | or tab).");
        return c;
    }

    /// <summary><c>COLUMN[:ms|s]</c>: the column and its unit (milliseconds unless told); null column without the option.</summary>
    /// <exception cref="ArgumentException">No column, or a unit after the last ':' that is not ms or s.</exception>
    internal static (string? Column, TimeOffsetUnit Unit) ParseTimeOffset(string? text)
    {
        if (text is null)
            return (null, TimeOffsetUnit.Milliseconds);
        var column = text.Trim();
        var unit = TimeOffsetUnit.Milliseconds;
        var colon = column.LastIndexOf(':');
        if (colon >= 0)
        {
            unit = column[(colon + 1)..].Trim() switch
            {
                "ms" => TimeOffsetUnit.Milliseconds,
                "s" => TimeOffsetUnit.Seconds,
                var other => throw new ArgumentException($"--time-offset '{text}': the unit after ':' is ms or s, not '{other}' (e.g. --time-offset timeframe:ms)."),
            };
            column = column[..colon].Trim();
        }
        if (column.Length == 0)
            throw new ArgumentException($"--time-offset '{text}' names no column; give COLUMN[:ms|s], e.g. --time-offset timeframe:ms.");
        return (column, unit);
    }

    private static TimestampRange ParseTimeRange(string text)
    {
        try
        {
            return TimestampRange.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"--time-range: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Reads every file into one log and sessionizes it (<see cref="EventLoader"/>). Rejected rows (with --on-bad-row
    /// skip) go to <paramref name="rejectsPath"/>, which is written only when there are rejects.
    /// </summary>
    public (EventLog Log, EventLoadReport Report) Load(ParseResult parse, string rejectsPath)
    {
        var files = parse.GetValue(Events) ?? [];
        var db = store ? parse.GetValue(Db) : null;
        if (db is null)
        {
            if (files.Length == 0)
                throw new ArgumentException(store ? "Give the events: --events FILE..., or --db an event store (`exania ingest`)." : "--events: give at least one event file.");
            return EventLoader.Load(files, ReaderOptions(parse), rejectsPath, parse.GetValue(SessionGap));
        }
        if (files.Length > 0)
            throw new ArgumentException("Give --events or --db, not both: the store already holds what was ingested.");
        // The store holds events as they were ingested: already read, validated and sessionized.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var events = Exania.Store.EventStores.Open(db);
        var log = events.Load();
        return (log, new EventLoadReport { Files = [new EventReadSummary { File = db, RowsRead = log.Count, Accepted = log.Count, Seconds = watch.Elapsed.TotalSeconds }] });
    }

    /// <summary>Where the events came from, for messages: the files, or the store.</summary>
    public string Source(ParseResult parse) => store && parse.GetValue(Db) is { } db ? db : string.Join(", ", parse.GetValue(Events) ?? []);
}
