using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Exania.Campaigns;
using Exania.Conversion;
using Exania.Core;
using Exania.Reports;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania train conversion</c> and <c>exania predict conversion</c>: the multi-task conversion and drop-off network.</summary>
internal static class ConversionCommands
{
    public static Command CreateTrain()
    {
        var table = new Option<string>("--table") { Description = "Table to learn from: a session table (`exania sessions`) or any CSV with 0/1-like target columns.", Required = true };
        var delimiter = new Option<char>("--delimiter") { Description = "Field separator of the table.", DefaultValueFactory = _ => ',' };
        var targets = new Option<string>("--targets")
        {
            Description = "Comma-separated target columns, each optionally conditioned as target:given (e.g. conversion:clicked,dropoff; or Revenue).",
            DefaultValueFactory = _ => "conversion:clicked,dropoff",
        };
        var taskWeights = new Option<string?>("--task-weights") { Description = "Comma-separated loss weights, one per target (default 1 each)." };
        var esmm = new Option<bool>("--esmm") { Description = "Train conditional targets the ESMM way: over all rows, as the product of the condition's head and the target's head." };
        var drop = new Option<string?>("--drop") { Description = "Comma-separated columns that are not features (ids and the session table's outcomes are left out anyway)." };
        var hidden = new Option<string>("--hidden") { Description = "Trunk layer widths, comma-separated.", DefaultValueFactory = _ => string.Join(',', ConversionTrainingOptions.Default.Hidden) };
        var epochs = new Option<int>("--epochs") { Description = "Most epochs.", DefaultValueFactory = _ => ConversionTrainingOptions.Default.Epochs };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a better validation loss (0 = train every epoch).", DefaultValueFactory = _ => ConversionTrainingOptions.Default.Patience };
        var batch = new Option<int>("--batch") { Description = "Mini-batch size.", DefaultValueFactory = _ => ConversionTrainingOptions.Default.BatchSize };
        var learningRate = new Option<double>("--lr") { Description = "Adam step size.", DefaultValueFactory = _ => ConversionTrainingOptions.Default.LearningRate };
        var weightDecay = new Option<double>("--weight-decay") { Description = "L2 penalty on the weights.", DefaultValueFactory = _ => ConversionTrainingOptions.Default.WeightDecay };
        var noBalance = new Option<bool>("--no-class-balancing") { Description = "Do not weight each head's classes as n / (2 n_k)." };
        var seeds = new Option<int>("--seeds") { Description = "Independent stratified splits to average over (seeds --seed, +1, ...).", DefaultValueFactory = _ => ConversionExperimentOptions.Default.Seeds };
        var testFraction = new Option<double>("--test-fraction") { Description = "Held-out share, stratified on the first target.", DefaultValueFactory = _ => ConversionExperimentOptions.Default.TestFraction };
        var noBaselines = new Option<bool>("--no-baselines") { Description = "Skip the logistic regression and gradient-boosted trees baselines." };
        var threads = new Option<int>("--threads") { Description = "Threads (0 = all processors); the model does not depend on it.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Folder for conversion_model.json and conversion_results.json.", Required = true };
        var seed = CommonOptions.Seed(0);
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("conversion",
            "Train the multi-task conversion / drop-off network (shared dense trunk, one head per target) beside logistic regression and gradient-boosted trees, scored on held-out rows.");
        foreach (var option in new Option[] { table, delimiter, targets, taskWeights, esmm, drop, hidden, epochs, patience, batch, learningRate, weightDecay, noBalance, seeds, testFraction, noBaselines, threads, output, seed, report, json })
            command.Options.Add(option);
        command.SetAction((parse, cancellationToken) =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return Task.FromResult(cli.Run(() =>
            {
                var tasks = ConversionTask.Parse(parse.GetValue(targets)!, parse.GetValue(taskWeights));
                var options = new ConversionExperimentOptions
                {
                    Network = new ConversionTrainingOptions
                    {
                        Hidden = ParseWidths(parse.GetValue(hidden)!),
                        Epochs = parse.GetValue(epochs),
                        Patience = parse.GetValue(patience),
                        BatchSize = parse.GetValue(batch),
                        LearningRate = parse.GetValue(learningRate),
                        WeightDecay = parse.GetValue(weightDecay),
                        BalanceClasses = !parse.GetValue(noBalance),
                        Esmm = parse.GetValue(esmm),
                        Seed = parse.GetValue(seed),
                        Threads = parse.GetValue(threads),
                    },
                    Seeds = parse.GetValue(seeds),
                    TestFraction = parse.GetValue(testFraction),
                    Baselines = !parse.GetValue(noBaselines),
                    Trees = ConversionExperimentOptions.Default.Trees with { Threads = parse.GetValue(threads) },
                }.Validate();
                var folder = parse.GetValue(output)!;
                var tablePath = parse.GetValue(table)!;
                var reportPath = parse.GetValue(report);
                CommonOptions.RefuseOverwritingInput(reportPath, "--report", (tablePath, "--table"));
                var (data, read) = Read(tablePath, parse.GetValue(delimiter), tasks, CliValues.ParseList(parse.GetValue(drop) ?? ""));
                var result = cli.Step($"training on {data.Rows:N0} rows × {options.Seeds} seed(s)", _ =>
                    ConversionExperiment.Run(data, tasks, options, cancellationToken: cancellationToken));
                var modelPath = Path.Combine(folder, ModelFile.FileNameOf(ModelKind.Conversion));
                result.Model.Save(modelPath);
                Show(cli, result.Report);
                var node = ReportJson.ToNode(result.Report);
                node["command"] = "train conversion";
                node["model"] = modelPath;
                node["input"] = new JsonObject { ["file"] = tablePath, ["rows_read"] = read.RowsRead, ["accepted"] = read.Accepted, ["rejected"] = read.Rejected };
                var resultsJson = node.ToJsonString(ReportJson.Options);
                AtomicFile.WriteAllText(Path.Combine(folder, ModelFile.ResultsFileNameOf(ModelKind.Conversion)), resultsJson);
                if (reportPath is not null)
                    node["report"] = CliReports.Write(cli, reportPath, ConversionReportPage.Build(result.Report, resultsJson, Path.GetFileName(tablePath)));
                cli.Result(node);
                return 0;
            }));
        });
        return command;
    }

    public static Command CreatePredict()
    {
        var model = new Option<string>("--model") { Description = "Model folder (with conversion_model.json) or file.", Required = true };
        var table = new Option<string>("--table") { Description = "Table to score (the training table's feature columns; others are ignored).", Required = true };
        var delimiter = new Option<char>("--delimiter") { Description = "Field separator of the table.", DefaultValueFactory = _ => ',' };
        var output = new Option<string>("--out") { Description = "Predictions CSV to write: row, then p_<output> per output.", Required = true };
        var json = CommonOptions.Json();
        var command = new Command("conversion", "Write each output's probability (conversion, drop-off, ...) for every row of a table.") { model, table, delimiter, output, json };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var watch = Stopwatch.StartNew();
                var modelPath = ModelFile.Resolve(parse.GetValue(model)!, ModelKind.Conversion);
                var outPath = parse.GetValue(output)!;
                CommonOptions.RefuseOverwritingInput(outPath, "--out", (parse.GetValue(table), "--table"), (modelPath, "--model"));
                var network = ConversionModel.Load(modelPath);
                var (rows, _) = CampaignTableReader.Read(parse.GetValue(table)!, new CampaignReadOptions { Delimiter = parse.GetValue(delimiter) });
                var predictions = network.Predict(rows);
                var width = network.Outputs.Count;
                AtomicFile.WriteText(outPath, writer =>
                {
                    writer.Write("row");
                    foreach (var o in network.Outputs)
                    {
                        writer.Write(',');
                        CsvFieldWriter.WriteField(writer, "p_" + o.Name);
                    }
                    writer.Write('\n');
                    Span<char> buffer = stackalloc char[64];
                    for (var r = 0; r < rows.Rows; r++)
                    {
                        writer.Write(r + 1);
                        for (var o = 0; o < width; o++)
                        {
                            writer.Write(',');
                            CsvFieldWriter.WriteNumber(writer, predictions[r * width + o], buffer);
                        }
                        writer.Write('\n');
                    }
                });
                cli.Info($"scored {rows.Rows:N0} rows → {Markup.Escape(outPath)}");
                var means = new JsonObject();
                for (var o = 0; o < width; o++)
                {
                    double sum = 0;
                    for (var r = 0; r < rows.Rows; r++)
                        sum += predictions[r * width + o];
                    means[network.Outputs[o].Name] = rows.Rows == 0 ? 0 : sum / rows.Rows;
                }
                cli.Result(new JsonObject
                {
                    ["command"] = "predict conversion",
                    ["rows"] = rows.Rows,
                    ["mean_probability"] = means,
                    ["seconds"] = CliOutput.Seconds(watch),
                    ["out"] = outPath,
                });
                return 0;
            });
        });
        return command;
    }

    /// <summary>Reads the table (bad rows fail, with file and line) and selects labels and features.</summary>
    private static (ConversionDataset Data, TableReadSummary Read) Read(string path, char delimiter, IReadOnlyList<ConversionTask> tasks, IReadOnlyList<string> drop)
    {
        var (table, read) = CampaignTableReader.Read(path, new CampaignReadOptions { Delimiter = delimiter });
        if (table.Rows == 0)
            throw new DataFormatException(Path.GetFileName(path), 0, "the table has a header but no rows");
        return (ConversionDataset.From(table, tasks, drop), read);
    }

    private static int[] ParseWidths(string text)
    {
        var parts = CliValues.ParseList(text);
        var widths = new int[parts.Length];
        for (var i = 0; i < widths.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1)
                throw new ArgumentException($"--hidden '{text}': '{parts[i]}' is not a positive layer width.");
        }
        return widths;
    }

    private static void Show(CliOutput cli, ConversionReport report)
    {
        var seeds = report.Seeds.Count;
        var table = new Table().Title($"held-out scores, mean{(seeds > 1 ? $" ± sd over {seeds} seeds" : "")}")
            .AddColumns("output", "population", "model", "ROC AUC", "PR AUC", "log-loss", "precision", "recall", "F1");
        string F(double mean, double sd) => seeds > 1 ? $"{mean:0.0000} ± {sd:0.0000}" : $"{mean:0.0000}";
        foreach (var output in report.Outputs)
        {
            foreach (var m in output.Models)
            {
                table.AddRow(Markup.Escape(output.Name), Markup.Escape($"{output.Population} ({output.TestRows:N0}, {output.TestPositiveRate:P1} positive)"), m.Model,
                    F(m.Mean.RocAuc, m.Std.RocAuc), F(m.Mean.PrAuc, m.Std.PrAuc), F(m.Mean.LogLoss, m.Std.LogLoss),
                    $"{m.Mean.Precision:0.000}", $"{m.Mean.Recall:0.000}", $"{m.Mean.F1:0.000}");
            }
        }
        cli.Table(table);
        cli.Info($"[grey]{report.Rows:N0} rows ({report.SkippedRows:N0} skipped: missing label), {report.Features} features; network {string.Join('-', report.Network.Hidden)}, " +
                 $"{report.Network.Parameters:N0} parameters, best epochs {string.Join(", ", report.Network.BestEpochs)}, {report.Network.TrainingSeconds.Average():0.00} s per seed[/]");
    }
}
