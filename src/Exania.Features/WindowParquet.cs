using System.Globalization;
using System.Numerics;
using Exania.Core;
using Exania.Events;
using Parquet;
using Parquet.Schema;

namespace Exania.Features;

/// <summary>
/// The windows table as Parquet, for pandas, polars and DuckDB: the columns of <see cref="WindowCsv"/> in the same
/// order, typed: <c>session_id</c> string, <c>window_end</c> and the 20 features double, <c>label</c> int32 (0 or 1;
/// an integer rather than a boolean so that sums and means over it work in every reader). All columns are required
/// (no nulls). Rows go in row groups of <see cref="RowGroupRows"/>; files are written atomically.
/// </summary>
public static class WindowParquet
{
    /// <summary>Rows per row group (pyarrow's default), so a reader holds at most this many rows of a column at once.</summary>
    public const int RowGroupRows = 1 << 20;

    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(WindowTable table, string path)
    {
        ArgumentNullException.ThrowIfNull(table);
        var doubles = new DoubleColumn[1 + WindowFeatures.Count];
        doubles[0] = new(WindowCsv.EndColumn, (start, destination) => table.WindowEnds.Slice(start, destination.Length).CopyTo(destination));
        for (var f = 0; f < WindowFeatures.Count; f++)
        {
            var feature = f;
            doubles[1 + f] = new(WindowFeatures.Names[f], (start, destination) =>
            {
                var features = table.Features;
                for (var i = 0; i < destination.Length; i++)
                    destination[i] = features[(start + i) * WindowFeatures.Count + feature];
            });
        }
        Int32Column[] ints =
        [
            new(WindowCsv.LabelColumn, (start, destination) =>
            {
                var labels = table.Labels.Slice(start, destination.Length);
                for (var i = 0; i < destination.Length; i++)
                    destination[i] = labels[i];
            }),
        ];
        WriteTable(path, table, doubles, ints);
    }

    /// <summary>Fills <paramref name="destination"/> with the column's values of rows <paramref name="start"/> onwards.</summary>
    internal delegate void FillDoubles(int start, Span<double> destination);

    /// <summary>Fills <paramref name="destination"/> with the column's values of rows <paramref name="start"/> onwards.</summary>
    internal delegate void FillInt32s(int start, Span<int> destination);

    internal readonly record struct DoubleColumn(string Name, FillDoubles Fill);

    internal readonly record struct Int32Column(string Name, FillInt32s Fill);

    /// <summary>
    /// A table of one row per window: <c>session_id</c>, then the double columns, then the int32 columns, all required,
    /// written atomically in row groups of <see cref="RowGroupRows"/>. Windows and predictions are both written here.
    /// </summary>
    internal static void WriteTable(string path, WindowTable table, DoubleColumn[] doubles, Int32Column[] ints) =>
        AtomicFile.Write(path, stream => WriteTableAsync(stream, table, doubles, ints).GetAwaiter().GetResult());

    private static async Task WriteTableAsync(Stream stream, WindowTable table, DoubleColumn[] doubles, Int32Column[] ints)
    {
        var session = new DataField<string>(WindowCsv.SessionColumn, nullable: false);
        var fields = new List<Field> { session };
        var doubleFields = new DataField<double>[doubles.Length];
        for (var c = 0; c < doubles.Length; c++)
            fields.Add(doubleFields[c] = new DataField<double>(doubles[c].Name));
        var intFields = new DataField<int>[ints.Length];
        for (var c = 0; c < ints.Length; c++)
            fields.Add(intFields[c] = new DataField<int>(ints[c].Name));

        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
        var rows = table.Rows;
        var size = Math.Clamp(rows, 1, RowGroupRows);
        var names = new string[size];
        var doubleBuffer = new double[size];
        var intBuffer = new int[size];
        // A table without rows is still one (empty) row group, so that readers see the schema with zero rows.
        for (var start = 0; start == 0 || start < rows; start += size)
        {
            var count = Math.Min(size, rows - start);
            using var group = writer.CreateRowGroup();
            var sessions = table.SessionIndices;
            for (var i = 0; i < count; i++)
                names[i] = table.SessionNames[sessions[start + i]];
            await group.WriteAsync(session, count == size ? names : names[..count], null);
            for (var c = 0; c < doubles.Length; c++)
            {
                doubles[c].Fill(start, doubleBuffer.AsSpan(0, count));
                await group.WriteAsync<double>(doubleFields[c], doubleBuffer.AsMemory(0, count));
            }
            for (var c = 0; c < ints.Length; c++)
            {
                ints[c].Fill(start, intBuffer.AsSpan(0, count));
                await group.WriteAsync<int>(intFields[c], intBuffer.AsMemory(0, count));
            }
        }
    }

    /// <summary>
    /// Reads a windows Parquet file. The 20 feature columns are found by name (any order, extra columns ignored);
    /// <c>label</c> is required when <paramref name="requireLabel"/>, else read when present (0 otherwise). Numbers may be
    /// double, float or integer columns; the label int, long, boolean or a 0/1 double; session ids text or integers.
    /// </summary>
    /// <exception cref="DataFormatException">Not Parquet or damaged; a column missing or of another type; a value null,
    /// not finite or (label) not 0 or 1. The line is the 1-based row number.</exception>
    public static WindowTable Read(string path, bool requireLabel = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Features file '{path}' does not exist.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        return Read(stream, Path.GetFileName(path), requireLabel);
    }

    /// <summary>Reads a windows Parquet file from <paramref name="stream"/>; <paramref name="fileName"/> names it in errors.</summary>
    public static WindowTable Read(Stream stream, string fileName, bool requireLabel = true) =>
        ReadAsync(stream, fileName, requireLabel).GetAwaiter().GetResult();

    private static async Task<WindowTable> ReadAsync(Stream stream, string fileName, bool requireLabel)
    {
        await using var reader = await ParquetFile.OpenAsync(stream, fileName);
        var byName = new Dictionary<string, DataField>(StringComparer.Ordinal);
        foreach (var field in reader.Schema.Fields)
            if (field is DataField { IsArray: false, MaxRepetitionLevel: 0 } data)
                byName.TryAdd(data.Name, data);
        var features = new NumberColumn[WindowFeatures.Count];
        for (var f = 0; f < WindowFeatures.Count; f++)
        {
            features[f] = NumberColumn.Find(byName, WindowFeatures.Names[f], fileName)
                ?? throw new DataFormatException(fileName, 0,
                    $"feature column '{WindowFeatures.Names[f]}' is missing (a features file has the 20 columns {string.Join(", ", WindowFeatures.Names)})");
        }
        var label = NumberColumn.Find(byName, WindowCsv.LabelColumn, fileName);
        if (requireLabel && label is null)
            throw new DataFormatException(fileName, 0, "column 'label' is missing");
        var end = NumberColumn.Find(byName, WindowCsv.EndColumn, fileName);
        var session = SessionColumn.Find(byName, fileName);

        var sessions = new StringPool();
        var table = new WindowTable(new WindowCsv.ListView(sessions), 1024);
        var noSession = session is null ? sessions.GetOrAdd("") : -1;
        long firstRow = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var rowGroup = reader.OpenRowGroupReader(g);
            var count = ParquetFile.RowCount(rowGroup, g, fileName);
            try
            {
                foreach (var column in features)
                    await column.ReadAsync(rowGroup, count);
                if (label is not null)
                    await label.ReadAsync(rowGroup, count);
                if (end is not null)
                    await end.ReadAsync(rowGroup, count);
                if (session is not null)
                    await session.ReadAsync(rowGroup, count);
            }
            catch (Exception ex) when (ParquetFile.IsDamage(ex))
            {
                throw ParquetFile.DamagedRowGroup(fileName, g, reader.RowGroupCount, ex);
            }
            for (var r = 0; r < count; r++)
            {
                var row = firstRow + r + 1;
                var id = session is null ? noSession : session.Intern(r, row, sessions, fileName);
                byte labelValue = 0;
                if (label is not null)
                {
                    var l = label.Value(r, row, fileName);
                    labelValue = l switch
                    {
                        0 => 0,
                        1 => 1,
                        _ => throw new DataFormatException(fileName, row, $"label {l.ToString(CultureInfo.InvariantCulture)} is not 0 or 1"),
                    };
                }
                var destination = table.Add(id, end is null ? double.NaN : end.Value(r, row, fileName), labelValue);
                for (var f = 0; f < WindowFeatures.Count; f++)
                    destination[f] = features[f].Value(r, row, fileName);
            }
            firstRow += count;
        }
        return table;
    }

    /// <summary>A numeric column of one row group as doubles (double, float, int32, int64 or boolean in the file).</summary>
    private sealed class NumberColumn
    {
        private readonly DataField _field;
        private double[] _values = [];
        private bool[] _null = [];
        private Array _raw = Array.Empty<double?>();

        private NumberColumn(DataField field) => _field = field;

        /// <summary>The column named <paramref name="name"/>, null when absent.</summary>
        /// <exception cref="DataFormatException">It is not numeric.</exception>
        public static NumberColumn? Find(Dictionary<string, DataField> byName, string name, string fileName)
        {
            if (!byName.TryGetValue(name, out var field))
                return null;
            var type = field.ClrType;
            if (type == typeof(double) || type == typeof(float) || type == typeof(int) || type == typeof(long) || type == typeof(bool))
                return new NumberColumn(field);
            throw new DataFormatException(fileName, 0, $"column '{name}' holds {type.Name} values, not numbers");
        }

        public ValueTask ReadAsync(ParquetRowGroupReader rowGroup, int rows)
        {
            if (_values.Length < rows)
            {
                _values = new double[rows];
                _null = new bool[rows];
            }
            var type = _field.ClrType;
            if (type == typeof(double)) return Read<double>(rowGroup, rows);
            if (type == typeof(float)) return Read<float>(rowGroup, rows);
            if (type == typeof(int)) return Read<int>(rowGroup, rows);
            if (type == typeof(long)) return Read<long>(rowGroup, rows);
            return ReadBooleans(rowGroup, rows);
        }

        private async ValueTask Read<T>(ParquetRowGroupReader rowGroup, int rows) where T : struct, INumberBase<T>
        {
            var values = Buffer<T>(rows);
            await ParquetFile.ReadAsync(rowGroup, _field, values, rows);
            for (var i = 0; i < rows; i++)
            {
                _null[i] = values[i] is null;
                _values[i] = values[i] is { } v ? double.CreateChecked(v) : double.NaN;
            }
        }

        private async ValueTask ReadBooleans(ParquetRowGroupReader rowGroup, int rows)
        {
            var values = Buffer<bool>(rows);
            await ParquetFile.ReadAsync(rowGroup, _field, values, rows);
            for (var i = 0; i < rows; i++)
            {
                _null[i] = values[i] is null;
                _values[i] = values[i] is { } v ? (v ? 1 : 0) : double.NaN;
            }
        }

        private T?[] Buffer<T>(int rows) where T : struct
        {
            if (_raw is not T?[] buffer || buffer.Length < rows)
                _raw = buffer = new T?[rows];
            return buffer;
        }

        /// <exception cref="DataFormatException">The value of <paramref name="r"/> is null or not finite.</exception>
        public double Value(int r, long row, string fileName)
        {
            if (_null[r])
                throw new DataFormatException(fileName, row, $"{_field.Name} is null");
            var value = _values[r];
            if (!double.IsFinite(value))
                throw new DataFormatException(fileName, row, $"{_field.Name} is {value.ToString(CultureInfo.InvariantCulture)}, not a finite number");
            return value;
        }
    }

    /// <summary>The session_id column: text, or integers read as their invariant text (the id 42 is the session "42").</summary>
    private sealed class SessionColumn
    {
        private readonly DataField _field;
        private ReadOnlyMemory<char>?[] _text = [];
        private long?[] _numbers = [];
        private int?[] _ints = [];

        private SessionColumn(DataField field) => _field = field;

        /// <exception cref="DataFormatException">The column is neither text nor integers.</exception>
        public static SessionColumn? Find(Dictionary<string, DataField> byName, string fileName)
        {
            if (!byName.TryGetValue(WindowCsv.SessionColumn, out var field))
                return null;
            var type = field.ClrType;
            if (type == typeof(ReadOnlyMemory<char>) || type == typeof(long) || type == typeof(int))
                return new SessionColumn(field);
            throw new DataFormatException(fileName, 0, $"column '{WindowCsv.SessionColumn}' holds {type.Name} values; session ids are text or integers");
        }

        public ValueTask ReadAsync(ParquetRowGroupReader rowGroup, int rows)
        {
            var type = _field.ClrType;
            if (type == typeof(long))
            {
                if (_numbers.Length < rows) _numbers = new long?[rows];
                return ParquetFile.ReadAsync(rowGroup, _field, _numbers, rows);
            }
            if (type == typeof(int))
            {
                if (_ints.Length < rows) _ints = new int?[rows];
                return ParquetFile.ReadAsync(rowGroup, _field, _ints, rows);
            }
            if (_text.Length < rows) _text = new ReadOnlyMemory<char>?[rows];
            return ParquetFile.ReadAsync(rowGroup, _field, _text, rows);
        }

        /// <exception cref="DataFormatException">The value of <paramref name="r"/> is null.</exception>
        public int Intern(int r, long row, StringPool pool, string fileName)
        {
            var type = _field.ClrType;
            Span<char> digits = stackalloc char[24];
            if (type == typeof(long) || type == typeof(int))
            {
                var number = type == typeof(long) ? _numbers[r] : _ints[r];
                if (number is not { } n)
                    throw new DataFormatException(fileName, row, $"{_field.Name} is null");
                n.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
                return pool.GetOrAdd(digits[..written]);
            }
            return _text[r] is { } text ? pool.GetOrAdd(text.Span) : throw new DataFormatException(fileName, row, $"{_field.Name} is null");
        }
    }
}
