using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Click;
using Exania.Core;
using Exania.Features;
using Exania.Reports;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania train click</c>: cross-validate and fit the ad-click model.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var train = new Command("train", "Train a model.");
        train.Subcommands.Add(CreateClick());
        train.Subcommands.Add(RoasCommands.CreateTrain());
        train.Subcommands.Add(SequenceCommands.CreateTrain());
        train.Subcommands.Add(ConversionCommands.CreateTrain());
        return train;
    }

    private static Command CreateClick()
    {
        var features = new Option<string>("--features") { Description = "Windows file (from `exania windows`): CSV, or Parquet for a .parquet path.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for click_model.json and training_results.json.", Required = true };
        var degree = new Option<int>("--degree") { Description = "Polynomial degree of the feature expansion.", DefaultValueFactory = _ => ClickTrainingOptions.Defaults.Degree };
        var folds = new Option<int>("--folds") { Description = "Stratified cross-validation folds.", DefaultValueFactory = _ => ClickTrainingOptions.Defaults.Folds };
        var c = new Option<double>("--c") { Description = "Inverse L2 strength (scikit-learn's C).", DefaultValueFactory = _ => ClickTrainingOptions.Defaults.C };
        var noBalance = new Option<bool>("--no-class-balancing") { Description = "Do not weight classes as n / (2 n_k)." };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = all processors); the model does not depend on it.", DefaultValueFactory = _ => ClickTrainingOptions.Defaults.Threads };
        var seed = CommonOptions.Seed(ClickTrainingOptions.Defaults.Seed);
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("click", "Standardize, expand polynomially, fit L2 logistic regression with stratified k-fold CV, rank features.")
        {
            features, output, degree, folds, c, noBalance, threads, seed, report, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var reportPath = parse.GetValue(report);
                CommonOptions.RefuseOverwritingInput(reportPath, "--report", (parse.GetValue(features), "--features"));
                var table = WindowFile.Read(parse.GetValue(features)!);
                var options = new ClickTrainingOptions
                {
                    Degree = parse.GetValue(degree),
                    Folds = parse.GetValue(folds),
                    C = parse.GetValue(c),
                    ClassBalancing = !parse.GetValue(noBalance),
                    Threads = parse.GetValue(threads),
                    Seed = parse.GetValue(seed),
                };
                var run = Run(cli, table, options, parse.GetValue(output)!);
                var result = ToJson(run);
                result["command"] = "train click";
                if (reportPath is not null)
                    result["report"] = CliReports.Write(cli, reportPath, ClickReportPage.Build(run.Report, Path.GetFileName(parse.GetValue(features))));
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    /// <summary>A trained click model, its report, where both were saved, and the wall time of training.</summary>
    public sealed record ClickRun(ClickModel Model, ClickTrainingReport Report, string ModelPath, string ResultsPath, double Seconds);

    /// <summary>Cross-validates, fits the final model, saves both files and shows the results.</summary>
    public static ClickRun Run(CliOutput cli, WindowTable table, ClickTrainingOptions options, string outputFolder)
    {
        if (table.Rows == 0)
            throw new ArgumentException("The features file has no rows to train on.");
        var watch = Stopwatch.StartNew();
        var (model, report) = cli.Step($"training click model ({options.Folds}-fold CV)",
            progress => ClickData.Train(table, options, new SynchronousProgress<double>(progress)));
        var seconds = CliOutput.Seconds(watch);
        var modelPath = Path.Combine(outputFolder, ModelFile.FileNameOf(ModelKind.Click));
        var resultsPath = Path.Combine(outputFolder, ModelFile.ResultsFileNameOf(ModelKind.Click));
        model.Save(modelPath);
        AtomicFile.WriteAllText(resultsPath, report.ToJson());

        var metrics = new Table().Title("click model, cross-validated").AddColumns("metric", "value");
        metrics.AddRow("rows / positive rate", $"{report.Rows:N0} / {report.PositiveRate:P2}");
        metrics.AddRow("features (expanded)", $"{report.Features} ({report.ExpandedFeatures}, degree {report.Degree})");
        metrics.AddRow("ROC AUC (fold mean ± std)", $"{report.AucMean:0.0000} ± {report.AucStd:0.0000}");
        metrics.AddRow("ROC AUC (pooled out-of-fold)", $"{report.OofAuc:0.0000}");
        metrics.AddRow("PR AUC", $"{report.PrAuc:0.0000}");
        metrics.AddRow($"precision / recall / F1 at {report.Threshold:0.###}", $"{report.Precision:0.000} / {report.Recall:0.000} / {report.F1:0.000}");
        metrics.AddRow("precision / recall / F1 at 0.5", $"{report.AtHalf.Precision:0.000} / {report.AtHalf.Recall:0.000} / {report.AtHalf.F1:0.000}");
        metrics.AddRow("seconds (CV + final fit)", $"{seconds:0.###}");
        cli.Table(metrics);
        var importance = new Table().Title("top features (permutation importance on held-out folds)").AddColumns("feature", "AUC drop", "± std");
        foreach (var f in report.FeatureImportance.Take(options.TopFeatures))
            importance.AddRow(f.Feature, $"{f.AucDropMean:0.0000}", $"{f.AucDropStd:0.0000}");
        cli.Table(importance);
        cli.Info($"model → {Markup.Escape(modelPath)}; results → {Markup.Escape(resultsPath)}");

        return new ClickRun(model, report, modelPath, resultsPath, seconds);
    }

    /// <summary>The figures of a run as the command prints them: the report, plus times and file paths.</summary>
    public static JsonObject ToJson(ClickRun run)
    {
        var result = ReportJson.ToNode(run.Report);
        result["cv_seconds"] = run.Report.Seconds;
        result["seconds"] = run.Seconds;
        result["model"] = run.ModelPath;
        result["results"] = run.ResultsPath;
        return result;
    }
}
