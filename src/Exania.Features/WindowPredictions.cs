using Exania.Core;

namespace Exania.Features;

/// <summary>
/// Per-window click predictions: <c>session_id, window_end, click_probability, predicted_click</c> (1 when the
/// probability is at or above the model's threshold). CSV numbers are shortest round-trip text; in Parquet,
/// session_id is a string, window_end and click_probability double, predicted_click int32. Written atomically.
/// </summary>
public static class WindowPredictions
{
    public const string ProbabilityColumn = "click_probability";
    public const string PredictedColumn = "predicted_click";

    /// <summary>
    /// Writes one row per window of <paramref name="table"/>, CSV or Parquet as <see cref="WindowFile.Resolve"/> decides.
    /// </summary>
    /// <exception cref="ArgumentException">The probabilities are not one per window, or the format is JSON Lines.</exception>
    public static void Write(string path, WindowTable table, double[] probabilities, double threshold, DataFileFormat format = DataFileFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Length != table.Rows)
            ExaniaThrow.LengthMismatch(nameof(probabilities), table.Rows, probabilities.Length);
        if (WindowFile.Resolve(format, path) == DataFileFormat.Parquet)
        {
            WindowParquet.WriteTable(path, table,
            [
                new(WindowCsv.EndColumn, (start, destination) => table.WindowEnds.Slice(start, destination.Length).CopyTo(destination)),
                new(ProbabilityColumn, (start, destination) => probabilities.AsSpan(start, destination.Length).CopyTo(destination)),
            ],
            [
                new(PredictedColumn, (start, destination) =>
                {
                    for (var i = 0; i < destination.Length; i++)
                        destination[i] = probabilities[start + i] >= threshold ? 1 : 0;
                }),
            ]);
            return;
        }
        // UTF-8 straight into a buffer that is flushed every megabyte, as the windows writer does.
        AtomicFile.Write(path, stream =>
        {
            var buffer = new Utf8CsvBuffer(1 << 20);
            string[] header = [WindowCsv.SessionColumn, WindowCsv.EndColumn, ProbabilityColumn, PredictedColumn];
            for (var c = 0; c < header.Length; c++)
            {
                if (c > 0) buffer.Byte((byte)',');
                buffer.Field(header[c]);
            }
            buffer.Byte((byte)'\n');
            var ends = table.WindowEnds;
            var sessions = table.SessionIndices;
            var names = table.SessionNames;
            for (var r = 0; r < table.Rows; r++)
            {
                buffer.Field(names[sessions[r]]);
                buffer.Byte((byte)',');
                buffer.Number(ends[r]);
                buffer.Byte((byte)',');
                buffer.Number(probabilities[r]);
                buffer.Ascii(probabilities[r] >= threshold ? ",1\n"u8 : ",0\n"u8);
                if (buffer.Length >= 1 << 20)
                {
                    buffer.WriteTo(stream);
                    buffer.Clear();
                }
            }
            buffer.WriteTo(stream);
        });
    }
}
