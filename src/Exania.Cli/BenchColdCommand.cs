using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Features;
using Exania.Reports;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// <c>exania bench cold</c>: what one call costs a user. The <c>windows</c> command is run as a new process (start to
/// exit, JIT and runtime start included) several times on the same file, beside the pandas peer
/// (<c>extract_windows.py</c>) run the same way; read / extract / write come from the command's own JSON, and the two
/// outputs are compared window by window.
/// </summary>
internal static class BenchColdCommand
{
    public static Command Create()
    {
        var events = new Option<string>("--events") { Description = "Event CSV (e.g. from scripts/bench/generate_sessions.py).", Required = true };
        var exe = new Option<string?>("--exe") { Description = "The exania executable to time (default: this one; e.g. the installed tool)." };
        var runs = new Option<int>("--runs") { Description = "Cold runs of each side; the median and the best are reported.", DefaultValueFactory = _ => 5 };
        var peers = new Option<string?>("--peers") { Description = "Folder of the Python peers (extract_windows.py), e.g. ../shared/peers." };
        var python = new Option<string>("--python") { Description = "Python interpreter for the peer.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var work = new Option<string?>("--work") { Description = "Folder for the outputs (default: a temporary folder)." };
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("cold", "Cold end-to-end `windows` (process start to exit) against the pandas peer, with read/extract/write split out.")
        {
            events, exe, runs, peers, python, work, report, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var eventsPath = Path.GetFullPath(parse.GetValue(events)!);
                if (!File.Exists(eventsPath))
                    throw new FileNotFoundException($"Event file '{eventsPath}' does not exist.", eventsPath);
                CommonOptions.RefuseOverwritingInput(parse.GetValue(report), "--report", (eventsPath, "--events"));
                var folder = parse.GetValue(work) ?? Path.Combine(Path.GetTempPath(), "exania-bench-cold-" + Environment.ProcessId);
                Directory.CreateDirectory(folder);
                var executable = parse.GetValue(exe) ?? Environment.ProcessPath
                    ?? throw new InvalidOperationException("The path of this executable is unknown; give it with --exe.");
                var count = Math.Clamp(parse.GetValue(runs), 1, 100);
                var oursPath = Path.Combine(folder, "windows.csv");
                var ours = new List<(double Wall, JsonObject Report)>();
                for (var i = 0; i < count; i++)
                    ours.Add(Time(executable, ["windows", "--events", eventsPath, "--out", oursPath, "--json"]));
                var last = ours[^1].Report;
                var accepted = BenchCommand.Num(last["input"]?["accepted"]);
                var walls = ours.Select(o => o.Wall).Order().ToArray();
                var result = new JsonObject
                {
                    ["command"] = "bench cold",
                    ["events_file"] = eventsPath,
                    ["events"] = accepted,
                    ["windows"] = last["windows"]?.DeepClone(),
                    ["executable"] = executable,
                    ["runs"] = count,
                    ["exania"] = Side(walls, accepted, ours.Select(o => o.Report).ToList()),
                };
                if (parse.GetValue(peers) is { } peerDir)
                {
                    var script = Path.Combine(peerDir, "extract_windows.py");
                    var peerPath = Path.Combine(folder, "peer_windows.csv");
                    var peerRuns = new List<(double Wall, JsonObject Report)>();
                    for (var i = 0; i < count; i++)
                        peerRuns.Add(Time(parse.GetValue(python)!, [script, "--events", eventsPath, "--out", peerPath]));
                    var peerWalls = peerRuns.Select(o => o.Wall).Order().ToArray();
                    var peerSeconds = peerRuns.Select(o => BenchCommand.Num(o.Report["seconds"])).Order().ToArray();
                    var peer = new JsonObject
                    {
                        ["wall_seconds_median"] = Math.Round(Median(peerWalls), 4),
                        ["wall_seconds_best"] = Math.Round(peerWalls[0], 4),
                        ["own_seconds_median"] = Math.Round(Median(peerSeconds), 4),
                        ["own_seconds_best"] = Math.Round(peerSeconds[0], 4),
                    };
                    result["peer"] = peer;
                    var oursMedian = Median(walls);
                    result["wall_ratio_to_peer_own_seconds"] = Math.Round(oursMedian / Median(peerSeconds), 3);
                    result["wall_ratio_to_peer_wall"] = Math.Round(oursMedian / Median(peerWalls), 3);
                    result["comparison"] = Compare(oursPath, peerPath);
                }
                if (!cli.Json)
                    Show(cli, result);
                BenchReports.Write(cli, parse.GetValue(report), result, Summary(result));
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    /// <summary>Runs one process to its end; its wall time (start to exit) and the JSON object on its last stdout line.</summary>
    private static (double Wall, JsonObject Report) Time(string executable, string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new IOException($"Could not start {executable}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var wall = watch.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
            throw new IOException($"{Path.GetFileName(executable)} {arguments[0]} failed with exit code {process.ExitCode}: {stderr.Result.Trim()}");
        return (wall, JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!.AsObject());
    }

    private static JsonObject Side(double[] walls, double events, List<JsonObject> reports)
    {
        double Median(string key) => BenchColdCommand.Median([.. reports.Select(r => BenchCommand.Num(r[key])).Order()]);
        var total = Median("seconds");
        var extract = Median("extract_seconds");
        var write = Median("write_seconds");
        return new JsonObject
        {
            ["wall_seconds_median"] = Math.Round(BenchColdCommand.Median(walls), 4),
            ["wall_seconds_best"] = Math.Round(walls[0], 4),
            ["events_per_second_median"] = Math.Round(events / BenchColdCommand.Median(walls)),
            // The command's own clock starts after the runtime and argument parsing; the rest of the wall time is start-up.
            ["startup_and_exit_seconds"] = Math.Round(BenchColdCommand.Median(walls) - total, 4),
            ["read_seconds"] = Math.Round(total - extract - write, 4),
            ["extract_seconds"] = Math.Round(extract, 4),
            ["write_seconds"] = Math.Round(write, 4),
        };
    }

    /// <summary>Window by window: the same sessions, ends and labels, features within 1e-9 relative (the peer's sigma cancels).</summary>
    private static JsonObject Compare(string oursPath, string peerPath)
    {
        var ours = WindowCsv.Read(oursPath);
        var peer = WindowCsv.Read(peerPath);
        var same = ours.Rows == peer.Rows;
        var worst = 0.0;
        for (var r = 0; same && r < ours.Rows; r++)
        {
            same = ours.SessionOf(r) == peer.SessionOf(r) && ours.WindowEnds[r] == peer.WindowEnds[r] && ours.Labels[r] == peer.Labels[r];
            var a = ours.Row(r);
            var b = peer.Row(r);
            for (var f = 0; f < a.Length; f++)
                worst = Math.Max(worst, Math.Abs(a[f] - b[f]) / Math.Max(1.0, Math.Abs(b[f])));
        }
        return new JsonObject
        {
            ["windows"] = ours.Rows,
            ["peer_windows"] = peer.Rows,
            ["same_windows"] = same,
            ["max_relative_feature_difference"] = worst,
            ["identical"] = same && worst <= 1e-9,
        };
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    /// <summary>
    /// The report's figures, read from the JSON result: the median wall time of one call against the peer's wall time
    /// and against the peer's own clock; the quality beside them is the largest relative difference of the two outputs'
    /// features (the peer is the reference, so it has no value of its own).
    /// </summary>
    internal static BenchSummary Summary(JsonObject result)
    {
        var runs = (int)result["runs"]!;
        var wall = BenchCommand.Num(result["exania"]!["wall_seconds_median"]);
        var peer = result["peer"]?.AsObject();
        var difference = result["comparison"] is JsonObject comparison
            ? new BenchQuality("max relative feature difference", BenchCommand.Num(comparison["max_relative_feature_difference"]), null, HigherIsBetter: false)
            : null;
        BenchFigure[] figures =
        [
            new("peer's wall time", $"wall seconds of one call (median of {runs})", wall, "s", "pandas",
                BenchReports.Optional(peer?["wall_seconds_median"]), BenchReports.Optional(result["wall_ratio_to_peer_wall"]), difference),
            new("peer's own clock", $"wall seconds of one call (median of {runs})", wall, "s", "pandas",
                BenchReports.Optional(peer?["own_seconds_median"]), BenchReports.Optional(result["wall_ratio_to_peer_own_seconds"]), difference),
        ];
        return new BenchSummary("bench cold",
            "One cold `exania windows` call (a new process: runtime start, JIT, read, extract, write, exit) against the pandas peer (extract_windows.py) run the same way on the same file; the outputs are compared window by window.",
            [
                new ReportFact("events", $"{Path.GetFileName((string)result["events_file"]!)}: {BenchCommand.Num(result["events"]):N0} events, {BenchCommand.Num(result["windows"]):N0} windows"),
                BenchReports.Fact("runs", runs), new ReportFact("executable", (string)result["executable"]!),
            ], figures);
    }

    private static void Show(CliOutput cli, JsonObject result)
    {
        var x = result["exania"]!;
        var p = result["peer"];
        var table = new Table().Title($"cold windows, {BenchCommand.F(result["events"])} events, median of {result["runs"]}").AddColumns("measure", "exania", "pandas peer");
        table.AddRow("wall seconds (process start to exit)", BenchCommand.F(x["wall_seconds_median"]), BenchCommand.F(p?["wall_seconds_median"]));
        table.AddRow("peer's own seconds", "", BenchCommand.F(p?["own_seconds_median"]));
        table.AddRow("events/s (wall)", BenchCommand.F(x["events_per_second_median"]), "");
        table.AddRow("start-up + exit / read / extract / write s",
            Markup.Escape($"{x["startup_and_exit_seconds"]} / {x["read_seconds"]} / {x["extract_seconds"]} / {x["write_seconds"]}"), "");
        if (result["comparison"] is JsonObject c)
            table.AddRow("identical windows", BenchCommand.F(c["identical"]), BenchCommand.F(c["peer_windows"]));
        cli.Table(table);
        if (result["wall_ratio_to_peer_own_seconds"] is { } ratio)
            cli.Info($"exania wall / peer's own seconds: {BenchCommand.F(ratio)} (goal: at most 0.1)");
    }
}
