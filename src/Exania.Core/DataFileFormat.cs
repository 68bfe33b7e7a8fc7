namespace Exania.Core;

/// <summary>Format of a tabular file (events, campaign tables, windows, predictions).</summary>
public enum DataFileFormat
{
    /// <summary>
    /// Chosen from the file extension (<see cref="DataFileFormats.Resolve"/>): <c>.parquet</c> is Parquet,
    /// <c>.jsonl</c>/<c>.ndjson</c>/<c>.json</c> are JSON Lines, anything else CSV.
    /// </summary>
    Auto,
    Csv,
    JsonLines,

    /// <summary>Apache Parquet: typed columns in row groups (read and written with Parquet.Net).</summary>
    Parquet,
}

/// <summary>The one place a file's extension decides its format.</summary>
public static class DataFileFormats
{
    /// <summary>
    /// <paramref name="format"/> itself, or for <see cref="DataFileFormat.Auto"/> the format the extension of
    /// <paramref name="path"/> names: <c>.parquet</c> Parquet, <c>.jsonl</c>/<c>.ndjson</c>/<c>.json</c> JSON Lines,
    /// anything else CSV.
    /// </summary>
    public static DataFileFormat Resolve(DataFileFormat format, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (format != DataFileFormat.Auto)
            return format;
        var ext = Path.GetExtension(path);
        if (ext.Equals(".parquet", StringComparison.OrdinalIgnoreCase))
            return DataFileFormat.Parquet;
        if (ext.Equals(".jsonl", StringComparison.OrdinalIgnoreCase) || ext.Equals(".ndjson", StringComparison.OrdinalIgnoreCase) ||
            ext.Equals(".json", StringComparison.OrdinalIgnoreCase))
            return DataFileFormat.JsonLines;
        return DataFileFormat.Csv;
    }
}
