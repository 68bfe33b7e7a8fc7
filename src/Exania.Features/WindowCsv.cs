using System.Globalization;
using System.Text;
using Exania.Core;
using Exania.Events;

namespace Exania.Features;

/// <summary>
/// The windows CSV: <c>session_id, window_end, the 20 features, label</c>. Numbers are written in shortest
/// round-trip form, so reading a file back gives the exact doubles that were extracted.
/// </summary>
public static class WindowCsv
{
    public const string SessionColumn = "session_id";
    public const string EndColumn = "window_end";
    public const string LabelColumn = "label";

    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(WindowTable table, string path, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(table);
        AtomicFile.Write(path, stream => Write(table, stream, threads));
    }

    /// <summary>Writes <paramref name="table"/> as CSV text (through the same UTF-8 formatting as the file writer).</summary>
    public static void Write(WindowTable table, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(writer);
        using var bytes = new MemoryStream();
        Write(table, bytes, threads: 1);
        writer.Write(Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length));
    }

    /// <summary>Rows per chunk a thread formats at a time (about 1.5 MB of text).</summary>
    private const int ChunkRows = 8192;

    /// <summary>
    /// Writes <paramref name="table"/> as UTF-8 CSV to <paramref name="stream"/>. Chunks of rows are formatted in
    /// parallel (<paramref name="threads"/>, 0 for all processors), each into its own buffer, and written in row order,
    /// so the bytes do not depend on the thread count.
    /// </summary>
    public static void Write(WindowTable table, Stream stream, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(stream);
        WriteHeader(stream);
        WriteRows(table, stream, threads);
    }

    /// <summary>The header line alone (a streaming writer writes it once, then the rows of each chunk).</summary>
    public static void WriteHeader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new Utf8CsvBuffer(1024);
        header.Ascii("session_id,window_end"u8);
        foreach (var name in WindowFeatures.Names)
        {
            header.Byte((byte)',');
            header.Field(name);
        }
        header.Ascii(",label\n"u8);
        header.WriteTo(stream);
    }

    /// <summary>The rows of <paramref name="table"/> without a header, as <see cref="Write(WindowTable, Stream, int)"/> writes them.</summary>
    public static void WriteRows(WindowTable table, Stream stream, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(stream);
        var workers = Parallelism.Resolve(threads);
        var chunks = (table.Rows + ChunkRows - 1) / ChunkRows;
        var batch = Math.Max(1, Math.Min(2 * workers, chunks));
        var buffers = new Utf8CsvBuffer[batch];
        for (var k = 0; k < batch; k++)
            buffers[k] = new Utf8CsvBuffer(ChunkRows * 200);
        var parallel = Parallelism.Options(threads);
        for (var first = 0; first < chunks; first += batch)
        {
            var count = Math.Min(batch, chunks - first);
            if (count == 1 || workers == 1)
                for (var k = 0; k < count; k++)
                    FormatChunk(table, first + k, buffers[k]);
            else
                Parallel.For(0, count, parallel, k => FormatChunk(table, first + k, buffers[k]));
            for (var k = 0; k < count; k++)
                buffers[k].WriteTo(stream);
        }
    }

    private static void FormatChunk(WindowTable table, int chunk, Utf8CsvBuffer buffer)
    {
        buffer.Clear();
        var ends = table.WindowEnds;
        var labels = table.Labels;
        var sessions = table.SessionIndices;
        var names = table.SessionNames;
        var end = Math.Min(table.Rows, (chunk + 1) * ChunkRows);
        for (var r = chunk * ChunkRows; r < end; r++)
        {
            buffer.Field(names[sessions[r]]);
            buffer.Byte((byte)',');
            buffer.Number(ends[r]);
            foreach (var v in table.Row(r))
            {
                buffer.Byte((byte)',');
                buffer.Number(v);
            }
            buffer.Ascii(labels[r] == 1 ? ",1\n"u8 : ",0\n"u8);
        }
    }

    /// <summary>
    /// Reads a windows CSV. The 20 feature columns are found by name (any order, extra columns ignored);
    /// <c>label</c> is required when <paramref name="requireLabel"/>, else read when present (0 otherwise).
    /// </summary>
    /// <exception cref="DataFormatException">A column is missing or a value is not a finite number (file, line, reason).</exception>
    public static WindowTable Read(string path, bool requireLabel = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Features file '{path}' does not exist.", path);
        using var reader = new StreamReader(path, Encoding.UTF8, true, 1 << 16);
        return Read(reader, Path.GetFileName(path), requireLabel);
    }

    /// <summary>Reads a windows CSV from <paramref name="reader"/>; <paramref name="fileName"/> names it in errors.</summary>
    public static WindowTable Read(TextReader reader, string fileName, bool requireLabel = true)
    {
        var csv = new CsvTokenizer(reader, ',');
        if (!csv.ReadRow())
            throw new DataFormatException(fileName, 0, "the file is empty: expected a header row");
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < csv.FieldCount; i++)
            columns.TryAdd(csv.Field(i).Trim().ToString(), i);
        var width = csv.FieldCount;
        var featureColumn = new int[WindowFeatures.Count];
        for (var f = 0; f < WindowFeatures.Count; f++)
        {
            if (!columns.TryGetValue(WindowFeatures.Names[f], out featureColumn[f]))
                throw new DataFormatException(fileName, 1,
                    $"feature column '{WindowFeatures.Names[f]}' is missing (a features file has the 20 columns {string.Join(", ", WindowFeatures.Names)})");
        }
        var labelColumn = columns.GetValueOrDefault(LabelColumn, -1);
        if (requireLabel && labelColumn < 0)
            throw new DataFormatException(fileName, 1, "column 'label' is missing");
        var sessionColumn = columns.GetValueOrDefault(SessionColumn, -1);
        var endColumn = columns.GetValueOrDefault(EndColumn, -1);

        var sessions = new StringPool();
        var table = new WindowTable(new ListView(sessions), 1024);
        while (csv.ReadRow())
        {
            if (csv.FieldCount != width)
                throw new DataFormatException(fileName, csv.RowLine, $"expected {width} fields, found {csv.FieldCount}");
            var session = sessionColumn >= 0 ? sessions.GetOrAdd(csv.Field(sessionColumn)) : sessions.GetOrAdd("");
            var end = endColumn >= 0 ? Number(csv, endColumn, EndColumn, fileName) : double.NaN;
            byte label = 0;
            if (labelColumn >= 0)
            {
                var text = csv.Field(labelColumn).Trim();
                label = text switch
                {
                    "0" or "0.0" => 0,
                    "1" or "1.0" => 1,
                    _ => throw new DataFormatException(fileName, csv.RowLine, $"label '{text.ToString()}' is not 0 or 1"),
                };
            }
            var destination = table.Add(session, end, label);
            for (var f = 0; f < WindowFeatures.Count; f++)
                destination[f] = Number(csv, featureColumn[f], WindowFeatures.Names[f], fileName);
        }
        return table;
    }

    private static double Number(CsvTokenizer csv, int column, string name, string fileName)
    {
        var text = csv.Field(column).Trim();
        if (!DecimalText.TryParse(text, out var value))
            throw new DataFormatException(fileName, csv.RowLine, $"{name} '{text.ToString()}' is not a number");
        if (!double.IsFinite(value))
            throw new DataFormatException(fileName, csv.RowLine, $"{name} is {text.ToString()}, not a finite number");
        return value;
    }

    /// <summary>Read-only view of a pool's strings that stays current as the pool grows.</summary>
    internal sealed class ListView(StringPool pool) : IReadOnlyList<string>
    {
        public string this[int index] => pool[index];
        public int Count => pool.Count;
        public IEnumerator<string> GetEnumerator() => pool.Values.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
