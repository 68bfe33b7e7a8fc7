using Exania.Core;

namespace Exania.Features;

/// <summary>
/// A windows table as a file: CSV (<see cref="WindowCsv"/>) or Parquet (<see cref="WindowParquet"/>), as the format
/// says or, under <see cref="DataFileFormat.Auto"/>, as the extension says (<c>.parquet</c> is Parquet, anything else
/// CSV). Commands read and write windows through here.
/// </summary>
public static class WindowFile
{
    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">The format is JSON Lines (windows are CSV or Parquet).</exception>
    public static void Write(WindowTable table, string path, DataFileFormat format = DataFileFormat.Auto)
    {
        if (Resolve(format, path) == DataFileFormat.Parquet)
            WindowParquet.Write(table, path);
        else
            WindowCsv.Write(table, path);
    }

    /// <summary>Reads a windows file; see <see cref="WindowCsv.Read(string, bool)"/> and <see cref="WindowParquet.Read(string, bool)"/>.</summary>
    /// <exception cref="DataFormatException">A column is missing or a value is malformed (file, line or row, reason).</exception>
    public static WindowTable Read(string path, bool requireLabel = true, DataFileFormat format = DataFileFormat.Auto) =>
        Resolve(format, path) == DataFileFormat.Parquet ? WindowParquet.Read(path, requireLabel) : WindowCsv.Read(path, requireLabel);

    /// <summary>CSV or Parquet for <paramref name="path"/>; JSON Lines is refused.</summary>
    /// <exception cref="ArgumentException">The format is JSON Lines.</exception>
    public static DataFileFormat Resolve(DataFileFormat format, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // A windows file named .json/.jsonl is still CSV unless told otherwise: only .parquet changes the format.
        var resolved = format == DataFileFormat.Auto
            ? DataFileFormats.Resolve(format, path) == DataFileFormat.Parquet ? DataFileFormat.Parquet : DataFileFormat.Csv
            : format;
        if (resolved == DataFileFormat.JsonLines)
            ExaniaThrow.Argument($"Window and prediction tables are CSV or Parquet, not JSON Lines ('{path}').", nameof(format));
        return resolved;
    }
}
