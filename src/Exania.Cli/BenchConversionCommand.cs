using System.CommandLine;
using System.Text.Json.Nodes;
using Exania.Campaigns;
using Exania.Conversion;
using Exania.Core;
using Exania.Reports;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// <c>exania bench conversion</c>: the multi-task network against the PyTorch peer (<c>mtl_conversion.py</c>) on the
/// same table, seeds and hyperparameters (64-64 trunk, Adam 1e-3, batch 256, a fixed epoch count, no class weights, no
/// early stopping), so the ROC AUC per head and the training seconds compare like for like.
/// </summary>
internal static class BenchConversionCommand
{
    public static Command Create()
    {
        var table = new Option<string>("--table") { Description = "Table (a session table, or the Online Shoppers CSV).", Required = true };
        var targets = new Option<string>("--targets") { Description = "Comma-separated target columns, each over every row (the peer has no conditional heads).", DefaultValueFactory = _ => "conversion,dropoff" };
        var drop = new Option<string?>("--drop") { Description = "Columns that are not features, for both (ids and the session table's outcomes are left out anyway)." };
        var peers = new Option<string?>("--peers") { Description = "Folder of the Python peers (mtl_conversion.py), e.g. ../shared/peers." };
        var python = new Option<string>("--python") { Description = "Python interpreter for the peer.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var seeds = new Option<int>("--seeds") { Description = "Seeds 0..n-1 (a split and an initialisation each).", DefaultValueFactory = _ => 5 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs, for both.", DefaultValueFactory = _ => 30 };
        var threads = new Option<int>("--threads") { Description = "Threads, for both.", DefaultValueFactory = _ => 2 };
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("conversion", "Conversion network vs the PyTorch multi-task peer: ROC AUC per head and training time on the same table and seeds.")
        {
            table, targets, drop, peers, python, seeds, epochs, threads, report, json,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return Task.FromResult(cli.Run(() =>
            {
                var tablePath = parse.GetValue(table)!;
                CommonOptions.RefuseOverwritingInput(parse.GetValue(report), "--report", (tablePath, "--table"));
                var tasks = ConversionTask.Parse(parse.GetValue(targets)!);
                if (tasks.Any(t => t.Given is not null))
                    throw new ArgumentException("--targets: the peer trains every head over every row; give plain target columns.");
                var dropList = CliValues.ParseList(parse.GetValue(drop) ?? "");
                var (rows, _) = CampaignTableReader.Read(tablePath);
                var data = ConversionDataset.From(rows, tasks, dropList);
                var network = new ConversionTrainingOptions
                {
                    Epochs = parse.GetValue(epochs),
                    Patience = 0,
                    BalanceClasses = false,
                    WeightDecay = 0,
                    Threads = parse.GetValue(threads),
                };
                var ours = new List<ConversionReport>();
                var theirs = new List<JsonObject>();
                for (var seed = 0; seed < parse.GetValue(seeds); seed++)
                {
                    var options = new ConversionExperimentOptions { Network = network with { Seed = seed }, Baselines = false };
                    ours.Add(cli.Step($"exania, seed {seed}", _ => ConversionExperiment.Run(data, tasks, options, cancellationToken: cancellationToken)).Report);
                    if (parse.GetValue(peers) is { } folder)
                    {
                        // The peer drops *_id columns itself; the outcome columns must be named for it.
                        var peerDrop = string.Join(',', data.ExcludedColumns.Where(c => !tasks.Any(t => t.Target == c)));
                        theirs.Add(cli.Step($"peer, seed {seed}", _ => BenchCommand.RunPeer(parse.GetValue(python)!, Path.Combine(folder, "mtl_conversion.py"),
                            "--csv", tablePath, "--targets", string.Join(',', tasks.Select(t => t.Target)), "--drop", peerDrop,
                            "--epochs", $"{network.Epochs}", "--threads", $"{parse.GetValue(threads)}", "--seed", $"{seed}")));
                    }
                }
                var result = new JsonObject
                {
                    ["command"] = "bench conversion",
                    ["table"] = tablePath,
                    ["rows"] = data.Rows,
                    ["features"] = ours[0].Features,
                    ["seeds"] = ours.Count,
                    ["epochs"] = network.Epochs,
                    ["processors"] = Environment.ProcessorCount,
                };
                var heads = new JsonArray();
                var summary = new Table().Title("conversion network vs PyTorch peer (mean over seeds)").AddColumns("", "exania", "peer", "ratio");
                foreach (var task in tasks)
                {
                    var exania = ours.Average(r => r.Outputs.Single(o => o.Name == task.Name).Models[0].Mean.RocAuc);
                    double? peer = theirs.Count == 0 ? null : theirs.Average(p => BenchCommand.Num(p["auc_" + task.Target]));
                    heads.Add(new JsonObject { ["target"] = task.Target, ["exania_roc_auc"] = Math.Round(exania, 5), ["peer_roc_auc"] = peer is { } v ? Math.Round(v, 5) : null });
                    summary.AddRow($"ROC AUC {Markup.Escape(task.Target)}", $"{exania:0.0000}", peer is { } q ? $"{q:0.0000}" : "", peer is { } d ? $"{exania - d:+0.0000;-0.0000}" : "");
                }
                result["heads"] = heads;
                var ourSeconds = ours.Average(r => r.Network.TrainingSeconds[0]);
                result["exania_training_seconds"] = Math.Round(ourSeconds, 4);
                summary.AddRow("training seconds", $"{ourSeconds:0.###}", "", "");
                if (theirs.Count > 0)
                {
                    var peerSeconds = theirs.Average(p => BenchCommand.Num(p["seconds"]));
                    result["peer_training_seconds"] = Math.Round(peerSeconds, 4);
                    result["time_ratio"] = Math.Round(ourSeconds / peerSeconds, 3);
                    result["peer_blas"] = theirs[0]["blas"]?.DeepClone();
                    summary.Rows.Update(summary.Rows.Count - 1, 2, new Text($"{peerSeconds:0.###}"));
                    summary.Rows.Update(summary.Rows.Count - 1, 3, new Text($"{ourSeconds / peerSeconds:0.###}"));
                }
                cli.Table(summary);
                BenchReports.Write(cli, parse.GetValue(report), result, Summary(result, parse.GetValue(threads)));
                cli.Result(result);
                return 0;
            }));
        });
        return command;
    }

    /// <summary>
    /// The report's figures, read from the JSON result: the mean training seconds, with one row per head for its
    /// ROC AUC (the network trains every head at once, so each head's row carries the same time).
    /// </summary>
    internal static BenchSummary Summary(JsonObject result, int threads)
    {
        var figures = new List<BenchFigure>();
        var seconds = BenchCommand.Num(result["exania_training_seconds"]);
        var peerSeconds = BenchReports.Optional(result["peer_training_seconds"]);
        var ratio = BenchReports.Optional(result["time_ratio"]);
        foreach (var node in result["heads"]!.AsArray())
        {
            var head = node!.AsObject();
            figures.Add(new BenchFigure($"{(string)head["target"]!} head", $"training seconds (all heads, mean of {(int)result["seeds"]!} seeds)", seconds, "s",
                "PyTorch", peerSeconds, ratio,
                new BenchQuality("ROC AUC", BenchCommand.Num(head["exania_roc_auc"]), BenchReports.Optional(head["peer_roc_auc"]), HigherIsBetter: true)));
        }
        return new BenchSummary("bench conversion",
            "The multi-task conversion network against the PyTorch peer (mtl_conversion.py) on the same table, seeds and hyperparameters (64-64 trunk, Adam 1e-3, batch 256, no class weights, no early stopping); ROC AUC is on the held-out rows of each seed's split.",
            [
                new ReportFact("table", $"{Path.GetFileName((string)result["table"]!)}: {(int)result["rows"]!:N0} rows, {(int)result["features"]!} features"),
                BenchReports.Fact("epochs", (int)result["epochs"]!), BenchReports.Fact("seeds", (int)result["seeds"]!), BenchReports.Fact("threads", threads),
            ], figures);
    }
}
