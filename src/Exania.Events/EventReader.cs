using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Exania.Core;

namespace Exania.Events;

/// <summary>
/// Reads event files (CSV with or without header, JSON Lines, Parquet) into an <see cref="EventLog"/>, streaming:
/// memory grows with the number of events kept (about 70 bytes each), never with the file's size in text.
/// Every data row is accepted or rejected with a reason; see <see cref="EventReadSummary"/>.
/// </summary>
public static partial class EventReader
{
    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="log"/>, then assigns sessions to rows without one
    /// (inactivity gap <paramref name="sessionGapSeconds"/>).
    /// </summary>
    /// <exception cref="DataFormatException">The file is empty or lacks a required column, or a row is malformed
    /// and <see cref="EventReaderOptions.OnBadRow"/> is <see cref="BadRowPolicy.Fail"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static EventReadSummary Load(string path, EventLog log, EventReaderOptions? options = null,
        IRejectSink? rejects = null, double sessionGapSeconds = Sessionizer.DefaultGapSeconds)
    {
        var summary = Read(path, log, options, rejects);
        var before = CountMissingSessions(log);
        Sessionizer.AssignMissing(log, sessionGapSeconds);
        summary.SessionizedRows = before;
        return summary;
    }

    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="log"/> without sessionizing. <paramref name="afterAppend"/>,
    /// when given, is called after each accepted row with the log; it may process and <see cref="EventLog.Clear"/> the
    /// log, which is how a file larger than memory is read in chunks (CSV and JSON Lines only). With it the log is not
    /// sized from the file.
    /// </summary>
    public static EventReadSummary Read(string path, EventLog log, EventReaderOptions? options = null, IRejectSink? rejects = null,
        Action<EventLog>? afterAppend = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options = (options ?? EventReaderOptions.Default).Validate();
        if (!File.Exists(path))
            throw new FileNotFoundException($"Event file '{path}' does not exist.", path);
        var format = DataFileFormats.Resolve(options.Format, path);
        if (format == DataFileFormat.Parquet)
            return afterAppend is null
                ? ReadParquet(path, log, options, rejects)
                : throw new DataFormatException(Path.GetFileName(path), 0, "Parquet files are not read in streaming chunks; convert the file to CSV or read it whole");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        // About one event per 64 bytes of CSV and per 128 of JSON Lines (the generated and shared samples run 60-80
        // and 110-150): the columns are allocated once instead of doubling their way up. At most 16 M events (about
        // 1 GB) ahead, so a file of long rows never reserves memory its events would not use.
        if (afterAppend is null && stream.CanSeek)
            log.EnsureCapacity((int)Math.Min(log.Count + Math.Min(stream.Length / (format == DataFileFormat.Csv ? 64 : 128), 16_000_000), int.MaxValue));
        var name = Path.GetFileName(path);
        if (format == DataFileFormat.Csv && afterAppend is null && CanReadInParts(stream, options))
            return ReadCsvInParts(stream, name, log, options, rejects);
        return format == DataFileFormat.JsonLines
            ? ReadJsonLines(stream, name, log, options, rejects, afterAppend)
            // Invalid UTF-8 decodes to U+FFFD, which the row check below turns into a bad row instead of a merged value.
            : ReadCsv(new StreamReader(stream, options.Encoding == TextEncoding.Latin1 ? Encoding.Latin1 : Encoding.UTF8, true, 1 << 16),
                name, log, options, rejects, afterAppend);
    }

    /// <summary>Reads CSV from <paramref name="reader"/>; <paramref name="fileName"/> is used in messages.</summary>
    public static EventReadSummary ReadCsv(TextReader reader, string fileName, EventLog log,
        EventReaderOptions? options = null, IRejectSink? rejects = null, Action<EventLog>? afterAppend = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(log);
        options = (options ?? EventReaderOptions.Default).Validate();
        if (options.NestedEvents is not null)
            throw new DataFormatException(fileName, 0,
                $"nested events ('{options.NestedEvents}') are read from JSON Lines only, and this file is read as CSV; choose the JSON Lines format (--format jsonl)");
        var watch = Stopwatch.StartNew();
        var summary = new EventReadSummary { File = fileName };
        var tokenizer = new CsvTokenizer(reader, options.Delimiter);
        var (columns, columnOfField) = ReadHeader(tokenizer, options, fileName);
        var parser = new EventRowParser(log, options, summary) { AfterAppend = afterAppend };
        ReadCsvRows(tokenizer, columns, columnOfField, parser, summary, options, fileName, new RowSink(rejects));
        summary.Seconds = watch.Elapsed.TotalSeconds;
        return summary;
    }

    /// <summary>
    /// The header row (or the names given for a header-less file) and the column of each event field; null columns
    /// for a header-less file without names, whose first row decides how many there are.
    /// </summary>
    private static (string[] Columns, int[]? ColumnOfField) ReadHeader(CsvTokenizer tokenizer, EventReaderOptions options, string fileName)
    {
        string[] columns;
        if (options.HasHeader)
        {
            if (!tokenizer.ReadRow())
                throw new DataFormatException(fileName, 0, "the file is empty: expected a header row naming the columns");
            columns = new string[tokenizer.FieldCount];
            for (var i = 0; i < columns.Length; i++)
                columns[i] = tokenizer.Field(i).Trim().ToString();
            if (columns.Length > 0 && columns[0].StartsWith('\uFEFF'))
                columns[0] = columns[0][1..];
        }
        else
        {
            columns = options.ColumnNames?.ToArray() ?? [];
        }
        var columnOfField = options.HasHeader || options.ColumnNames is not null
            ? ResolveColumns(columns, options, fileName)
            : null;
        return (columns, columnOfField);
    }

    /// <summary>How a run of CSV rows ended.</summary>
    private enum RowsEnd
    {
        /// <summary>At the end of the input.</summary>
        Completed,
        /// <summary>
        /// At a row that needs the one-pass read: its quoted field was still open at a cut (<see cref="RowSink.EndIsCut"/>),
        /// so the cut fell inside a quoted line break, or its quoting is broken and the reason would name lines
        /// relative to the part (<see cref="RowSink.LinesRelative"/>). That row and the rest are read in one pass.
        /// </summary>
        NeedsOnePass,
        /// <summary>At the first bad row under <see cref="BadRowPolicy.Fail"/>, recorded but not thrown (<see cref="RowSink.Deferred"/>).</summary>
        StoppedAtBadRow,
    }

    /// <summary>Where the rows of one run go, and where it stops.</summary>
    /// <param name="Rejects">Receives bad rows (skip policy, or deferred).</param>
    /// <param name="EndIsCut">The input ends at a part boundary, not at the end of the file.</param>
    /// <param name="LinesRelative">The input is a part of a file whose first line number is not known yet.</param>
    /// <param name="Deferred">
    /// Bad rows are counted and recorded in <paramref name="Rejects"/> whatever the policy, and under
    /// <see cref="BadRowPolicy.Fail"/> the run stops at the first instead of throwing: a part of a file reports its bad
    /// rows only once the parts before it are known to be good.
    /// </param>
    private readonly record struct RowSink(IRejectSink? Rejects, bool EndIsCut = false, bool LinesRelative = false, bool Deferred = false);

    private static RowsEnd ReadCsvRows(CsvTokenizer tokenizer, string[] columns, int[]? columnOfField, EventRowParser parser,
        EventReadSummary summary, EventReaderOptions options, string fileName, RowSink sink)
    {
        if (columnOfField is not null)
            parser.ActionColumnAbsent = columnOfField[(int)EventField.Action] < 0;
        while (tokenizer.ReadRow())
        {
            if ((sink.EndIsCut && tokenizer.UnterminatedQuote) || (sink.LinesRelative && tokenizer.QuoteProblem is not null))
                return RowsEnd.NeedsOnePass;
            summary.RowsRead++;
            if (columnOfField is null)
            {
                // Headerless without names: columns are "1", "2", ... as many as the first row has.
                columns = Enumerable.Range(1, tokenizer.FieldCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                columnOfField = ResolveColumns(columns, options, fileName);
                parser.ActionColumnAbsent = columnOfField[(int)EventField.Action] < 0;
            }
            (string Kind, string Reason)? error;
            if (tokenizer.QuoteProblem is { } quote)
                error = ("malformed", quote);
            else if (options.Encoding == TextEncoding.Utf8 && tokenizer.RowChars.Contains('\uFFFD'))
                error = ("malformed", NotUtf8);
            else if (tokenizer.FieldCount != columns.Length)
                error = ("wrong_field_count", $"expected {columns.Length} fields, found {tokenizer.FieldCount}");
            else
            {
                parser.ClearFields();
                for (var f = 0; f < EventFields.Slots; f++)
                {
                    var c = columnOfField[f];
                    if (c < 0) continue;
                    parser.Start[f] = tokenizer.FieldStart(c);
                    parser.Length[f] = tokenizer.FieldLength(c);
                }
                error = parser.TryAppend(tokenizer.RowChars);
            }
            if (error is { } e)
            {
                var line = tokenizer.RowLine;
                if (sink.Deferred)
                {
                    summary.CountReject(e.Kind);
                    sink.Rejects!.Reject(new RejectedRow(fileName, line, e.Reason, tokenizer.RawRow()));
                    if (options.OnBadRow == BadRowPolicy.Fail)
                        return RowsEnd.StoppedAtBadRow;
                }
                else
                {
                    HandleBadRow(summary, options, sink.Rejects, fileName, line, e, tokenizer.RawRow());
                }
            }
            else
            {
                summary.Accepted++;
            }
        }
        return RowsEnd.Completed;
    }

    /// <summary>
    /// Reads JSON Lines from <paramref name="stream"/>. Values may be strings or numbers; properties that map to no
    /// event field are ignored. By default each line is one flat event object. With
    /// <see cref="EventReaderOptions.NestedEvents"/> set, each line is an object holding an array of event objects under
    /// that property (OTTO's <c>{"session": 0, "events": [...]}</c>): every element is one row, and a field an element
    /// lacks is taken from the line object.
    /// </summary>
    public static EventReadSummary ReadJsonLines(Stream stream, string fileName, EventLog log,
        EventReaderOptions? options = null, IRejectSink? rejects = null, Action<EventLog>? afterAppend = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(log);
        options = (options ?? EventReaderOptions.Default).Validate();
        var nestedName = NestedNameBytes(options);
        var watch = Stopwatch.StartNew();
        var summary = new EventReadSummary { File = fileName };
        // Each object names its own fields: one without an action (or with null) is a row without the column.
        var parser = new EventRowParser(log, options, summary) { AfterAppend = afterAppend, ActionColumnAbsent = true };
        var fields = new JsonEventFields(options);
        var lineStart = new int[EventFields.Slots];
        var lineLength = new int[EventFields.Slots];

        var lines = new Utf8LineReader(stream);
        var sawAnyLine = false;
        while (lines.ReadLine(out var rawLine, out var lineNumber))
        {
            sawAnyLine = true;
            if (IsBlank(rawLine))
                continue;
            // Latin-1 lines become UTF-8 for the JSON reader (every byte is a character, so none is invalid).
            ReadOnlySpan<byte> line = options.Encoding == TextEncoding.Latin1 ? Encoding.UTF8.GetBytes(Encoding.Latin1.GetString(rawLine)) : rawLine;
            if (nestedName is null)
                ReadFlatLine(line, lineNumber, fileName, parser, fields, summary, options, rejects);
            else
                ReadNestedLine(line, lineNumber, fileName, nestedName, parser, fields, lineStart, lineLength, summary, options, rejects);
        }
        if (!sawAnyLine)
            throw new DataFormatException(fileName, 0, "the file is empty: expected one JSON object per line");
        summary.Seconds = watch.Elapsed.TotalSeconds;
        return summary;
    }

    private static readonly JsonReaderOptions s_json = new() { CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>
    /// The one reason for text that is not UTF-8, in CSV and JSON Lines alike: <c>caf\xe9</c> and <c>caf\xe8</c> must not
    /// become the same user. (A real U+FFFD in a UTF-8 CSV file is rejected too: it is the mark of an earlier lossy
    /// conversion.)
    /// </summary>
    internal const string NotUtf8 = "the row holds bytes that are not valid UTF-8; if the file is Latin-1, read it with the Latin-1 encoding (--encoding latin1)";

    /// <summary>
    /// A second value for one event field in one object (a duplicate key, or two keys mapped to one field) would keep
    /// one and drop the other silently, so the object is a bad row.
    /// </summary>
    private static (string Kind, string Reason)? Twice(ref int seen, int field)
    {
        var bit = 1 << field;
        if ((seen & bit) != 0)
            return ("malformed", $"the object gives {EventFields.SlotName(field)} twice (a duplicate key, or two keys mapped to one field)");
        seen |= bit;
        return null;
    }

    /// <summary>After the line's object, nothing but white space: a second value or trailing text would be dropped.</summary>
    /// <exception cref="JsonException">Trailing text that is not JSON (reported as invalid JSON by the caller).</exception>
    private static (string Kind, string Reason)? EndOfLine(ref Utf8JsonReader json) =>
        json.Read() ? ("malformed", "the line holds more than one JSON value; one event object per line") : null;

    private static byte[]? NestedNameBytes(EventReaderOptions options)
    {
        if (options.NestedEvents is null)
            return null;
        if (string.IsNullOrWhiteSpace(options.NestedEvents))
            throw new ArgumentException("The nested events property name is empty; name the array that holds the events (e.g. events).");
        return Encoding.UTF8.GetBytes(options.NestedEvents);
    }

    /// <summary>One line, one flat event object.</summary>
    private static void ReadFlatLine(ReadOnlySpan<byte> line, long lineNumber, string fileName, EventRowParser parser,
        JsonEventFields fields, EventReadSummary summary, EventReaderOptions options, IRejectSink? rejects)
    {
        summary.RowsRead++;
        parser.ClearFields();
        fields.RowLength = 0;
        (string Kind, string Reason)? error = null;
        try
        {
            var json = new Utf8JsonReader(line, s_json);
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
                error = ("malformed", "the line is not a JSON object");
            var seen = 0;
            while (error is null && json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                var field = fields.FieldOf(ref json);
                json.Read();
                if (field < 0)
                    json.Skip();
                else
                    error = Twice(ref seen, field) ?? fields.ReadValue(ref json, field, parser.Start, parser.Length);
            }
            if (error is null)
                error = EndOfLine(ref json);
        }
        catch (JsonException ex)
        {
            error = ("malformed", InvalidJson(ex));
        }
        catch (InvalidOperationException)
        {
            error = ("malformed", NotUtf8);
        }
        error ??= parser.TryAppend(fields.Row.AsSpan(0, fields.RowLength));
        if (error is { Kind: "missing_field" } missing && FirstArrayProperty(line) is { } array)
        {
            // The likely cause is a nested layout read as flat; say how to read it rather than only what is missing.
            error = (missing.Kind, $"{missing.Reason} (the line holds an array '{array}'; if it lists the events, read them with --nested-events {array})");
        }
        if (error is { } e)
            HandleBadRow(summary, options, rejects, fileName, lineNumber, e, Encoding.UTF8.GetString(line));
        else
            summary.Accepted++;
    }

    /// <summary>
    /// One line, one object holding an array of events under <paramref name="nestedName"/>. Each element is a row of its
    /// own: accepted, or rejected with its 0-based index in the array. A line that cannot yield events (not an object,
    /// invalid JSON, no array) is one rejected row.
    /// </summary>
    private static void ReadNestedLine(ReadOnlySpan<byte> line, long lineNumber, string fileName, byte[] nestedName,
        EventRowParser parser, JsonEventFields fields, int[] lineStart, int[] lineLength, EventReadSummary summary,
        EventReaderOptions options, IRejectSink? rejects)
    {
        summary.NestedLines++;
        lineStart.AsSpan().Fill(-1);
        fields.RowLength = 0;
        var arrayStart = -1;
        (string Kind, string Reason)? error = null;
        // First the whole line object: its own fields, and where the array starts. Skipping over the array validates
        // its JSON, so a line broken anywhere is rejected whole before any of its events reaches the log.
        try
        {
            var json = new Utf8JsonReader(line, s_json);
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
                error = ("malformed", "the line is not a JSON object");
            var seen = 0;
            while (error is null && json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                if (json.ValueTextEquals(nestedName))
                {
                    json.Read();
                    if (arrayStart >= 0)
                        error = ("malformed", $"the line holds '{options.NestedEvents}' twice; only one array of events per line is read");
                    else if (json.TokenType == JsonTokenType.StartArray)
                        arrayStart = (int)json.TokenStartIndex;
                    else if (json.TokenType != JsonTokenType.Null)
                        error = ("wrong_type", $"{options.NestedEvents} is a JSON {JsonEventFields.TokenName(json.TokenType)}, expected an array of event objects");
                    json.Skip();
                    continue;
                }
                var field = fields.FieldOf(ref json);
                json.Read();
                if (field < 0)
                    json.Skip();
                else
                    error = Twice(ref seen, field) ?? fields.ReadValue(ref json, field, lineStart, lineLength);
            }
            if (error is null)
                error = EndOfLine(ref json);
        }
        catch (JsonException ex)
        {
            error = ("malformed", InvalidJson(ex));
        }
        catch (InvalidOperationException)
        {
            error = ("malformed", NotUtf8);
        }
        if (error is null && arrayStart < 0)
            error = ("missing_field", $"{options.NestedEvents} is missing or null: expected an array of event objects");
        if (error is { } lineError)
        {
            summary.RowsRead++;
            HandleBadRow(summary, options, rejects, fileName, lineNumber, lineError, Encoding.UTF8.GetString(line));
            return;
        }

        // The line's values stay at the start of the row buffer; each event's own values go after them.
        var lineValues = fields.RowLength;
        var array = line[arrayStart..];
        var events = new Utf8JsonReader(array, s_json);
        events.Read();
        var index = 0;
        while (events.Read() && events.TokenType != JsonTokenType.EndArray)
        {
            summary.RowsRead++;
            var elementStart = (int)events.TokenStartIndex;
            lineStart.CopyTo(parser.Start, 0);
            lineLength.CopyTo(parser.Length, 0);
            fields.RowLength = lineValues;
            error = null;
            if (events.TokenType != JsonTokenType.StartObject)
            {
                error = ("wrong_type", $"the element is a JSON {JsonEventFields.TokenName(events.TokenType)}, not an event object");
                events.Skip();
            }
            else
            {
                var seen = 0;
                while (events.Read() && events.TokenType == JsonTokenType.PropertyName)
                {
                    var field = fields.FieldOf(ref events);
                    events.Read();
                    // After a bad value the rest of the element is still consumed, to reach the next element.
                    if (field < 0 || error is not null)
                        events.Skip();
                    else if ((error = Twice(ref seen, field)) is not null)
                        events.Skip();
                    else
                        error = fields.ReadValue(ref events, field, parser.Start, parser.Length);
                }
            }
            error ??= parser.TryAppend(fields.Row.AsSpan(0, fields.RowLength));
            if (error is { } e)
            {
                var raw = Encoding.UTF8.GetString(array[elementStart..(int)events.BytesConsumed]);
                HandleBadRow(summary, options, rejects, fileName, lineNumber, (e.Kind, $"event {index}: {e.Reason}"), raw);
            }
            else
            {
                summary.Accepted++;
            }
            index++;
        }
        if (index == 0)
            summary.EmptyEventArrays++;
    }

    private static string InvalidJson(JsonException ex) => $"invalid JSON: {ex.Message.Split(" LineNumber", 2)[0]}";

    /// <summary>The name of the line's first top-level property whose value is an array, or null (error path only).</summary>
    private static string? FirstArrayProperty(ReadOnlySpan<byte> line)
    {
        try
        {
            var json = new Utf8JsonReader(line, s_json);
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
                return null;
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                var name = json.GetString();
                json.Read();
                if (json.TokenType == JsonTokenType.StartArray)
                    return name;
                json.Skip();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
        }
        return null;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                return false;
        return true;
    }

    private static int CountMissingSessions(EventLog log)
    {
        var n = 0;
        foreach (var s in log.SessionIds)
            if (s < 0) n++;
        return n;
    }

    private static int[] ResolveColumns(string[] columns, EventReaderOptions options, string fileName)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Length; i++)
        {
            // Two columns of one name would leave one of them unread, silently: the header must name each once.
            if (!index.TryAdd(columns[i], i))
                throw new DataFormatException(fileName, 1,
                    $"column '{columns[i]}' appears twice in the header (columns {index[columns[i]] + 1} and {i + 1}); each column needs its own name");
        }
        var result = new int[EventFields.Slots];
        for (var f = 0; f < EventFields.Count; f++)
        {
            var field = (EventField)f;
            var mapped = options.ColumnMap.TryGetValue(field, out var source);
            var name = mapped ? source! : EventFields.Name(field);
            if (!index.TryGetValue(name, out result[f]))
            {
                result[f] = -1;
                if (mapped)
                    throw new DataFormatException(fileName, 1,
                        $"column '{name}' (mapped to {EventFields.Name(field)}) is not in the file; its columns are {string.Join(", ", columns)}");
            }
        }
        result[EventFields.TimestampOffsetSlot] = -1;
        if (options.TimestampOffsetColumn is { } offset && !index.TryGetValue(offset, out result[EventFields.TimestampOffsetSlot]))
            throw new DataFormatException(fileName, 1,
                $"time offset column '{offset}' is not in the file; its columns are {string.Join(", ", columns)}");
        string? missing = null;
        if (result[(int)EventField.Timestamp] < 0) missing = "timestamp";
        else if (result[(int)EventField.Action] < 0 && options.DefaultAction is null) missing = "action";
        else if (result[(int)EventField.UserId] < 0 && result[(int)EventField.SessionId] < 0) missing = "user_id (or session_id)";
        if (missing is not null)
            throw new DataFormatException(fileName, 1,
                $"required column {missing} is not in the file (columns: {string.Join(", ", columns)}); map it with --map {missing.Split(' ')[0]}=<column>" +
                (missing == "action" ? ", or give every row one action with --default-action NAME" : ""));
        return result;
    }

    private static void HandleBadRow(EventReadSummary summary, EventReaderOptions options, IRejectSink? rejects,
        string fileName, long line, (string Kind, string Reason) error, string raw)
    {
        if (options.OnBadRow == BadRowPolicy.Fail)
            throw new DataFormatException(fileName, line, error.Reason);
        summary.CountReject(error.Kind);
        rejects?.Reject(new RejectedRow(fileName, line, error.Reason, raw));
    }
}
