using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Exania.Events;
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
        var work = new Option<string?>("--work") { Description = "Folder for the benchmark's files (default: a temporary folder)." };
        var json = CommonOptions.Json();
        var command = new Command("sequence", "Next-action model: Exania's LSTM + attention vs PyTorch's on the same split and hyperparameters.")
        {
            events, sessions, peers, python, epochs, threads, work, json,
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
                var options = new SequenceTrainingOptions
                {
                    Epochs = epochCount,
                    Dropout = 0,
                    ClipNorm = 0,
                    Repeat = false,
                    Patience = epochCount,
                    Threads = threadCount,
                    Seed = 0,
                };
                var data = SequencePreprocessor.Build(log, new SequenceOptions { ValidationFraction = 0, TestFraction = 0.2, Seed = 0 });
                var trained = cli.Step($"exania: training ({data.Train.Count:N0} samples, {epochCount} epochs)", p => SequenceTrainer.Train(data, options, null, p));
                var evaluation = SequenceEvaluator.Evaluate(trained.Model, data.Test, NextActionBaselines.Fit(data.Train, data.Vocabulary.Count), threadCount);
                var result = new JsonObject
                {
                    ["command"] = "bench sequence",
                    ["events"] = path,
                    ["processors"] = Environment.ProcessorCount,
                    ["train_samples"] = data.Train.Count,
                    ["test_samples"] = data.Test.Count,
                    ["exania"] = new JsonObject
                    {
                        ["seconds_per_epoch"] = Math.Round(trained.SecondsPerEpoch, 4),
                        ["test_accuracy"] = Math.Round(evaluation.Model.Accuracy, 5),
                        ["top3_accuracy"] = Math.Round(evaluation.Top3Accuracy, 5),
                        ["macro_f1"] = Math.Round(evaluation.Model.MacroF1, 5),
                        ["markov_accuracy"] = Math.Round(evaluation.Markov.Accuracy, 5),
                        ["inference_sequences_per_second"] = Math.Round(evaluation.SequencesPerSecond, 1),
                    },
                };
                if (parse.GetValue(peers) is { } peerDir)
                {
                    var inv = CultureInfo.InvariantCulture;
                    var peer = cli.Step("pytorch: training", _ => BenchCommand.RunPeer(parse.GetValue(python)!, Path.Combine(peerDir, "seq_next_action.py"),
                        "--events", path, "--epochs", epochCount.ToString(inv), "--threads", threadCount.ToString(inv)));
                    var peerSequencesPerSecond = BenchCommand.Num(peer["test_samples"]) / Math.Max(BenchCommand.Num(peer["eval_seconds"]), 1e-12);
                    peer["inference_sequences_per_second"] = Math.Round(peerSequencesPerSecond, 1);
                    result["peer"] = peer;
                    result["epoch_time_ratio_vs_peer"] = Math.Round(trained.SecondsPerEpoch / BenchCommand.Num(peer["seconds_per_epoch"]), 3);
                    result["accuracy_difference_vs_peer"] = Math.Round(evaluation.Model.Accuracy - BenchCommand.Num(peer["test_accuracy"]), 5);
                    result["inference_speedup_vs_peer"] = Math.Round(evaluation.SequencesPerSecond / peerSequencesPerSecond, 2);
                }
                if (!cli.Json)
                    Show(cli, result);
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    private static void Show(CliOutput cli, JsonObject result)
    {
        var x = result["exania"]!.AsObject();
        var p = result["peer"]?.AsObject();
        var table = new Table().Title($"exania bench sequence ({BenchCommand.F(result["test_samples"])} test samples)").AddColumns("measure", "exania", "pytorch", "ratio");
        table.AddRow("seconds per epoch", BenchCommand.F(x["seconds_per_epoch"]), BenchCommand.F(p?["seconds_per_epoch"]), BenchCommand.F(result["epoch_time_ratio_vs_peer"], "x"));
        table.AddRow("test accuracy", BenchCommand.F(x["test_accuracy"]), BenchCommand.F(p?["test_accuracy"]), BenchCommand.F(result["accuracy_difference_vs_peer"]));
        table.AddRow("top-3 accuracy", BenchCommand.F(x["top3_accuracy"]), BenchCommand.F(p?["top3_accuracy"]), "");
        table.AddRow("macro F1", BenchCommand.F(x["macro_f1"]), BenchCommand.F(p?["macro_f1"]), "");
        table.AddRow("Markov accuracy (same split)", BenchCommand.F(x["markov_accuracy"]), BenchCommand.F(p?["markov_accuracy"]), "");
        table.AddRow("inference sequences/s", BenchCommand.F(x["inference_sequences_per_second"]), BenchCommand.F(p?["inference_sequences_per_second"]), BenchCommand.F(result["inference_speedup_vs_peer"], "x"));
        cli.Table(table);
    }
}
