using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Campaigns;
using Exania.Core;
using Exania.Learning;
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
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => Environment.ProcessorCount, Description = "Training threads." };
        var onBadRow = new Option<string>("--on-bad-row") { DefaultValueFactory = _ => "fail", Description = "fail or skip (rejects written beside the output)." };
        var seed = CommonOptions.Seed(0);
        var json = CommonOptions.Json();
        var command = new Command("roas", "Train the gradient-boosted-trees ROAS model and evaluate it on a held-out split.")
        {
            campaigns, target, output, exclude, map, revenue, spend, split, dateColumn, testFraction, rounds, depth, eta, minChild,
            lambda, alpha, gamma, subsample, colsample, maxBins, growth, maxLeaves, earlyStopping, threads, onBadRow, seed, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var folder = parse.GetValue(output)!;
                var readOptions = new CampaignReadOptions
                {
                    ColumnMap = CampaignReadOptions.ParseColumnMap(parse.GetValue(map)),
                    OnBadRow = BadRows(parse.GetValue(onBadRow)!),
                };
                var (table, read) = RoasData.Read(parse.GetValue(campaigns)!, readOptions, Path.Combine(folder, "campaigns.rejects.csv"));
                var targetName = parse.GetValue(target)!;
                var revenueColumn = parse.GetValue(revenue)!;
                var built = RoasTarget.Build(table, targetName, revenueColumn, parse.GetValue(spend)!);
                if (built.Values.Length < 10)
                    throw new ArgumentException($"Only {built.Values.Length} rows have a {targetName}; at least 10 are needed.");
                var excluded = RoasData.Excluded(table, targetName, revenueColumn,
                    (parse.GetValue(exclude) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                var rows = table.Select(built.KeptRows).Without(excluded);
                var (trainRows, testRows) = RoasData.Split(table.Select(built.KeptRows), parse.GetValue(split)!,
                    parse.GetValue(testFraction), parse.GetValue(seed), parse.GetValue(dateColumn)!);

                var options = new GbtOptions
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
                };
                var result = Train(cli, rows, built.Values, trainRows, testRows, options, folder);
                var history = table.Select(built.KeptRows).Find("days_active");
                if (history?.Numbers is { } daysActive)
                    result["by_days_active"] = ByHistory(cli, folder, rows, built.Values, testRows, daysActive);
                result["command"] = "train roas";
                result["target"] = targetName;
                result["split"] = parse.GetValue(split);
                result["excluded"] = new JsonArray(excluded.Select(e => (JsonNode)e).ToArray());
                result["input"] = new JsonObject
                {
                    ["rows_read"] = read.RowsRead,
                    ["accepted"] = read.Accepted,
                    ["rejected"] = read.Rejected,
                    ["target_rows"] = built.Values.Length,
                    ["dropped_zero_spend"] = built.ZeroSpendRows,
                    ["dropped_missing"] = built.MissingRows,
                    ["dropped_negative"] = built.NegativeRows,
                };
                if (built.DroppedRows > 0)
                    cli.Info($"[grey]{built.DroppedRows:N0} rows have no {Markup.Escape(targetName)}: {built.ZeroSpendRows:N0} with zero spend, {built.MissingRows:N0} missing, {built.NegativeRows:N0} negative (dropped and counted)[/]");
                AtomicFile.WriteAllText(Path.Combine(folder, RoasData.ResultsFileName), result.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    /// <summary>Encodes, trains, evaluates against a ridge baseline, saves; returns the figures.</summary>
    public static JsonObject Train(CliOutput cli, CampaignTable rows, double[] target, int[] trainRows, int[] testRows,
        GbtOptions options, string folder)
    {
        var train = rows.Select(trainRows);
        var test = rows.Select(testRows);
        var trainTarget = trainRows.Select(r => target[r]).ToArray();
        var testTarget = testRows.Select(r => target[r]).ToArray();
        var encoder = FeatureEncoder.Fit(RoasData.Raw(train));
        var trainSet = encoder.TransformDataset(RoasData.Raw(train), trainTarget);
        var testValues = encoder.Transform(RoasData.Raw(test));

        GbtDataset? validation = null;
        var fitSet = trainSet;
        if (options.EarlyStoppingRounds > 0)
        {
            // The held-out test rows never steer training: early stopping watches the last tenth of the training rows.
            var cut = trainSet.Rows - Math.Max(1, trainSet.Rows / 10);
            fitSet = trainSet.Subset(Enumerable.Range(0, cut).ToArray());
            validation = trainSet.Subset(Enumerable.Range(cut, trainSet.Rows - cut).ToArray());
        }
        var watch = Stopwatch.StartNew();
        var model = cli.Step($"training {options.Rounds} rounds", _ => GbtTrainer.Train(fitSet, options, validation, encoder));
        var seconds = CliOutput.Seconds(watch);
        var predictions = new double[testTarget.Length];
        model.Predict(testValues, predictions);
        var rmse = Metrics.Rmse(predictions, testTarget);
        var r2 = Metrics.R2(predictions, testTarget);
        var mae = 0.0;
        for (var i = 0; i < predictions.Length; i++) mae += Math.Abs(predictions[i] - testTarget[i]);
        mae /= Math.Max(1, predictions.Length);
        var ridge = RidgeRegression.Fit(trainSet.Values, trainSet.Columns, trainTarget);
        var linear = ridge.Predict(testValues);
        var linearRmse = Metrics.Rmse(linear, testTarget);
        var linearR2 = Metrics.R2(linear, testTarget);

        model.Save(Path.Combine(folder, RoasData.ModelFileName));

        var metrics = new Table().Title("ROAS model, held-out split").AddColumns("", "trees", "linear baseline");
        metrics.AddRow("rows train / test", $"{trainRows.Length:N0} / {testRows.Length:N0}", "");
        metrics.AddRow("RMSE", $"{rmse:0.####}", $"{linearRmse:0.####}");
        metrics.AddRow("R²", $"{r2:0.####}", $"{linearR2:0.####}");
        metrics.AddRow("MAE", $"{mae:0.####}", "");
        metrics.AddRow("training seconds", $"{seconds:0.###}", "");
        cli.Table(metrics);
        var importance = new Table().Title("feature importance").AddColumns("feature", "gain", "weight", "cover");
        var gain = model.Importance(GbtImportanceType.Gain);
        var weight = model.Importance(GbtImportanceType.Weight).ToDictionary(f => f.Feature, f => f.Value);
        var cover = model.Importance(GbtImportanceType.Cover).ToDictionary(f => f.Feature, f => f.Value);
        foreach (var f in gain.Take(10))
            importance.AddRow(Markup.Escape(f.Feature), $"{f.Value:0.###}", $"{weight.GetValueOrDefault(f.Feature):0}", $"{cover.GetValueOrDefault(f.Feature):0.#}");
        cli.Table(importance);

        JsonArray Ranked(GbtImportanceType type) => new(model.Importance(type)
            .Select(f => (JsonNode)new JsonObject { ["feature"] = f.Feature, ["value"] = f.Value }).ToArray());
        return new JsonObject
        {
            ["rmse"] = rmse,
            ["r2"] = r2,
            ["mae"] = mae,
            ["seconds"] = seconds,
            ["linear_rmse"] = linearRmse,
            ["linear_r2"] = linearR2,
            ["train_rows"] = trainRows.Length,
            ["test_rows"] = testRows.Length,
            ["features"] = trainSet.Columns,
            ["rounds_trained"] = model.Trees.Count,
            ["best_iteration"] = model.Training?.BestIteration,
            ["importance"] = new JsonObject
            {
                ["gain"] = Ranked(GbtImportanceType.Gain),
                ["weight"] = Ranked(GbtImportanceType.Weight),
                ["cover"] = Ranked(GbtImportanceType.Cover),
            },
            ["model"] = Path.Combine(folder, RoasData.ModelFileName),
        };
    }

    private static readonly (string Name, double Low, double High)[] s_historyBuckets =
        [("1-3", 1, 3), ("4-7", 4, 7), ("8-14", 8, 14), ("15+", 15, double.PositiveInfinity)];

    /// <summary>
    /// Held-out error by how long the campaign had been running (<c>days_active</c>): how well the model does for
    /// campaigns with little history, the seed system's known weakness.
    /// </summary>
    private static JsonArray ByHistory(CliOutput cli, string folder, CampaignTable rows, double[] target, int[] testRows, double[] daysActive)
    {
        var model = GbtModel.Load(Path.Combine(folder, RoasData.ModelFileName));
        var predictions = model.Predict(RoasData.Raw(rows.Select(testRows)));
        var table = new Table().Title("held-out error by days active").AddColumns("days active", "rows", "RMSE", "R²");
        var result = new JsonArray();
        foreach (var (name, low, high) in s_historyBuckets)
        {
            var p = new List<double>();
            var y = new List<double>();
            for (var i = 0; i < testRows.Length; i++)
            {
                var d = daysActive[testRows[i]];
                if (d >= low && d <= high)
                {
                    p.Add(predictions[i]);
                    y.Add(target[testRows[i]]);
                }
            }
            if (p.Count < 2) continue;
            var rmse = Metrics.Rmse(p.ToArray(), y.ToArray());
            var r2 = Metrics.R2(p.ToArray(), y.ToArray());
            table.AddRow(name, $"{p.Count:N0}", $"{rmse:0.####}", $"{r2:0.####}");
            result.Add(new JsonObject { ["days_active"] = name, ["rows"] = p.Count, ["rmse"] = rmse, ["r2"] = r2 });
        }
        cli.Table(table);
        return result;
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
                var gbt = GbtModel.Load(RoasData.ModelPath(parse.GetValue(model)!));
                var outPath = parse.GetValue(output)!;
                var readOptions = new CampaignReadOptions { ColumnMap = CampaignReadOptions.ParseColumnMap(parse.GetValue(map)) };
                var (table, _) = CampaignTableReader.Read(parse.GetValue(campaigns)!, readOptions);
                var predictions = gbt.Predict(RoasData.Raw(table));
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

    private static BadRowPolicy BadRows(string text) => text switch
    {
        "fail" => BadRowPolicy.Fail,
        "skip" => BadRowPolicy.Skip,
        _ => throw new ArgumentException($"--on-bad-row '{text}' is not one of fail, skip."),
    };
}
