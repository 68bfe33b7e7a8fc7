using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Exania.Events;
using Exania.Reports;
using Exania.Sequence;
using Exania.Synthetic;
using Spectre.Console;
using EventLog = Exania.Events.EventLog;

namespace Exania.Cli;

/// <summary>
/// <c>exania bench sequence</c>: the next-action model against the PyTorch peer (<c>seq_next_action.py</c>) on the same
/// event file, the same session split (the peer's numpy permutation, reproduced by the preprocessor) and the same
/// architecture and hyperparameters: no dropout, clipping, repeat term or early stopping, since the peer has none.
/// </summary>
internal static class BenchSequenceCommand
{
    public static Command Create()
    {
        var events = new Option<string?>("--events") { Description = "Event CSV (default: generate --sessions with seed 1)." };
        var sessions = new Option<int>("--sessions") { Description = "Sessions to generate when --events is absent.", DefaultValueFactory = _ => 3_000 };
        var peers = new Option<string?>("--peers") { Description = "Folder of the Python peers (seq_next_action.py), e.g. ../shared/peers." };
        var python = new Option<string>("--python") { Description = "Python interpreter for the peer.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs for both.", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Threads for both.", DefaultValueFactory = _ => 2 };
        var seeds = new Option<int>("--seeds")
        {
            Description = "Seeds 0..n-1 (split, initialisation and batch order of both); figures are means, since one seed moves accuracy by a few samples.",
            DefaultValueFactory = _ => 1,
        };
        var work = new Option<string?>("--work") { Description = "Folder for the benchmark's files (default: a temporary folder)." };
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("sequence", "Next-action model: Exania's LSTM + attention vs PyTorch's on the same split and hyperparameters.")
        {
            events, sessions, peers, python, epochs, threads, seeds, work, report, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var folder = parse.GetValue(work) ?? Path.Combine(Path.GetTempPath(), "exania-bench-sequence-" + Environment.ProcessId);
                Directory.CreateDirectory(folder);
                var path = parse.GetValue(events);
                var log = new EventLog();
                if (path is null)
                {
                    path = Path.Combine(folder, "events.csv");
                    log = new InteractionGenerator(new GeneratorOptions { Seed = 1 }).Generate(parse.GetValue(sessions));
                    EventCsvWriter.Write(log, path);
                }
                else
                    EventReader.Load(path, log);
                var threadCount = parse.GetValue(threads);
                var epochCount = parse.GetValue(epochs);
                var seedCount = Math.Max(1, parse.GetValue(seeds));
                var peerScript = parse.GetValue(peers) is { } peerDir ? Path.Combine(peerDir, "seq_next_action.py") : null;
                var runs = new JsonArray();
                var ours = new Dictionary<string, double>();
                var theirs = new Dictionary<string, double>();
                int trainSamples = 0, testSamples = 0;
                for (var seed = 0; seed < seedCount; seed++)
                {
                    var options = new SequenceTrainingOptions
                    {
                        Epochs = epochCount,
                        Dropout = 0,
                        ClipNorm = 0,
                        Repeat = false,
                        Patience = epochCount,
                        Threads = threadCount,
                        Seed = seed,
                    };
                    var data = SequencePreprocessor.Build(log, new SequenceOptions { ValidationFraction = 0, TestFraction = 0.2, Seed = seed });
                    trainSamples += data.Train.Count;
                    testSamples += data.Test.Count;
                    var trained = cli.Step($"exania, seed {seed}: training ({data.Train.Count:N0} samples, {epochCount} epochs)",
                        p => SequenceTrainer.Train(data, options, null, p));
                    var evaluation = SequenceEvaluator.Evaluate(trained.Model, data.Test, NextActionBaselines.Fit(data.Train, data.Vocabulary.Count), threadCount);
                    var run = new JsonObject
                    {
                        ["seed"] = seed,
                        ["train_samples"] = data.Train.Count,
                        ["test_samples"] = data.Test.Count,
                        ["seconds_per_epoch"] = Math.Round(trained.SecondsPerEpoch, 4),
                        ["test_accuracy"] = Math.Round(evaluation.Model.Accuracy, 5),
                        ["top3_accuracy"] = Math.Round(evaluation.Top3Accuracy, 5),
                        ["macro_f1"] = Math.Round(evaluation.Model.MacroF1, 5),
                        ["markov_accuracy"] = Math.Round(evaluation.Markov.Accuracy, 5),
                        ["inference_sequences_per_second"] = Math.Round(evaluation.SequencesPerSecond, 1),
                    };
                    Accumulate(ours, run);
                    if (peerScript is not null)
                    {
                        var inv = CultureInfo.InvariantCulture;
                        var peer = cli.Step($"pytorch, seed {seed}: training", _ => BenchCommand.RunPeer(parse.GetValue(python)!, peerScript,
                            "--events", path, "--epochs", epochCount.ToString(inv), "--threads", threadCount.ToString(inv), "--seed", seed.ToString(inv)));
                        peer["inference_sequences_per_second"] =
                            Math.Round(BenchCommand.Num(peer["test_samples"]) / Math.Max(BenchCommand.Num(peer["eval_seconds"]), 1e-12), 1);
                        if ((int)BenchCommand.Num(peer["test_samples"]) != data.Test.Count)
                            throw new InvalidOperationException($"The peer's test split has {peer["test_samples"]} samples, ours {data.Test.Count}: the splits differ.");
                        run["peer"] = peer;
                        Accumulate(theirs, peer);
                    }
                    runs.Add(run);
                }
                var result = new JsonObject
                {
                    ["command"] = "bench sequence",
                    ["events"] = path,
                    ["processors"] = Environment.ProcessorCount,
                    ["seeds"] = seedCount,
                    // Summed over the seeds' splits.
                    ["train_samples"] = trainSamples,
                    ["test_samples"] = testSamples,
                    ["exania"] = Means(ours, seedCount),
                    ["runs"] = runs,
                };
                if (peerScript is not null)
                {
                    result["peer"] = Means(theirs, seedCount);
                    result["epoch_time_ratio_vs_peer"] = Math.Round(ours["seconds_per_epoch"] / theirs["seconds_per_epoch"], 3);
                    result["accuracy_difference_vs_peer"] = Math.Round((ours["test_accuracy"] - theirs["test_accuracy"]) / seedCount, 5);
                    result["inference_speedup_vs_peer"] = Math.Round(ours["inference_sequences_per_second"] / theirs["inference_sequences_per_second"], 2);
                }
                if (!cli.Json)
                    Show(cli, result);
                BenchReports.Write(cli, parse.GetValue(report), result, Summary(result, epochCount, threadCount));
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    private static readonly string[] Measures = ["seconds_per_epoch", "test_accuracy", "top3_accuracy", "macro_f1", "markov_accuracy", "inference_sequences_per_second"];

    private static void Accumulate(Dictionary<string, double> sums, JsonObject run)
    {
        foreach (var measure in Measures)
            sums[measure] = sums.GetValueOrDefault(measure) + BenchCommand.Num(run[measure]);
    }

    private static JsonObject Means(Dictionary<string, double> sums, int count)
    {
        var means = new JsonObject();
        foreach (var measure in Measures)
            means[measure] = Math.Round(sums[measure] / count, measure == "inference_sequences_per_second" ? 1 : 5);
        return means;
    }

    /// <summary>
    /// The report's figure, read from the JSON result: seconds per epoch with the test accuracy beside it (inference
    /// throughput and the other accuracies are in the embedded JSON and the terminal table, not drawn).
    /// </summary>
    internal static BenchSummary Summary(JsonObject result, int epochs, int threads)
    {
        var ours = result["exania"]!.AsObject();
        var peer = result["peer"]?.AsObject();
        var seeds = (int)result["seeds"]!;
        BenchFigure[] figures =
        [
            new($"{Path.GetFileName((string)result["events"]!)}", $"seconds per epoch (mean of {seeds} seed(s))", BenchCommand.Num(ours["seconds_per_epoch"]), "s",
                "PyTorch", BenchReports.Optional(peer?["seconds_per_epoch"]), BenchReports.Optional(result["epoch_time_ratio_vs_peer"]),
                new BenchQuality("test accuracy", BenchCommand.Num(ours["test_accuracy"]), BenchReports.Optional(peer?["test_accuracy"]), HigherIsBetter: true)),
        ];
        return new BenchSummary("bench sequence",
            "The next-action model (LSTM + attention) against the PyTorch peer (seq_next_action.py) on the same split, seeds and hyperparameters (no dropout, no clipping); accuracy is on the test sessions of each seed's split.",
            [
                new ReportFact("samples", $"{(int)result["train_samples"]!:N0} train / {(int)result["test_samples"]!:N0} test (summed over seeds)"),
                BenchReports.Fact("epochs", epochs), BenchReports.Fact("seeds", seeds), BenchReports.Fact("threads", threads),
            ], figures);
    }

    private static void Show(CliOutput cli, JsonObject result)
    {
        var x = result["exania"]!.AsObject();
        var p = result["peer"]?.AsObject();
        var table = new Table().Title($"exania bench sequence ({BenchCommand.F(result["test_samples"])} test samples, mean of {BenchCommand.F(result["seeds"])} seed(s))").AddColumns("measure", "exania", "pytorch", "ratio");
        table.AddRow("seconds per epoch", BenchCommand.F(x["seconds_per_epoch"]), BenchCommand.F(p?["seconds_per_epoch"]), BenchCommand.F(result["epoch_time_ratio_vs_peer"], "x"));
        table.AddRow("test accuracy", BenchCommand.F(x["test_accuracy"]), BenchCommand.F(p?["test_accuracy"]), BenchCommand.F(result["accuracy_difference_vs_peer"]));
        table.AddRow("top-3 accuracy", BenchCommand.F(x["top3_accuracy"]), BenchCommand.F(p?["top3_accuracy"]), "");
        table.AddRow("macro F1", BenchCommand.F(x["macro_f1"]), BenchCommand.F(p?["macro_f1"]), "");
        table.AddRow("Markov accuracy (same split)", BenchCommand.F(x["markov_accuracy"]), BenchCommand.F(p?["markov_accuracy"]), "");
        table.AddRow("inference sequences/s", BenchCommand.F(x["inference_sequences_per_second"]), BenchCommand.F(p?["inference_sequences_per_second"]), BenchCommand.F(result["inference_speedup_vs_peer"], "x"));
        cli.Table(table);
    }
}
