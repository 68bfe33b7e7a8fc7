namespace Exania.Core;

/// <summary>Format of a tabular input file (events, campaign tables).</summary>
public enum DataFileFormat
{
    /// <summary>Chosen from the file extension: <c>.jsonl</c>/<c>.ndjson</c>/<c>.json</c> are JSON Lines, anything else CSV.</summary>
    Auto,
    Csv,
    JsonLines,
}
