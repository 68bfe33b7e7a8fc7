using System.Diagnostics;
using System.Globalization;

namespace Exania.Core;

/// <summary>
/// Writes CSV fields the one way every Exania writer does (events, windows, predictions, campaigns, rejects): numbers
/// in shortest round-trip invariant form with NaN as an empty cell, text quoted only when RFC 4180 needs it.
/// </summary>
public static class CsvFieldWriter
{
    /// <summary>Writes a number in shortest round-trip form; NaN (absent) as an empty cell.</summary>
    public static void WriteNumber(TextWriter writer, double value, Span<char> buffer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Debug.Assert(buffer.Length >= 32, "A double needs up to 25 characters in shortest round-trip form.");
        if (double.IsNaN(value)) return;
        int written;
        if (IsWholeNumber(value))
            ((long)value).TryFormat(buffer, out written, default, CultureInfo.InvariantCulture);
        else
            value.TryFormat(buffer, out written, default, CultureInfo.InvariantCulture);
        writer.Write(buffer[..written]);
    }

    /// <summary>
    /// Counts and labels are whole numbers: formatting them as integers is several times cheaper and gives the same
    /// text as the shortest round-trip form (below 1e15, where that form has no exponent; -0 keeps its sign).
    /// </summary>
    public static bool IsWholeNumber(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 && !(value == 0 && double.IsNegative(value));

    /// <summary>Writes a CSV field, quoting it when it holds a comma, quote or line break (RFC 4180).</summary>
    public static void WriteField(TextWriter writer, string value) => WriteField(writer, value, ',');

    /// <summary>
    /// Writes a field of a CSV file whose fields are separated by <paramref name="delimiter"/> (a semicolon file's
    /// rejected row, say), quoting it when it holds the delimiter, a quote or a line break.
    /// </summary>
    public static void WriteField(TextWriter writer, string value, char delimiter)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var span = value.AsSpan();
        if (span.IndexOfAny('"', '\r', '\n') < 0 && span.IndexOf(delimiter) < 0)
        {
            writer.Write(value);
            return;
        }
        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }
}
