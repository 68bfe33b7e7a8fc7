using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Core;
using Exania.Events;
using Exania.Features;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania windows</c>: events in, sliding-window features and labels out.</summary>
internal static class WindowsCommand
{
    public static Command Create()
    {
        var input = new EventInput();
        var settings = new WindowSettings();
        var output = new Option<string>("--out") { Description = "Windows file to write: CSV, or Parquet for a .parquet path.", Required = true };
        var outFormat = CommonOptions.OutFormat();
        var json = CommonOptions.Json();
        var command = new Command("windows", "Extract the 20 sliding-window features (and the ad-click label) from events.");
        input.AddTo(command);
        settings.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(outFormat);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var outPath = parse.GetValue(output)!;
                var format = WindowFile.Resolve(CommonOptions.ParseOutFormat(parse.GetValue(outFormat)), outPath);
                CommonOptions.RefuseOverwritingInput(outPath, "--out", [.. (parse.GetValue(input.Events) ?? []).Select(e => ((string?)e, "--events"))]);
                var options = settings.Options(parse);
                var total = Stopwatch.StartNew();
                var (log, load) = cli.Step("reading events", _ => input.Load(parse, RejectsPathFor(outPath)));
                if (log.Count == 0)
                    return cli.Fail($"no events were accepted from {string.Join(", ", parse.GetValue(input.Events)!)} ({load.HumanLine()})", 2);
                var extract = Stopwatch.StartNew();
                var index = SessionIndex.Build(log);
                var table = WindowExtractor.Extract(log, index, options);
                var extractSeconds = CliOutput.Seconds(extract);
                var write = Stopwatch.StartNew();
                WindowFile.Write(table, outPath, format);
                var writeSeconds = CliOutput.Seconds(write);
                var seconds = CliOutput.Seconds(total);

                cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                var summary = new Table().AddColumns("", "value");
                summary.AddRow("events", $"{log.Count:N0}");
                summary.AddRow("sessions", $"{index.SessionCount:N0}");
                summary.AddRow("windows", $"{table.Rows:N0}");
                summary.AddRow("positives", $"{table.Positives:N0} ({Rate(table):P2})");
                summary.AddRow("seconds", $"{seconds:0.###} (extract {extractSeconds:0.###})");
                summary.AddRow("output", Markup.Escape(outPath));
                cli.Table(summary);
                cli.Result(new JsonObject
                {
                    ["command"] = "windows",
                    ["events"] = log.Count,
                    ["sessions"] = index.SessionCount,
                    ["windows"] = table.Rows,
                    ["positives"] = table.Positives,
                    ["positive_rate"] = Math.Round(Rate(table), 6),
                    ["seconds"] = seconds,
                    ["extract_seconds"] = extractSeconds,
                    ["write_seconds"] = writeSeconds,
                    ["events_per_second"] = Math.Round(log.Count / Math.Max(seconds, 1e-9), 1),
                    ["input"] = ReportJson.ToNode(load),
                    ["params"] = Params(options),
                    ["out"] = outPath,
                    ["out_format"] = format == DataFileFormat.Parquet ? "parquet" : "csv",
                });
                return 0;
            });
        });
        return command;
    }

    /// <summary>
    /// Rejected rows are written beside the output: <c>windows.csv</c> → <c>windows.rejects.csv</c>. An output that is a
    /// stream (<c>/dev/null</c>, <c>/dev/stdout</c>, a pipe) has no folder of its own, so its rejects go to the current
    /// folder (<c>null.rejects.csv</c>).
    /// </summary>
    public static string RejectsPathFor(string outputPath)
    {
        var name = Path.GetFileNameWithoutExtension(outputPath) + ".rejects.csv";
        return OutputPath.KindOf(OutputPath.Resolve(outputPath)) == PathKind.Stream
            ? Path.GetFullPath(name)
            : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outputPath))!, name);
    }

    public static double Rate(WindowTable table) => table.Rows == 0 ? 0 : table.Positives / (double)table.Rows;

    public static JsonObject Params(WindowOptions options) => new()
    {
        ["window"] = options.WindowSeconds,
        ["step"] = options.StepSeconds,
        ["min_actions"] = options.MinActions,
        ["horizon"] = options.HorizonSeconds,
    };
}
