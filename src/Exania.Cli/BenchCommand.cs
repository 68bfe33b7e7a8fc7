using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Exania.Click;
using Exania.Events;
using Exania.Features;
using Exania.Reports;
using Exania.Synthetic;
using Spectre.Console;
using EventLog = Exania.Events.EventLog;

namespace Exania.Cli;

/// <summary>
/// <c>exania bench</c>: throughput of reading and window extraction, and the time to cross-validate the click model,
/// optionally side by side with the Python peers run on the same files in the same run (figures read as ratios).
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var events = new Option<string?>("--events") { Description = "Event CSV to measure on (default: generate --sessions)." };
        var sessions = new Option<int>("--sessions") { Description = "Sessions to generate when --events is absent.", DefaultValueFactory = _ => 3_000 };
        var samples = new Option<int>("--samples") { Description = "Windows for the training benchmark.", DefaultValueFactory = _ => 50_000 };
        var repeat = new Option<int>("--repeat") { Description = "Repetitions of the read/extract timings (the best is reported).", DefaultValueFactory = _ => 10 };
        var peers = new Option<string?>("--peers") { Description = "Folder of the Python peers (e.g. ../shared/peers) to run on the same input." };
        var python = new Option<string>("--python") { Description = "Python interpreter for the peers.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var work = new Option<string?>("--work") { Description = "Folder for the benchmark's files (default: a temporary folder)." };
        var skipTraining = new Option<bool>("--skip-training") { Description = "Measure reading and extraction only." };
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("bench", "Measure reading, window extraction and click-model cross-validation (and the Python peers).")
        {
            events, sessions, samples, repeat, peers, python, work, skipTraining, report, json,
        };
        command.Subcommands.Add(BenchRoasCommand.Create());
        command.Subcommands.Add(BenchSequenceCommand.Create());
        command.Subcommands.Add(BenchColdCommand.Create());
        command.Subcommands.Add(BenchConversionCommand.Create());
        command.Subcommands.Add(BenchSegmentCommand.Create());
        command.Subcommands.Add(BenchDashboardCommand.Create());
        command.Subcommands.Add(BenchLiveCommand.Create());
        command.Subcommands.Add(BenchClusterCommand.Create());
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var folder = parse.GetValue(work) ?? Path.Combine(Path.GetTempPath(), "exania-bench-" + Environment.ProcessId);
                Directory.CreateDirectory(folder);
                var peerDir = parse.GetValue(peers);
                var py = parse.GetValue(python)!;
                var repeats = Math.Max(1, parse.GetValue(repeat));
                var result = new JsonObject { ["command"] = "bench", ["processors"] = Environment.ProcessorCount };

                var eventsPath = parse.GetValue(events);
                if (eventsPath is null)
                {
                    eventsPath = Path.Combine(folder, "bench_events.csv");
                    EventCsvWriter.Write(SyntheticData.ForSessions(GeneratorOptions.Defaults with { Seed = 1 }, parse.GetValue(sessions)), eventsPath);
                }
                var extraction = MeasureExtraction(eventsPath, Path.Combine(folder, "bench_windows.csv"), repeats);
                result["extraction"] = extraction;
                if (peerDir is not null)
                {
                    var peer = RunPeer(py, Path.Combine(peerDir, "extract_windows.py"), "--events", eventsPath, "--out", Path.Combine(folder, "peer_windows.csv"));
                    extraction["peer"] = peer;
                    extraction["extract_speedup_vs_peer_compute"] = Ratio(extraction["extract_events_per_second"], peer["compute_events_per_second"]);
                    extraction["end_to_end_speedup_vs_peer"] = Ratio(extraction["end_to_end_events_per_second"], peer["events_per_second"]);
                    extraction["first_run_speedup_vs_peer"] = Ratio(peer["seconds"], extraction["first_run_seconds"]);
                }

                if (!parse.GetValue(skipTraining))
                {
                    var training = MeasureTraining(cli, parse.GetValue(samples), folder);
                    result["training"] = training;
                    if (peerDir is not null)
                    {
                        var peer = RunPeer(py, Path.Combine(peerDir, "train_lr.py"), "--features", (string)training["windows_file"]!);
                        training["peer"] = peer;
                        training["speedup_vs_peer"] = Ratio(peer["seconds"], training["seconds"]);
                        training["auc_difference_vs_peer"] = Math.Round(Num(training["auc_mean"]) - Num(peer["auc_mean"]), 5);
                    }
                }
                if (!cli.Json)
                    Show(cli, result);
                BenchReports.Write(cli, parse.GetValue(report), result, Summary(result, repeats));
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    /// <summary>The report's figures, read from the JSON result: window extraction end to end, and the click model's cross-validation.</summary>
    internal static BenchSummary Summary(JsonObject result, int repeats)
    {
        var figures = new List<BenchFigure>();
        var extraction = result["extraction"]!.AsObject();
        var extractionPeer = extraction["peer"]?.AsObject();
        var seconds = Num(extraction["seconds"]);
        var peerSeconds = BenchReports.Optional(extractionPeer?["seconds"]);
        figures.Add(new BenchFigure($"windows of {(int)extraction["events"]!:N0} events", $"read + extract + write seconds (Exania: best of {repeats} warm runs)", seconds, "s",
            "pandas (extract_windows.py)", peerSeconds, peerSeconds is { } p ? Math.Round(seconds / p, 5) : null));
        if (result["training"] is JsonObject training)
        {
            var peer = training["peer"]?.AsObject();
            var trainSeconds = Num(training["seconds"]);
            var peerTrain = BenchReports.Optional(peer?["seconds"]);
            figures.Add(new BenchFigure($"click model on {(int)training["rows"]!:N0} windows", "cross-validation + final fit seconds", trainSeconds, "s",
                "scikit-learn (train_lr.py)", peerTrain, peerTrain is { } q ? Math.Round(trainSeconds / q, 5) : null,
                new BenchQuality("ROC AUC (CV mean)", Num(training["auc_mean"]), BenchReports.Optional(peer?["auc_mean"]), HigherIsBetter: true)));
        }
        return new BenchSummary("bench",
            "Reading, window extraction and writing of an event file, and the click model's cross-validated training, against the pandas and scikit-learn peers on the same files in the same run.",
            [BenchReports.Fact("repeats", repeats)], figures);
    }

    /// <summary>
    /// The first run is timed on its own (what one CLI call costs, JIT compilation included); then
    /// <see cref="WarmupRuns"/> untimed runs let the JIT tier up, and the best of <paramref name="repeats"/> timed runs
    /// gives the steady-state throughput.
    /// </summary>
    private static JsonObject MeasureExtraction(string eventsPath, string windowsPath, int repeats)
    {
        double bestRead = double.MaxValue, bestExtract = double.MaxValue, bestWrite = double.MaxValue, bestTotal = double.MaxValue;
        int events = 0, windows = 0;
        var firstRun = 0.0;
        for (var i = -WarmupRuns - 1; i < repeats; i++)
        {
            var total = Stopwatch.StartNew();
            var log = new EventLog();
            EventReader.Load(eventsPath, log);
            var read = total.Elapsed.TotalSeconds;
            var extract = Stopwatch.StartNew();
            var table = WindowExtractor.Extract(log, SessionIndex.Build(log));
            var extractSeconds = extract.Elapsed.TotalSeconds;
            var write = Stopwatch.StartNew();
            WindowCsv.Write(table, windowsPath);
            var writeSeconds = write.Elapsed.TotalSeconds;
            if (i == -WarmupRuns - 1)
                firstRun = total.Elapsed.TotalSeconds;
            if (i < 0)
                continue;
            bestTotal = Math.Min(bestTotal, total.Elapsed.TotalSeconds);
            bestRead = Math.Min(bestRead, read);
            bestExtract = Math.Min(bestExtract, extractSeconds);
            bestWrite = Math.Min(bestWrite, writeSeconds);
            (events, windows) = (log.Count, table.Rows);
        }
        return new JsonObject
        {
            ["events_file"] = eventsPath,
            ["events"] = events,
            ["windows"] = windows,
            ["repeats"] = repeats,
            ["read_seconds"] = Math.Round(bestRead, 5),
            ["extract_seconds"] = Math.Round(bestExtract, 5),
            ["write_seconds"] = Math.Round(bestWrite, 5),
            ["seconds"] = Math.Round(bestTotal, 5),
            ["first_run_seconds"] = Math.Round(firstRun, 5),
            ["read_events_per_second"] = Math.Round(events / bestRead),
            ["extract_events_per_second"] = Math.Round(events / bestExtract),
            ["end_to_end_events_per_second"] = Math.Round(events / bestTotal),
        };
    }

    private const int WarmupRuns = 20;

    private static JsonObject MeasureTraining(CliOutput cli, int samples, string folder)
    {
        var (log, _) = cli.Step("generating training windows", p => SyntheticData.ForSamples(GeneratorOptions.Defaults with { Seed = 1 }, samples, WindowOptions.Default, p));
        var table = WindowExtractor.Extract(log, SessionIndex.Build(log));
        var windowsPath = Path.Combine(folder, "bench_train_windows.csv");
        WindowCsv.Write(table, windowsPath);
        var data = ClickData.FromWindows(table);
        var watch = Stopwatch.StartNew();
        var report = cli.Step("cross-validating the click model", _ => ClickModelTrainer.CrossValidate(data));
        var cvSeconds = watch.Elapsed.TotalSeconds;
        ClickModelTrainer.Train(data, crossValidation: report);
        var seconds = watch.Elapsed.TotalSeconds;
        return new JsonObject
        {
            ["windows_file"] = windowsPath,
            ["rows"] = table.Rows,
            ["positive_rate"] = Math.Round(report.PositiveRate, 5),
            ["expanded_features"] = report.ExpandedFeatures,
            ["auc_mean"] = Math.Round(report.AucMean, 5),
            ["auc_std"] = Math.Round(report.AucStd, 5),
            ["cv_seconds"] = Math.Round(cvSeconds, 4),
            ["seconds"] = Math.Round(seconds, 4),
            ["fold_iterations"] = new JsonArray(report.FoldIterations.Select(i => (JsonNode)i).ToArray()),
        };
    }

    public static JsonObject RunPeer(string python, string script, params string[] arguments)
    {
        if (!File.Exists(script))
            throw new FileNotFoundException($"Peer script '{script}' does not exist.", script);
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new IOException($"Could not start {python}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new IOException($"{Path.GetFileName(script)} failed with exit code {process.ExitCode}: {stderr.Result.Trim()}");
        var last = stdout.TrimEnd().Split('\n')[^1];
        return JsonNode.Parse(last)!.AsObject();
    }

    private static double Ratio(JsonNode? numerator, JsonNode? denominator) =>
        Math.Round(Num(numerator) / Math.Max(Num(denominator), 1e-12), 2);

    /// <summary>A JSON number as double, whatever CLR type the node holds.</summary>
    internal static double Num(JsonNode? node) =>
        node is null ? double.NaN : double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);

    private static void Show(CliOutput cli, JsonObject result)
    {
        var table = new Table().Title("exania bench").AddColumns("measure", "exania", "peer", "ratio");
        var x = result["extraction"]!.AsObject();
        var xp = x["peer"]?.AsObject();
        table.AddRow("events", F(x["events"]), F(xp?["events"]), "");
        table.AddRow("read events/s", F(x["read_events_per_second"]), "", "");
        table.AddRow("extract events/s (compute)", F(x["extract_events_per_second"]), F(xp?["compute_events_per_second"]), F(x["extract_speedup_vs_peer_compute"], "x"));
        table.AddRow("read+extract+write events/s", F(x["end_to_end_events_per_second"]), F(xp?["events_per_second"]), F(x["end_to_end_speedup_vs_peer"], "x"));
        table.AddRow("first run seconds (JIT included)", F(x["first_run_seconds"]), F(xp?["seconds"]), F(x["first_run_speedup_vs_peer"], "x"));
        if (result["training"] is JsonObject t)
        {
            var tp = t["peer"]?.AsObject();
            table.AddRow($"click CV + fit seconds ({F(t["rows"])} rows)", F(t["seconds"]), F(tp?["seconds"]), F(t["speedup_vs_peer"], "x"));
            table.AddRow("CV ROC AUC", F(t["auc_mean"]), F(tp?["auc_mean"]), F(t["auc_difference_vs_peer"]));
        }
        cli.Table(table);
    }

    internal static string F(JsonNode? node, string suffix = "") => node is null ? "" : Markup.Escape(
        (node.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? Num(node).ToString(Math.Abs(Num(node)) >= 1000 ? "N0" : "0.####", CultureInfo.InvariantCulture)
            : node.ToString()) + suffix);
}
