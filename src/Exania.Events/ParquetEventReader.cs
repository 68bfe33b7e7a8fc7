using System.Diagnostics;
using System.Globalization;
using Exania.Core;
using Parquet;
using Parquet.Schema;

namespace Exania.Events;

public static partial class EventReader
{
    /// <summary>
    /// Reads a Parquet file from <paramref name="stream"/> (readable and seekable); <paramref name="fileName"/> is used in
    /// messages. Columns are found by name after <see cref="EventReaderOptions.ColumnMap"/>, exactly as CSV headers are,
    /// and every row goes through the same checks as a CSV row, so it is accepted or rejected for the same reasons.
    /// Values are taken by their type: text as it is; integers and decimals in invariant text (the integer id 42 is the
    /// same user as the CSV text "42"); doubles in shortest round-trip form and floats in theirs (a float 0.1 reads as
    /// 0.1, the value its writer meant, not 0.100000001490116); a TIMESTAMP or DATE column as exact epoch seconds
    /// (UTC; a timestamp not marked UTC is read as UTC, like ISO text without a zone), whatever
    /// <see cref="EventReaderOptions.TimestampFormat"/> says, which applies to text and number columns as in CSV. Nulls
    /// are empty fields. One row group is held in memory at a time. A rejected row's "line" is its 1-based row number.
    /// </summary>
    /// <exception cref="DataFormatException">The file is not Parquet or is damaged; a required column is missing, or a
    /// mapped column is nested or of a type that cannot hold its field; or a row is malformed and
    /// <see cref="EventReaderOptions.OnBadRow"/> is <see cref="BadRowPolicy.Fail"/>.</exception>
    public static EventReadSummary ReadParquet(Stream stream, string fileName, EventLog log, EventReaderOptions? options = null,
        IRejectSink? rejects = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(log);
        options = (options ?? EventReaderOptions.Default).Validate();
        if (options.NestedEvents is not null)
            throw new DataFormatException(fileName, 0,
                $"nested events ('{options.NestedEvents}') are read from JSON Lines only, and this file is read as Parquet; choose the JSON Lines format (--format jsonl)");
        // Parquet.Net is asynchronous only; the readers are synchronous over a local file, so the read blocks here once.
        return ReadParquetAsync(stream, fileName, log, options, rejects).GetAwaiter().GetResult();
    }

    private static EventReadSummary ReadParquet(string path, EventLog log, EventReaderOptions options, IRejectSink? rejects)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        return ReadParquet(stream, Path.GetFileName(path), log, options, rejects);
    }

    private static async Task<EventReadSummary> ReadParquetAsync(Stream stream, string fileName, EventLog log,
        EventReaderOptions options, IRejectSink? rejects)
    {
        var watch = Stopwatch.StartNew();
        var summary = new EventReadSummary { File = fileName };
        await using var reader = await ParquetFile.OpenAsync(stream, fileName);
        var rows = ParquetEventRows.Create(reader.Schema, options, fileName);
        // A typed timestamp column arrives as exact epoch-seconds text: the parser must read it as such, whatever
        // format the text and number columns of other files are declared in.
        var parser = new EventRowParser(log, rows.TypedTimestamp
            ? options with { TimestampFormat = TimestampFormat.EpochSeconds, TimestampPattern = null }
            : options, summary)
        { ActionColumnAbsent = !rows.Reads(EventField.Action) };
        long rowNumber = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var rowGroup = reader.OpenRowGroupReader(g);
            var count = ParquetFile.RowCount(rowGroup, g, fileName);
            try
            {
                await rows.ReadAsync(rowGroup, count);
            }
            catch (Exception ex) when (ParquetFile.IsDamage(ex))
            {
                throw ParquetFile.DamagedRowGroup(fileName, g, reader.RowGroupCount, ex);
            }
            for (var r = 0; r < count; r++)
            {
                rowNumber++;
                summary.RowsRead++;
                var error = rows.Assemble(r, parser);
                if (error is { } e)
                    HandleBadRow(summary, options, rejects, fileName, rowNumber, e, rows.RawRow());
                else
                    summary.Accepted++;
            }
        }
        summary.Seconds = watch.Elapsed.TotalSeconds;
        return summary;
    }

    /// <summary>
    /// The Parquet reader's view of the logical fields: the columns they map to (each read once, however many fields
    /// it feeds), one row group of their values, and each row as text in one buffer for <see cref="EventRowParser"/>.
    /// </summary>
    private sealed class ParquetEventRows
    {
        private readonly ParquetColumn[] _columns;
        // Per logical field: index into _columns, -1 when the file has no column for it.
        private readonly int[] _columnOfField;
        private readonly int[] _valueStart;
        private readonly int[] _valueLength;
        private readonly RowText _text = new();

        private ParquetEventRows(ParquetColumn[] columns, int[] columnOfField, bool typedTimestamp)
        {
            _columns = columns;
            _columnOfField = columnOfField;
            _valueStart = new int[columns.Length];
            _valueLength = new int[columns.Length];
            TypedTimestamp = typedTimestamp;
        }

        /// <summary>Whether the timestamp column is a Parquet TIMESTAMP or DATE (its text is then epoch seconds).</summary>
        public bool TypedTimestamp { get; }

        /// <exception cref="DataFormatException">A required column is missing, or a mapped one cannot be read as its field.</exception>
        public static ParquetEventRows Create(ParquetSchema schema, EventReaderOptions options, string fileName)
        {
            var fields = schema.Fields;
            var names = new string[fields.Count];
            for (var i = 0; i < names.Length; i++)
                names[i] = fields[i].Name;
            int[] fileColumnOfField;
            try
            {
                fileColumnOfField = ResolveColumns(names, options, fileName);
            }
            catch (DataFormatException ex) when (ex.Line == 1)
            {
                // The CSV rule and reason, but Parquet names its columns in the schema, not on line 1 (row 1 is data).
                throw new DataFormatException(fileName, 0, ex.Reason);
            }

            // One column object per distinct file column, in file order (the order a rejected row is written in).
            var order = new List<int>();
            for (var f = 0; f < EventFields.Slots; f++)
                if (fileColumnOfField[f] >= 0 && !order.Contains(fileColumnOfField[f]))
                    order.Add(fileColumnOfField[f]);
            order.Sort();
            var columns = new ParquetColumn[order.Count];
            var columnOfField = new int[EventFields.Slots];
            columnOfField.AsSpan().Fill(-1);
            var typedTimestamp = false;
            for (var k = 0; k < columns.Length; k++)
            {
                var field = fields[order[k]];
                for (var f = 0; f < EventFields.Slots; f++)
                {
                    if (fileColumnOfField[f] != order[k])
                        continue;
                    columnOfField[f] = k;
                    columns[k] ??= ParquetColumn.For(field, EventFields.SlotName(f), fileName);
                    if (columns[k] is TimeColumn)
                    {
                        if (f != (int)EventField.Timestamp)
                            throw new DataFormatException(fileName, 0,
                                $"column '{field.Name}' (read as {EventFields.SlotName(f)}) is a Parquet date-time; only the timestamp can be read from a date-time column");
                        typedTimestamp = true;
                    }
                }
            }
            return new ParquetEventRows(columns, columnOfField, typedTimestamp);
        }

        /// <summary>Whether the file has a column for <paramref name="field"/>.</summary>
        public bool Reads(EventField field) => _columnOfField[(int)field] >= 0;

        public async Task ReadAsync(ParquetRowGroupReader rowGroup, int rows)
        {
            foreach (var column in _columns)
                await column.ReadAsync(rowGroup, rows);
        }

        /// <summary>Renders row <paramref name="row"/> of the current row group as text and appends it, or says why not.</summary>
        public (string Kind, string Reason)? Assemble(int row, EventRowParser parser)
        {
            _text.Length = 0;
            for (var k = 0; k < _columns.Length; k++)
            {
                var start = _text.Length;
                if (!_columns[k].Append(row, _text))
                {
                    _valueStart[k] = -1;
                    continue;
                }
                _valueStart[k] = start;
                _valueLength[k] = _text.Length - start;
            }
            for (var k = 0; k < _columns.Length; k++)
            {
                // Parquet.Net decodes invalid UTF-8 to U+FFFD: as in CSV, such a value must not merge with another.
                if (_columns[k] is TextColumn && _valueStart[k] >= 0 && _text.Chars.AsSpan(_valueStart[k], _valueLength[k]).Contains('\uFFFD'))
                    return ("malformed", $"column '{_columns[k].Name}' holds bytes that are not valid UTF-8 (Parquet text is UTF-8)");
            }
            parser.ClearFields();
            for (var f = 0; f < EventFields.Slots; f++)
            {
                var k = _columnOfField[f];
                if (k < 0 || _valueStart[k] < 0)
                    continue;
                parser.Start[f] = _valueStart[k];
                parser.Length[f] = _valueLength[k];
            }
            return parser.TryAppend(_text.Chars.AsSpan(0, _text.Length));
        }

        /// <summary>The row last assembled, as a CSV line of the columns read (file order; null as an empty cell).</summary>
        public string RawRow()
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            for (var k = 0; k < _columns.Length; k++)
            {
                if (k > 0)
                    writer.Write(',');
                if (_valueStart[k] >= 0)
                    CsvFieldWriter.WriteField(writer, new string(_text.Chars, _valueStart[k], _valueLength[k]));
            }
            return writer.ToString();
        }
    }

    /// <summary>One row's values as text, end to end; fields point into it by start and length.</summary>
    private sealed class RowText
    {
        public char[] Chars = new char[256];
        public int Length;

        /// <summary>Room for <paramref name="count"/> more characters after <see cref="Length"/>.</summary>
        public Span<char> Reserve(int count)
        {
            if (Length + count > Chars.Length)
                Array.Resize(ref Chars, Math.Max(Chars.Length * 2, Length + count));
            return Chars.AsSpan(Length);
        }
    }

    /// <summary>One file column: a row group of its values, and each value as text.</summary>
    private abstract class ParquetColumn(DataField field)
    {
        protected DataField Field { get; } = field;

        public string Name => Field.Name;

        public abstract ValueTask ReadAsync(ParquetRowGroupReader rowGroup, int rows);

        /// <summary>Appends the value of <paramref name="row"/> as text; false when it is null.</summary>
        public abstract bool Append(int row, RowText text);

        /// <summary>The column object for <paramref name="field"/>, refused when no value of its type can be <paramref name="target"/> (a slot's name).</summary>
        /// <exception cref="DataFormatException">Nested, repeated, or of a type read as nothing (binary, boolean, time of day, ...).</exception>
        public static ParquetColumn For(Field field, string target, string fileName)
        {
            if (field is not DataField { IsArray: false, MaxRepetitionLevel: 0 } data)
                throw new DataFormatException(fileName, 0,
                    $"column '{field.Name}' (read as {target}) is a Parquet {field.SchemaType.ToString().ToLowerInvariant()}, not a column of single values");
            var type = data.ClrType;
            if (type == typeof(ReadOnlyMemory<char>)) return new TextColumn(data);
            if (type == typeof(DateTime)) return new TimeColumn(data);
            if (type == typeof(long)) return new NumberColumn<long>(data);
            if (type == typeof(int)) return new NumberColumn<int>(data);
            if (type == typeof(short)) return new NumberColumn<short>(data);
            if (type == typeof(sbyte)) return new NumberColumn<sbyte>(data);
            if (type == typeof(ulong)) return new NumberColumn<ulong>(data);
            if (type == typeof(uint)) return new NumberColumn<uint>(data);
            if (type == typeof(ushort)) return new NumberColumn<ushort>(data);
            if (type == typeof(byte)) return new NumberColumn<byte>(data);
            if (type == typeof(double)) return new NumberColumn<double>(data);
            if (type == typeof(float)) return new NumberColumn<float>(data);
            if (type == typeof(decimal)) return new NumberColumn<decimal>(data);
            throw new DataFormatException(fileName, 0,
                $"column '{field.Name}' (read as {target}) holds Parquet {data.SchemaElement?.Type?.ToString() ?? type.Name} values ({type.Name}); " +
                "event columns are text, numbers or timestamps");
        }
    }

    private sealed class TextColumn(DataField field) : ParquetColumn(field)
    {
        private ReadOnlyMemory<char>?[] _values = [];

        public override ValueTask ReadAsync(ParquetRowGroupReader rowGroup, int rows)
        {
            if (_values.Length < rows)
                _values = new ReadOnlyMemory<char>?[rows];
            return ParquetFile.ReadAsync(rowGroup, Field, _values, rows);
        }

        public override bool Append(int row, RowText text)
        {
            if (_values[row] is not { } value)
                return false;
            value.Span.CopyTo(text.Reserve(value.Length));
            text.Length += value.Length;
            return true;
        }
    }

    /// <summary>Numbers in invariant shortest round-trip text, which the parser reads back to the same value.</summary>
    private sealed class NumberColumn<T>(DataField field) : ParquetColumn(field)
        where T : struct, ISpanFormattable
    {
        private T?[] _values = [];

        public override ValueTask ReadAsync(ParquetRowGroupReader rowGroup, int rows)
        {
            if (_values.Length < rows)
                _values = new T?[rows];
            return ParquetFile.ReadAsync(rowGroup, Field, _values, rows);
        }

        public override bool Append(int row, RowText text)
        {
            if (_values[row] is not { } value)
                return false;
            // 64 characters hold any of these types (a decimal needs at most 31, a double 24).
            value.TryFormat(text.Reserve(64), out var written, default, CultureInfo.InvariantCulture);
            text.Length += written;
            return true;
        }
    }

    /// <summary>
    /// TIMESTAMP (millis, micros, nanos) and DATE columns, which Parquet.Net gives as <see cref="DateTime"/> ticks
    /// of 100 ns. They are written as exact decimal epoch seconds (<c>1569888000.1234560</c>), so the parser's one
    /// correctly rounded conversion gives the same double as that text in a CSV file; only nanoseconds finer than
    /// 100 ns are lost, well under a double's resolution at present-day epochs (about 240 ns).
    /// </summary>
    private sealed class TimeColumn(DataField field) : ParquetColumn(field)
    {
        private DateTime?[] _values = [];

        public override ValueTask ReadAsync(ParquetRowGroupReader rowGroup, int rows)
        {
            if (_values.Length < rows)
                _values = new DateTime?[rows];
            return ParquetFile.ReadAsync(rowGroup, Field, _values, rows);
        }

        public override bool Append(int row, RowText text)
        {
            if (_values[row] is not { } value)
                return false;
            // The ticks as stored, whatever the Kind: Parquet.Net marks a timestamp not adjusted to UTC as local time
            // without converting it, and such a timestamp is read as UTC.
            var ticks = value.Ticks - DateTime.UnixEpoch.Ticks;
            var destination = text.Reserve(32);
            var written = 0;
            if (ticks < 0)
            {
                destination[written++] = '-';
                ticks = -ticks;
            }
            var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var fraction);
            seconds.TryFormat(destination[written..], out var n, default, CultureInfo.InvariantCulture);
            written += n;
            destination[written++] = '.';
            fraction.TryFormat(destination[written..], out n, "D7", CultureInfo.InvariantCulture);
            written += n;
            text.Length += written;
            return true;
        }
    }
}
