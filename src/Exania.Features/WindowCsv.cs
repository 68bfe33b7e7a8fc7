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
    public static void Write(WindowTable table, string path)
    {
        ArgumentNullException.ThrowIfNull(table);
        AtomicFile.WriteText(path, writer => Write(table, writer));
    }

    /// <summary>Writes <paramref name="table"/> as CSV.</summary>
    public static void Write(WindowTable table, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(SessionColumn);
        writer.Write(',');
        writer.Write(EndColumn);
        foreach (var name in WindowFeatures.Names)
        {
            writer.Write(',');
            writer.Write(name);
        }
        writer.Write(',');
        writer.Write(LabelColumn);
        writer.Write('\n');
        Span<char> buffer = stackalloc char[64];
        var ends = table.WindowEnds;
        var labels = table.Labels;
        for (var r = 0; r < table.Rows; r++)
        {
            CsvFieldWriter.WriteField(writer, table.SessionOf(r));
            writer.Write(',');
            CsvFieldWriter.WriteNumber(writer, ends[r], buffer);
            foreach (var v in table.Row(r))
            {
                writer.Write(',');
                CsvFieldWriter.WriteNumber(writer, v, buffer);
            }
            writer.Write(',');
            writer.Write(labels[r] == 1 ? '1' : '0');
            writer.Write('\n');
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
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
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
