using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Campaigns;
using Exania.Core;
using Exania.Learning;
using Exania.Reports;
using Exania.Roas;
using Exania.Trees;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania train roas</c> and <c>exania predict roas</c>: gradient-boosted trees on campaign tables.</summary>
internal static class RoasCommands
{
    public static Command CreateTrain()
    {
        var campaigns = new Option<string>("--campaigns") { Description = "Campaign table (CSV with header, or JSON Lines).", Required = true };
        var target = new Option<string>("--target") { Description = "roas (revenue / spend) or any numeric column.", DefaultValueFactory = _ => RoasTarget.Roas };
        var output = new Option<string>("--out") { Description = "Folder for roas_model.json and roas_results.json.", Required = true };
        var exclude = new Option<string?>("--exclude") { Description = "Columns to leave out of the features, comma-separated (a target's own ingredients leak it)." };
        var map = new Option<string?>("--map") { Description = "Renames canonical=source, e.g. spend=cost." };
        var revenue = new Option<string>("--revenue-column") { Description = "Numerator of roas.", DefaultValueFactory = _ => RoasTarget.DefaultRevenueColumn };
        var spend = new Option<string>("--spend-column") { Description = "Denominator of roas.", DefaultValueFactory = _ => RoasTarget.DefaultSpendColumn };
        var split = new Option<string>("--split") { Description = "random (scikit-learn's train_test_split) or date (latest rows held out: the cold-start view).", DefaultValueFactory = _ => "random" };
        var dateColumn = new Option<string>("--date-column") { Description = "Column ordering rows for --split date.", DefaultValueFactory = _ => "start_date" };
        var testFraction = new Option<double>("--test-fraction") { Description = "Held-out fraction.", DefaultValueFactory = _ => 0.2 };
        var rounds = new Option<int>("--rounds") { DefaultValueFactory = _ => GbtDefaults.Rounds, Description = "Boosting rounds." };
        var depth = new Option<int>("--max-depth") { DefaultValueFactory = _ => GbtDefaults.MaxDepth, Description = "Maximum tree depth." };
        var eta = new Option<double>("--learning-rate") { DefaultValueFactory = _ => GbtDefaults.LearningRate, Description = "Shrinkage (eta)." };
        var minChild = new Option<double>("--min-child-weight") { DefaultValueFactory = _ => GbtDefaults.MinChildWeight, Description = "Minimum hessian sum in a child." };
        var lambda = new Option<double>("--lambda") { DefaultValueFactory = _ => GbtDefaults.Lambda, Description = "L2 regularization of leaf weights." };
        var alpha = new Option<double>("--alpha") { DefaultValueFactory = _ => GbtDefaults.Alpha, Description = "L1 regularization of leaf weights." };
        var gamma = new Option<double>("--gamma") { DefaultValueFactory = _ => GbtDefaults.Gamma, Description = "Minimum split gain." };
        var subsample = new Option<double>("--subsample") { DefaultValueFactory = _ => GbtDefaults.Subsample, Description = "Row sampling per tree." };
        var colsample = new Option<double>("--colsample") { DefaultValueFactory = _ => GbtDefaults.ColsampleByTree, Description = "Column sampling per tree." };
        var maxBins = new Option<int>("--max-bins") { DefaultValueFactory = _ => GbtDefaults.MaxBins, Description = "Histogram bins per feature." };
        var growth = new Option<string>("--growth") { DefaultValueFactory = _ => "depthwise", Description = "depthwise or lossguide." };
        var maxLeaves = new Option<int>("--max-leaves") { DefaultValueFactory = _ => GbtDefaults.MaxLeaves, Description = "Leaf limit for lossguide (0 = none)." };
        var earlyStopping = new Option<int>("--early-stopping") { DefaultValueFactory = _ => 0, Description = "Stop after this many rounds without improvement on a validation tenth of the training rows (0 = off)." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => GbtDefaults.Threads, Description = "Training threads (0 = all processors); the model does not depend on it." };
        var onBadRow = new Option<string>("--on-bad-row") { DefaultValueFactory = _ => "fail", Description = "fail or skip (rejects written beside the output)." };
        var seed = CommonOptions.Seed(0);
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("roas", "Train the gradient-boosted-trees ROAS model and evaluate it on a held-out split.")
        {
            campaigns, target, output, exclude, map, revenue, spend, split, dateColumn, testFraction, rounds, depth, eta, minChild,
            lambda, alpha, gamma, subsample, colsample, maxBins, growth, maxLeaves, earlyStopping, threads, onBadRow, seed, report, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var folder = parse.GetValue(output)!;
                var reportPath = parse.GetValue(report);
                CommonOptions.RefuseOverwritingInput(reportPath, "--report", (parse.GetValue(campaigns), "--campaigns"),
                    (Path.Combine(folder, ModelFile.FileNameOf(ModelKind.Roas)), "the model"), (Path.Combine(folder, ModelFile.ResultsFileNameOf(ModelKind.Roas)), "the results"));
                var readOptions = new CampaignReadOptions
                {
                    ColumnMap = CampaignReadOptions.ParseColumnMap(parse.GetValue(map)),
                    OnBadRow = CommonOptions.ParseBadRowPolicy(parse.GetValue(onBadRow)!),
                };
                TableReadSummary read;
                CampaignTable table;
                using (var rejects = new RejectFileWriter(Path.Combine(folder, "campaigns.rejects.csv")))
                    (table, read) = CampaignTableReader.Read(parse.GetValue(campaigns)!, readOptions, rejects);
                var options = new RoasOptions
                {
                    Target = parse.GetValue(target)!,
                    RevenueColumn = parse.GetValue(revenue)!,
                    SpendColumn = parse.GetValue(spend)!,
                    Exclude = (parse.GetValue(exclude) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    Split = parse.GetValue(split) switch
                    {
                        "random" => RoasSplitMode.Random,
                        "date" => RoasSplitMode.Date,
                        var other => throw new ArgumentException($"--split '{other}' is not one of random, date."),
                    },
                    DateColumn = parse.GetValue(dateColumn)!,
                    TestFraction = parse.GetValue(testFraction),
                    Seed = parse.GetValue(seed),
                    Trees = new GbtOptions
                    {
                        Rounds = parse.GetValue(rounds),
                        MaxDepth = parse.GetValue(depth),
                        LearningRate = parse.GetValue(eta),
                        MinChildWeight = parse.GetValue(minChild),
                        Lambda = parse.GetValue(lambda),
                        Alpha = parse.GetValue(alpha),
                        Gamma = parse.GetValue(gamma),
                        Subsample = parse.GetValue(subsample),
                        ColsampleByTree = parse.GetValue(colsample),
                        MaxBins = parse.GetValue(maxBins),
                        Growth = parse.GetValue(growth) switch
                        {
                            "depthwise" => GbtGrowth.DepthWise,
                            "lossguide" => GbtGrowth.LossGuided,
                            var other => throw new ArgumentException($"--growth '{other}' is not one of depthwise, lossguide."),
                        },
                        MaxLeaves = parse.GetValue(maxLeaves),
                        EarlyStoppingRounds = parse.GetValue(earlyStopping),
                        Threads = parse.GetValue(threads),
                        Seed = parse.GetValue(seed),
                    },
                };
                var (model, results) = cli.Step($"training {options.Trees.Rounds} rounds", _ => RoasTrainer.Train(table, options));
                var modelPath = Path.Combine(folder, ModelFile.FileNameOf(ModelKind.Roas));
                model.Save(modelPath);
                Show(cli, results);
                var rows = results.TargetRows;
                var dropped = rows.DroppedZeroSpend + rows.DroppedMissing + rows.DroppedNegative;
                if (dropped > 0)
                    cli.Info($"[grey]{dropped:N0} rows have no {Markup.Escape(options.Target)}: {rows.DroppedZeroSpend:N0} with zero spend, {rows.DroppedMissing:N0} missing, {rows.DroppedNegative:N0} negative (dropped and counted)[/]");
                var result = ReportJson.ToNode(results);
                result["command"] = "train roas";
                result["model"] = modelPath;
                result["input"] = new JsonObject
                {
                    ["rows_read"] = read.RowsRead,
                    ["accepted"] = read.Accepted,
                    ["rejected"] = read.Rejected,
                    ["target_rows"] = rows.TargetRows,
                    ["dropped_zero_spend"] = rows.DroppedZeroSpend,
                    ["dropped_missing"] = rows.DroppedMissing,
                    ["dropped_negative"] = rows.DroppedNegative,
                };
                var resultsJson = result.ToJsonString(ReportJson.Options);
                AtomicFile.WriteAllText(Path.Combine(folder, ModelFile.ResultsFileNameOf(ModelKind.Roas)), resultsJson);
                // The page embeds the results file as written; the report's path is added to the printed result only.
                if (reportPath is not null)
                    result["report"] = CliReports.Write(cli, reportPath, RoasReportPage.Build(results, resultsJson, Path.GetFileName(parse.GetValue(campaigns))));
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    /// <summary>The report as terminal tables (nothing in --json mode).</summary>
    private static void Show(CliOutput cli, RoasReport report)
    {
        var metrics = new Table().Title("ROAS model, held-out split").AddColumns("", "trees", "linear baseline");
        metrics.AddRow("rows train / test", $"{report.TrainRows:N0} / {report.TestRows:N0}", "");
        metrics.AddRow("RMSE", $"{report.Rmse:0.####}", $"{report.LinearRmse:0.####}");
        metrics.AddRow("R²", $"{report.R2:0.####}", $"{report.LinearR2:0.####}");
        metrics.AddRow("MAE", $"{report.Mae:0.####}", $"{report.LinearMae:0.####}");
        metrics.AddRow("training seconds", $"{report.Seconds:0.###}", "");
        cli.Table(metrics);
        var importance = new Table().Title("feature importance").AddColumns("feature", "gain", "weight", "cover");
        var weight = report.Importance.Weight.ToDictionary(f => f.Feature, f => f.Value);
        var cover = report.Importance.Cover.ToDictionary(f => f.Feature, f => f.Value);
        foreach (var f in report.Importance.Gain.Take(10))
            importance.AddRow(Markup.Escape(f.Feature), $"{f.Value:0.###}", $"{weight.GetValueOrDefault(f.Feature):0}", $"{cover.GetValueOrDefault(f.Feature):0.#}");
        cli.Table(importance);
        if (report.ByDaysActive.Count == 0) return;
        var ages = new Table().Title("held-out error by days active").AddColumns("days active", "rows", "RMSE", "R²");
        foreach (var b in report.ByDaysActive)
            ages.AddRow(b.DaysActive, $"{b.Rows:N0}", $"{b.Rmse:0.####}", $"{b.R2:0.####}");
        cli.Table(ages);
    }

    public static Command CreatePredict()
    {
        var model = new Option<string>("--model") { Description = "Model folder (with roas_model.json) or file.", Required = true };
        var campaigns = new Option<string>("--campaigns") { Description = "Campaign table to score.", Required = true };
        var output = new Option<string>("--out") { Description = "Predictions CSV to write.", Required = true };
        var map = new Option<string?>("--map") { Description = "Renames canonical=source, as in training." };
        var json = CommonOptions.Json();
        var command = new Command("roas", "Write predicted_roas for every row of a campaign table.") { model, campaigns, output, map, json };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var watch = Stopwatch.StartNew();
                var modelPath = ModelFile.Resolve(parse.GetValue(model)!, ModelKind.Roas);
                var outPath = parse.GetValue(output)!;
                CommonOptions.RefuseOverwritingInput(outPath, "--out", (parse.GetValue(campaigns), "--campaigns"), (modelPath, "--model"));
                var gbt = GbtModel.Load(modelPath);
                var readOptions = new CampaignReadOptions { ColumnMap = CampaignReadOptions.ParseColumnMap(parse.GetValue(map)) };
                var (table, _) = CampaignTableReader.Read(parse.GetValue(campaigns)!, readOptions);
                var predictions = RoasTrainer.Predict(gbt, table);
                var id = table.Find("campaign_id");
                AtomicFile.WriteText(outPath, writer =>
                {
                    writer.Write(id is null ? "row,predicted_roas\n" : "row,campaign_id,predicted_roas\n");
                    Span<char> buffer = stackalloc char[64];
                    for (var r = 0; r < predictions.Length; r++)
                    {
                        writer.Write(r + 1);
                        writer.Write(',');
                        if (id is not null)
                        {
                            var value = id.IsNumeric ? id.Numbers![r].ToString(System.Globalization.CultureInfo.InvariantCulture) : id.Texts![r] ?? "";
                            CsvFieldWriter.WriteField(writer, value);
                            writer.Write(',');
                        }
                        CsvFieldWriter.WriteNumber(writer, predictions[r], buffer);
                        writer.Write('\n');
                    }
                });
                cli.Info($"scored {predictions.Length:N0} rows → {Markup.Escape(outPath)}");
                cli.Result(new JsonObject
                {
                    ["command"] = "predict roas",
                    ["rows"] = predictions.Length,
                    ["mean_prediction"] = predictions.Length == 0 ? 0 : predictions.Average(),
                    ["seconds"] = CliOutput.Seconds(watch),
                    ["out"] = outPath,
                });
                return 0;
            });
        });
        return command;
    }
}
