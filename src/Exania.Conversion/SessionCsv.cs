using Exania.Core;

namespace Exania.Conversion;

/// <summary>
/// The session table as CSV: <c>session_id, user_id, the features, clicked, conversion, dropoff</c>. Numbers are
/// written in shortest round-trip form straight into UTF-8 (<see cref="Utf8CsvBuffer"/>), so reading the file back
/// gives the exact doubles; pandas, polars and DuckDB read it as it is.
/// </summary>
public static class SessionCsv
{
    public const string SessionColumn = "session_id";
    public const string UserColumn = "user_id";
    public static IReadOnlyList<string> LabelColumns { get; } = ["clicked", "conversion", "dropoff"];

    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(SessionTable table, string path)
    {
        ArgumentNullException.ThrowIfNull(table);
        AtomicFile.Write(path, stream => Write(table, stream));
    }

    /// <summary>Writes <paramref name="table"/> as UTF-8 CSV to <paramref name="stream"/>.</summary>
    public static void Write(SessionTable table, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new Utf8CsvBuffer(1 << 20);
        buffer.Field(SessionColumn);
        buffer.Byte((byte)',');
        buffer.Field(UserColumn);
        foreach (var name in table.FeatureNames.Concat(LabelColumns))
        {
            buffer.Byte((byte)',');
            buffer.Field(name);
        }
        buffer.Byte((byte)'\n');
        for (var r = 0; r < table.Rows; r++)
        {
            buffer.Field(table.SessionIds[r]);
            buffer.Byte((byte)',');
            buffer.Field(table.UserIds[r]);
            foreach (var v in table.Row(r))
            {
                buffer.Byte((byte)',');
                buffer.Number(v);
            }
            buffer.Ascii(table.Clicked[r] == 1 ? ",1"u8 : ",0"u8);
            buffer.Ascii(table.Conversion[r] == 1 ? ",1"u8 : ",0"u8);
            buffer.Ascii(table.Dropoff[r] == 1 ? ",1\n"u8 : ",0\n"u8);
            if (buffer.Length >= 1 << 20)
            {
                buffer.WriteTo(stream);
                buffer.Clear();
            }
        }
        buffer.WriteTo(stream);
    }
}
