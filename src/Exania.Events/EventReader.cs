using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Exania.Events;

/// <summary>
/// Reads event files (CSV with or without header, JSON Lines) into an <see cref="EventLog"/>, streaming: memory grows
/// with the number of events kept (about 70 bytes each), never with the file's size in text.
/// Every data row is accepted or rejected with a reason; see <see cref="EventReadSummary"/>.
/// </summary>
public static class EventReader
{
    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="log"/>, then assigns sessions to rows without one
    /// (inactivity gap <paramref name="sessionGapSeconds"/>).
    /// </summary>
    /// <exception cref="EventFormatException">The file is empty or lacks a required column, or a row is malformed
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

    /// <summary>Reads <paramref name="path"/> into <paramref name="log"/> without sessionizing.</summary>
    public static EventReadSummary Read(string path, EventLog log, EventReaderOptions? options = null, IRejectSink? rejects = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= EventReaderOptions.Default;
        if (!File.Exists(path))
            throw new FileNotFoundException($"Event file '{path}' does not exist.", path);
        var format = options.Format;
        if (format == EventFileFormat.Auto)
        {
            var ext = Path.GetExtension(path).ToLowerInvariant();
            format = ext is ".jsonl" or ".ndjson" or ".json" ? EventFileFormat.JsonLines : EventFileFormat.Csv;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var name = Path.GetFileName(path);
        return format == EventFileFormat.JsonLines
            ? ReadJsonLines(stream, name, log, options, rejects)
            : ReadCsv(new StreamReader(stream, Encoding.UTF8, true, 1 << 16), name, log, options, rejects);
    }

    /// <summary>Reads CSV from <paramref name="reader"/>; <paramref name="fileName"/> is used in messages.</summary>
    public static EventReadSummary ReadCsv(TextReader reader, string fileName, EventLog log,
        EventReaderOptions? options = null, IRejectSink? rejects = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(log);
        options ??= EventReaderOptions.Default;
        var watch = Stopwatch.StartNew();
        var summary = new EventReadSummary { File = fileName };
        var tokenizer = new CsvTokenizer(reader, options.Delimiter);
        string[] columns;
        if (options.HasHeader)
        {
            if (!tokenizer.ReadRow())
                throw new EventFormatException(fileName, 0, "the file is empty: expected a header row naming the columns");
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

        var parser = new EventRowParser(log, options, summary);
        int[]? columnOfField = options.HasHeader || options.ColumnNames is not null
            ? ResolveColumns(columns, options, fileName)
            : null;
        while (tokenizer.ReadRow())
        {
            summary.RowsRead++;
            if (columnOfField is null)
            {
                // Headerless without names: columns are "1", "2", ... as many as the first row has.
                columns = Enumerable.Range(1, tokenizer.FieldCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                columnOfField = ResolveColumns(columns, options, fileName);
            }
            (string Kind, string Reason)? error;
            if (tokenizer.UnterminatedQuote)
                error = ("malformed", "a quoted field is not closed before the end of the file");
            else if (tokenizer.FieldCount != columns.Length)
                error = ("wrong_field_count", $"expected {columns.Length} fields, found {tokenizer.FieldCount}");
            else
            {
                parser.ClearFields();
                for (var f = 0; f < EventFields.Count; f++)
                {
                    var c = columnOfField[f];
                    if (c < 0) continue;
                    parser.Start[f] = tokenizer.FieldStart(c);
                    parser.Length[f] = tokenizer.FieldLength(c);
                }
                error = parser.TryAppend(tokenizer.RowChars);
            }
            if (error is { } e)
                HandleBadRow(summary, options, rejects, fileName, tokenizer.RowLine, e, tokenizer.RawRow());
            else
                summary.Accepted++;
        }
        summary.Seconds = watch.Elapsed.TotalSeconds;
        return summary;
    }

    /// <summary>
    /// Reads JSON Lines (one flat JSON object per line) from <paramref name="stream"/>. Values may be strings or numbers;
    /// properties that map to no event field are ignored.
    /// </summary>
    public static EventReadSummary ReadJsonLines(Stream stream, string fileName, EventLog log,
        EventReaderOptions? options = null, IRejectSink? rejects = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(log);
        options ??= EventReaderOptions.Default;
        var watch = Stopwatch.StartNew();
        var summary = new EventReadSummary { File = fileName };
        var parser = new EventRowParser(log, options, summary);
        var sourceNames = new string[EventFields.Count];
        for (var f = 0; f < EventFields.Count; f++)
            sourceNames[f] = options.ColumnMap.TryGetValue((EventField)f, out var src) ? src : EventFields.Name((EventField)f);
        var fieldByName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var f = 0; f < EventFields.Count; f++)
            fieldByName.TryAdd(sourceNames[f], f);
        var lookup = fieldByName.GetAlternateLookup<ReadOnlySpan<char>>();

        var lines = new Utf8LineReader(stream);
        var row = new char[256];
        var nameChars = new char[128];
        var sawAnyLine = false;
        while (lines.ReadLine(out var line, out var lineNumber))
        {
            sawAnyLine = true;
            if (IsBlank(line))
                continue;
            summary.RowsRead++;
            parser.ClearFields();
            var rowLength = 0;
            (string Kind, string Reason)? error = null;
            try
            {
                var json = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
                if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
                    error = ("malformed", "the line is not a JSON object");
                while (error is null && json.Read() && json.TokenType == JsonTokenType.PropertyName)
                {
                    var nameLength = json.HasValueSequence || json.ValueIsEscaped || json.ValueSpan.Length > nameChars.Length
                        ? -1
                        : Encoding.UTF8.GetChars(json.ValueSpan, nameChars);
                    var found = nameLength >= 0
                        ? lookup.TryGetValue(nameChars.AsSpan(0, nameLength), out var field)
                        : fieldByName.TryGetValue(json.GetString() ?? "", out field);
                    if (!found)
                        field = -1;
                    json.Read();
                    if (field < 0)
                    {
                        json.TrySkip();
                        continue;
                    }
                    switch (json.TokenType)
                    {
                        case JsonTokenType.String:
                        case JsonTokenType.Number:
                            {
                                var raw = json.TokenType == JsonTokenType.String ? json.GetString()! : Encoding.UTF8.GetString(json.ValueSpan);
                                if (rowLength + raw.Length > row.Length)
                                    Array.Resize(ref row, Math.Max(row.Length * 2, rowLength + raw.Length));
                                raw.CopyTo(row.AsSpan(rowLength));
                                parser.Start[field] = rowLength;
                                parser.Length[field] = raw.Length;
                                rowLength += raw.Length;
                                break;
                            }
                        case JsonTokenType.Null:
                            break;
                        default:
                            error = ("wrong_type", $"{sourceNames[field]} is a JSON {json.TokenType.ToString().ToLowerInvariant()}, expected a string or number");
                            json.TrySkip();
                            break;
                    }
                }
            }
            catch (JsonException ex)
            {
                error = ("malformed", $"invalid JSON: {ex.Message.Split(" LineNumber", 2)[0]}");
            }
            error ??= parser.TryAppend(row.AsSpan(0, rowLength));
            if (error is { } e)
                HandleBadRow(summary, options, rejects, fileName, lineNumber, e, Encoding.UTF8.GetString(line));
            else
                summary.Accepted++;
        }
        if (!sawAnyLine)
            throw new EventFormatException(fileName, 0, "the file is empty: expected one JSON object per line");
        summary.Seconds = watch.Elapsed.TotalSeconds;
        return summary;
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
            index.TryAdd(columns[i], i);
        var result = new int[EventFields.Count];
        for (var f = 0; f < EventFields.Count; f++)
        {
            var field = (EventField)f;
            var mapped = options.ColumnMap.TryGetValue(field, out var source);
            var name = mapped ? source! : EventFields.Name(field);
            if (!index.TryGetValue(name, out result[f]))
            {
                result[f] = -1;
                if (mapped)
                    throw new EventFormatException(fileName, 1,
                        $"column '{name}' (mapped to {EventFields.Name(field)}) is not in the file; its columns are {string.Join(", ", columns)}");
            }
        }
        string? missing = null;
        if (result[(int)EventField.Timestamp] < 0) missing = "timestamp";
        else if (result[(int)EventField.Action] < 0) missing = "action";
        else if (result[(int)EventField.UserId] < 0 && result[(int)EventField.SessionId] < 0) missing = "user_id (or session_id)";
        if (missing is not null)
            throw new EventFormatException(fileName, 1,
                $"required column {missing} is not in the file (columns: {string.Join(", ", columns)}); map it with --map {missing.Split(' ')[0]}=<column>");
        return result;
    }

    private static void HandleBadRow(EventReadSummary summary, EventReaderOptions options, IRejectSink? rejects,
        string fileName, long line, (string Kind, string Reason) error, string raw)
    {
        if (options.OnBadRow == BadRowPolicy.Fail)
            throw new EventFormatException(fileName, line, error.Reason);
        summary.CountReject(error.Kind);
        rejects?.Reject(new RejectedRow(fileName, line, error.Reason, raw));
    }
}
