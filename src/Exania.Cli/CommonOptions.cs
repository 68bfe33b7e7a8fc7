using System.CommandLine;
using Exania.Core;

namespace Exania.Cli;

internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print exactly one JSON object with the figures on stdout (for scripts).",
    };

    /// <summary><c>--report</c>: a self-contained HTML report with the run's plots (issue #17).</summary>
    public static Option<string?> Report() => new("--report")
    {
        Description = "Also write a self-contained HTML report with plots of the results (opens offline in any browser), e.g. m/report.html.",
    };

    public static Option<int> Seed(int defaultSeed = 1) => new("--seed")
    {
        Description = "Seed of every random step; the same seed gives the same result.",
        DefaultValueFactory = _ => defaultSeed,
    };

    /// <summary><c>--conversion</c>: the actions that are a conversion (the session table's defaults).</summary>
    public static Option<string> Conversion() => new("--conversion")
    {
        Description = "Comma-separated action names that are a conversion.",
        DefaultValueFactory = _ => string.Join(',', Exania.Conversion.SessionTableOptions.Default.ConversionActions),
    };

    /// <summary><c>--click</c>: the actions that are a click or a cart (the session table's defaults).</summary>
    public static Option<string> Click() => new("--click")
    {
        Description = "Comma-separated action names that are a click or a cart (a session with one and no conversion is a drop-off).",
        DefaultValueFactory = _ => string.Join(',', Exania.Conversion.SessionTableOptions.Default.ClickActions),
    };

    /// <summary><c>--clean</c>: regular expressions whose matches in event values become <c>*</c> (paths, funnel breakdowns).</summary>
    public static Option<string[]> Clean() => new("--clean")
    {
        Description = "Regular expression whose matches in each value become * (repeatable), e.g. '[0-9]+' to collapse ids in page names.",
    };

    /// <summary>The format of a table a command writes (windows, predictions): by the extension unless told.</summary>
    public static Option<string> OutFormat() => new("--out-format")
    {
        Description = "Output format: auto (Parquet for a .parquet --out, else CSV), csv or parquet.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>The value of <c>--out-format</c>.</summary>
    /// <exception cref="ArgumentException">Not one of auto, csv, parquet.</exception>
    public static DataFileFormat ParseOutFormat(string? text) => text switch
    {
        null or "auto" => DataFileFormat.Auto,
        "csv" => DataFileFormat.Csv,
        "parquet" => DataFileFormat.Parquet,
        _ => throw new ArgumentException($"--out-format '{text}' is not one of auto, csv, parquet."),
    };

    /// <summary>
    /// Refuses an output path that is one of the command's inputs (the same file, also through a symbolic link), before
    /// anything is read: writing the result would replace the data it came from.
    /// </summary>
    /// <exception cref="ArgumentException">The output is an input.</exception>
    public static void RefuseOverwritingInput(string? outPath, string outFlag, params (string? Path, string Flag)[] inputs)
    {
        if (string.IsNullOrEmpty(outPath))
            return;
        var output = OutputPath.Resolve(outPath);
        foreach (var (path, flag) in inputs)
            if (!string.IsNullOrEmpty(path) && OutputPath.Resolve(path) == output)
                throw new ArgumentException($"{outFlag} '{outPath}' is the {flag} input; exania never writes over a file it reads. Give another {outFlag}.");
    }

    /// <summary>The value of <c>--on-bad-row</c>.</summary>
    /// <exception cref="ArgumentException">Neither fail nor skip.</exception>
    public static BadRowPolicy ParseBadRowPolicy(string text) => text switch
    {
        "fail" => BadRowPolicy.Fail,
        "skip" => BadRowPolicy.Skip,
        _ => throw new ArgumentException($"--on-bad-row '{text}' is not one of fail, skip."),
    };
}
