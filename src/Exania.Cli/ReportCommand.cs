using System.CommandLine;
using System.Text.Json.Nodes;
using Exania.Core;
using Exania.Reports;

namespace Exania.Cli;

/// <summary><c>exania report --model DIR</c>: the HTML report of a saved model, drawn from the results written beside it.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (or model file) written by `exania train ...` or `exania segment`.", Required = true };
        var kind = new Option<string?>("--kind") { Description = "Which model of the folder: click, roas, sequence, conversion or segment (default: the first the folder holds)." };
        var output = new Option<string?>("--out") { Description = "HTML file to write (default: <kind>_report.html in the model folder)." };
        var json = CommonOptions.Json();
        var command = new Command("report", "Write the self-contained HTML report of a saved model from the training results beside it.")
        {
            model, kind, output, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var wanted = ParseKind(parse.GetValue(kind));
                var modelPath = ModelFile.Resolve(parse.GetValue(model)!, wanted);
                var modelKind = ModelFile.Identify(modelPath);
                var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
                var resultsPath = Path.Combine(folder, ModelFile.ResultsFileNameOf(modelKind));
                if (!File.Exists(resultsPath))
                    throw new FileNotFoundException($"'{resultsPath}' is missing: the report is drawn from the training results the train command writes beside the model.", resultsPath);
                var report = ModelReports.FromResults(modelKind, File.ReadAllText(resultsPath), Path.GetFileName(resultsPath));
                var outPath = parse.GetValue(output) ?? Path.Combine(folder, $"{modelKind.ToString().ToLowerInvariant()}_report.html");
                CommonOptions.RefuseOverwritingInput(outPath, "--out", (modelPath, "--model"), (resultsPath, "results"));
                var result = new JsonObject
                {
                    ["command"] = "report",
                    ["kind"] = modelKind.ToString().ToLowerInvariant(),
                    ["model"] = modelPath,
                    ["results"] = resultsPath,
                    ["report"] = CliReports.Write(cli, outPath, report),
                };
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    private static ModelKind? ParseKind(string? text) => text switch
    {
        null => null,
        "click" => ModelKind.Click,
        "roas" => ModelKind.Roas,
        "sequence" => ModelKind.Sequence,
        "conversion" => ModelKind.Conversion,
        "segment" => ModelKind.Segment,
        _ => throw new ArgumentException($"--kind '{text}' is not one of click, roas, sequence, conversion, segment."),
    };
}
