using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Click;
using Exania.Core;
using Exania.Events;
using Exania.Features;
using Exania.Reports;
using Exania.Synthetic;
using Spectre.Console;
using EventLog = Exania.Events.EventLog;

namespace Exania.Cli;

/// <summary>
/// <c>exania pipeline</c>: generate → windows → train click, into one folder. The generated events are written and read
/// back through the same reader real data takes.
/// </summary>
internal static class PipelineCommand
{
    public const int QuickSamples = 5_000;

    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = $"Small run: {QuickSamples:N0} windows." };
        var samples = new Option<int?>("--samples") { Description = "Number of windows to generate (e.g. 50000)." };
        var output = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "run" };
        var seed = CommonOptions.Seed();
        var degree = new Option<int>("--degree") { Description = "Polynomial degree.", DefaultValueFactory = _ => ClickTrainingOptions.Defaults.Degree };
        var folds = new Option<int>("--folds") { Description = "Cross-validation folds.", DefaultValueFactory = _ => ClickTrainingOptions.Defaults.Folds };
        var json = CommonOptions.Json();
        var command = new Command("pipeline", "Run generate, windows, train click and export web end to end into one folder.")
        {
            quick, samples, output, seed, degree, folds, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                if (parse.GetValue(quick) && parse.GetValue(samples) is not null)
                    throw new ArgumentException("Give --quick or --samples, not both.");
                var target = parse.GetValue(samples) ?? QuickSamples;
                var folder = parse.GetValue(output)!;
                var seedValue = parse.GetValue(seed);
                var total = Stopwatch.StartNew();

                var stage = Stopwatch.StartNew();
                cli.Info($"[bold]1/4 generate[/] ≥ {target:N0} windows (seed {seedValue})");
                var (generated, sessions) = GenerateCommand.Generate(cli, null, target, null, GeneratorOptions.Defaults.Days, seedValue);
                var eventsPath = Path.Combine(folder, "events.csv");
                EventCsvWriter.Write(generated, eventsPath);
                var generateSeconds = CliOutput.Seconds(stage);

                stage.Restart();
                cli.Info("[bold]2/4 windows[/]");
                var log = new EventLog();
                var read = EventReader.Load(eventsPath, log);
                var index = SessionIndex.Build(log);
                var table = WindowExtractor.Extract(log, index);
                var windowsPath = Path.Combine(folder, "windows.csv");
                WindowCsv.Write(table, windowsPath);
                var windowsSeconds = CliOutput.Seconds(stage);
                cli.Info($"  {log.Count:N0} events, {index.SessionCount:N0} sessions → {table.Rows:N0} windows, {WindowsCommand.Rate(table):P2} positive");

                stage.Restart();
                cli.Info("[bold]3/4 train click[/]");
                var options = new ClickTrainingOptions { Degree = parse.GetValue(degree), Folds = parse.GetValue(folds) };
                var training = TrainCommand.Run(cli, table, options, Path.Combine(folder, "models"));
                var trainSeconds = CliOutput.Seconds(stage);
                // The model's curves, calibration and importance as a page to open or forward (`exania report` redraws it).
                var reportPath = CliReports.Write(cli, Path.Combine(folder, "models", "click_report.html"), ClickReportPage.Build(training.Report, "windows.csv"));

                cli.Info("[bold]4/4 export web[/]");
                // The browser deployment needs onnxruntime-web: on a fresh clone the pipeline runs `npm ci` in js/
                // itself; where that is impossible (no npm, no registry) it still succeeds and says why.
                var model = training.Model;
                var webFolder = Path.Combine(folder, "web");
                string? webSkipped = null;
                try
                {
                    WebExport.Write(model, webFolder, WebExport.FindOrRestoreOrtDirectory());
                    cli.Info($"  web demo → {Markup.Escape(webFolder)} (exania serve-web --dir {Markup.Escape(webFolder)})");
                }
                catch (FileNotFoundException ex)
                {
                    webSkipped = ex.Message;
                    cli.Info($"  [yellow]web export skipped[/]: {Markup.Escape(ex.Message)}");
                }

                var summary = new JsonObject
                {
                    ["command"] = "pipeline",
                    ["samples_requested"] = target,
                    ["seed"] = seedValue,
                    ["sessions"] = sessions,
                    ["events"] = log.Count,
                    ["events_rejected"] = read.Rejected,
                    ["windows"] = table.Rows,
                    ["positive_rate"] = Math.Round(WindowsCommand.Rate(table), 6),
                    ["auc_mean"] = training.Report.AucMean,
                    ["auc_std"] = training.Report.AucStd,
                    ["pr_auc"] = training.Report.PrAuc,
                    ["f1"] = training.Report.F1,
                    ["top_features"] = new JsonArray([.. training.Report.TopFeatures.Select(f => (JsonNode)f)]),
                    ["generate_seconds"] = generateSeconds,
                    ["windows_seconds"] = windowsSeconds,
                    ["train_seconds"] = trainSeconds,
                    ["seconds"] = CliOutput.Seconds(total),
                    ["events_file"] = eventsPath,
                    ["windows_file"] = windowsPath,
                    ["model"] = training.ModelPath,
                    ["report"] = reportPath,
                    ["web"] = webSkipped is null ? webFolder : null,
                    ["web_skipped"] = webSkipped,
                };
                AtomicFile.WriteAllText(Path.Combine(folder, "pipeline_summary.json"), summary.ToJsonString(CliOutput.JsonOptions));
                cli.Info($"[green]done[/] in {summary["seconds"]} s: ROC AUC {training.Report.AucMean:0.000} ± {training.Report.AucStd:0.000}; everything is in {Markup.Escape(folder)}");
                cli.Result(summary);
                return 0;
            });
        });
        return command;
    }
}
