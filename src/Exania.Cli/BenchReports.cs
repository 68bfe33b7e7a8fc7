using System.Globalization;
using System.Text.Json.Nodes;
using Exania.Core;
using Exania.Reports;

namespace Exania.Cli;

/// <summary>The <c>--report</c> of the bench commands: the page drawn from the command's own JSON result.</summary>
internal static class BenchReports
{
    /// <summary>
    /// Writes the page to <paramref name="path"/> (nothing when null) with <paramref name="result"/> embedded as it
    /// stands, then adds the page's path to the printed result as <c>report</c>.
    /// </summary>
    public static void Write(CliOutput cli, string? path, JsonObject result, BenchSummary summary)
    {
        if (path is null) return;
        var json = result.ToJsonString(ReportJson.Options);
        result["report"] = CliReports.Write(cli, path, BenchReportPage.Build(summary, json));
    }

    /// <summary>A header fact of a parameter.</summary>
    public static ReportFact Fact(string name, IFormattable value) => new(name, value.ToString(null, CultureInfo.InvariantCulture));

    /// <summary>A number of the JSON result, or null when absent.</summary>
    public static double? Optional(JsonNode? node) => node is null ? null : BenchCommand.Num(node);
}
