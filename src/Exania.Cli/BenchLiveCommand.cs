using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Exania.Click;
using Exania.Core;
using Exania.Events;
using Exania.Features;
using Exania.Reports;
using Exania.Reports.Charts;
using Exania.Server;
using Exania.Synthetic;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// <c>exania bench live</c>: a bounded load run against live scoring on 127.0.0.1. The service runs in this process
/// (Kestrel, a click model trained on generated sessions, a fresh DuckDB store); the load comes from Debian's
/// <c>wrk</c> with a Lua script, in its own process, on the same machine. Phases, each <c>--seconds</c> long: batches
/// of 10 events over 64 connections (scored events/s), single-event requests over 64 connections (requests/s), and
/// single events over few connections (latency when the service is not saturated). Sessions are spread over
/// <c>--sessions</c> ids, each getting its events in time order, so the session table holds that many live sessions;
/// the process's resident memory is read before and after. wrk stops by itself at the end of each phase.
/// </summary>
internal static partial class BenchLiveCommand
{
    public static Command Create()
    {
        var seconds = new Option<int>("--seconds") { Description = "Length of each phase.", DefaultValueFactory = _ => 15 };
        var sessions = new Option<int>("--sessions") { Description = "Live session ids the load spreads over.", DefaultValueFactory = _ => 100_000 };
        var store = new Option<bool>("--store") { Description = "Also store the live events (write-behind into DuckDB), as the service does by default." };
        var lowRate = new Option<int>("--low-rate")
        {
            Description = "Requests per second of the latency phase (paced; default: half of issue #13's 20,000 single-event requests/s).",
            DefaultValueFactory = _ => 10_000,
        };
        var storeMemory = new Option<int>("--store-memory-mb")
        {
            Description = "DuckDB's memory limit in the service, in MiB, as `serve --store-memory-mb`; 0 = DuckDB's default (80% of the RAM).",
            DefaultValueFactory = _ => 0,
        };
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("live", "Live scoring load on 127.0.0.1 with wrk: scored events/s in batches of 10, single-event requests/s, latency, memory.")
        {
            seconds, sessions, store, lowRate, storeMemory, report, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            if (!File.Exists("/usr/bin/wrk"))
                return cli.Fail("bench live needs wrk (Debian: apt-get install wrk).", 2);
            if (parse.GetValue(storeMemory) < 0)
                return cli.Fail("--store-memory-mb must be 0 (DuckDB's default) or more.", 2);
            var folder = Directory.CreateTempSubdirectory("exania-bench-live-").FullName;
            try
            {
                return await RunAsync(cli, folder, parse.GetValue(seconds), parse.GetValue(sessions), parse.GetValue(store), Math.Max(1, parse.GetValue(lowRate)),
                    parse.GetValue(storeMemory), parse.GetValue(report), cancellationToken);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(CliOutput cli, string folder, int seconds, int sessions, bool store, int lowRate, int storeMemoryMegabytes, string? reportPath, CancellationToken cancellationToken)
    {
        var models = Path.Combine(folder, "models");
        Directory.CreateDirectory(models);
        TrainClickModel(cli, models);
        var app = DashboardHost.Build(["--db", Path.Combine(folder, "live.duckdb"), "--models", models, "--urls", "http://127.0.0.1:0",
            "--rate-limit", "0", "--store-live-events", store ? "true" : "false", "--max-sessions", Math.Max(sessions, 1).ToString(CultureInfo.InvariantCulture),
            "--store-memory-mb", storeMemoryMegabytes.ToString(CultureInfo.InvariantCulture),
            "--Exania:DashboardRefreshSeconds", "0", "--Exania:WatchModels", "false"], quiet: true);
        await using (app)
        {
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            var live = app.Services.GetRequiredService<LiveState>();
            var script = Path.Combine(folder, "live.lua");
            File.WriteAllText(script, LuaScript);
            var result = new JsonObject
            {
                ["command"] = "bench live",
                ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
                ["seconds_per_phase"] = seconds,
                ["low_load_target_requests_per_second"] = lowRate,
                ["sessions"] = sessions,
                ["store_live_events"] = store,
                ["store_memory_limit_mib"] = storeMemoryMegabytes,
            };
            // Warm-up (JIT, pools) that also starts every one of the live sessions, so that the phases measure the steady
            // state of a site with that many live sessions: each phase goes on with the same sessions, later in time.
            var startTime = FirstEventTime;
            for (var attempt = 0; live.Sessions.Counts.Live < sessions; attempt++)
            {
                if (attempt == 3)
                    throw new IOException($"The warm-up started {live.Sessions.Counts.Live:N0} of {sessions:N0} live sessions in three runs.");
                // About 8,000 requests a second on two cores at the least: long enough for every session at the first try.
                var warm = await Wrk(address, script, 2, Math.Max(3, sessions / 8_000) << attempt, 64, 10, sessions, 1, cancellationToken, startTime: startTime);
                startTime = NextStartTime(startTime, warm, 10, sessions, 2);
            }
            // Then about four more batches per session, so that every session holds a full window of events: its buffers
            // have grown to their steady size before memory and GC are measured (else the first phase pays for it).
            var fill = await Wrk(address, script, 2, Math.Max(3, sessions / 5_000), 64, 10, sessions, 1, cancellationToken, startTime: startTime);
            startTime = NextStartTime(startTime, fill, 10, sessions, 2);
            var rssStart = ResidentBytes();
            // Resident memory and live sessions every 10 s through the phases: flat once the table is at its cap.
            var samples = new JsonArray();
            var clock = Stopwatch.StartNew();
            using var sampler = new Timer(_ =>
            {
                var sample = new JsonObject { ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds), ["rss_bytes"] = ResidentBytes(), ["live_sessions"] = live.Sessions.Counts.Live };
                lock (samples)
                    samples.Add(sample);
            }, null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
            var writer = app.Services.GetService<LiveStoreWriter>();
            var costs = new JsonObject();
            async Task<WrkPhase> Measured(string name, Func<Task<WrkPhase>> run)
            {
                var before = ProcessCost.Now(writer);
                var phase = await run();
                costs[name] = ProcessCost.Now(writer).Since(before);
                return phase;
            }
            var batch = await Measured("batch_of_10", () => Wrk(address, script, 2, seconds, 64, 10, sessions, 1, cancellationToken, startTime: startTime));
            startTime = NextStartTime(startTime, batch, 10, sessions, 2);
            var single = await Measured("single_event", () => Wrk(address, script, 2, seconds, 64, 1, sessions, 1, cancellationToken, startTime: startTime));
            startTime = NextStartTime(startTime, single, 1, sessions, 2);
            // Paced, not flat out: each connection waits PacingMilliseconds after every answer, so that the phase runs at
            // about --low-rate and its p99 is the latency at that load. A connection's cycle is the pause, the answer and
            // wrk's own timer, about a millisecond more than the pause (measured: 20 connections at 2 ms, 6,777 requests/s).
            var lowConnections = Math.Max(1, (int)Math.Ceiling(lowRate * (PacingMilliseconds + 1) / 1000.0));
            var low = await Measured("single_event_low_load", () => Wrk(address, script, 1, seconds, lowConnections, 1, sessions, 1, cancellationToken,
                startTime: startTime, pacingMilliseconds: PacingMilliseconds));
            await sampler.DisposeAsync();
            var rssEnd = ResidentBytes();
            var counts = live.Sessions.Counts;
            result["batch_of_10"] = Phase(batch, 10);
            result["single_event"] = Phase(single, 1);
            result["single_event_low_load"] = Phase(low, 1);
            foreach (var name in new[] { "batch_of_10", "single_event", "single_event_low_load" })
                result[name]!["process"] = costs[name]!.DeepClone();
            result["rss_bytes_start"] = rssStart;
            result["rss_bytes_end"] = rssEnd;
            lock (samples)
                result["rss_samples"] = samples.DeepClone();
            result["live_sessions_end"] = counts.Live;
            result["sessions_started"] = counts.Started;
            result["sessions_evicted"] = counts.Evicted;
            await app.StopAsync(cancellationToken);
            if (!cli.Json)
            {
                var table = new Table().AddColumns("phase", "connections", "requests/s", "events/s", "p50 ms", "p99 ms", "non-2xx");
                foreach (var (name, phase, events) in new[] { ("batches of 10", batch, 10), ("single events", single, 1), ("single events, low load", low, 1) })
                {
                    table.AddRow(name, phase.Connections.ToString(CultureInfo.InvariantCulture), phase.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                        (phase.RequestsPerSecond * events).ToString("N0", CultureInfo.InvariantCulture), phase.P50Ms.ToString("0.000", CultureInfo.InvariantCulture),
                        phase.P99Ms.ToString("0.000", CultureInfo.InvariantCulture), phase.Errors.ToString(CultureInfo.InvariantCulture));
                }
                AnsiConsole.Write(table);
                string series;
                lock (samples)
                    series = string.Join(", ", samples.Select(x => $"{(long)x!["rss_bytes"]! / 1e6:N0}"));
                cli.Info($"resident memory {rssStart / 1e6:N0} MB after warm-up, {rssEnd / 1e6:N0} MB at the end; {counts.Live:N0} live sessions, {counts.Evicted:N0} evicted");
                cli.Info($"resident memory every 10 s (MB): {series}");
            }
            BenchReports.Write(cli, reportPath, result, Summary(result));
            cli.Result(result);
            return batch.Errors + single.Errors + low.Errors == 0 ? 0 : 1;
        }
    }

    /// <summary>The model the load benchmarks serve: a click model trained on 2,000 generated sessions (seed 1), saved in <paramref name="models"/>.</summary>
    internal static void TrainClickModel(CliOutput cli, string models) =>
        cli.Step("training a click model on 2,000 generated sessions", _ =>
        {
            var log = new InteractionGenerator(new GeneratorOptions { Seed = 1 }).Generate(sessions: 2000);
            var windows = WindowExtractor.Extract(log, SessionIndex.Build(log));
            ClickData.Train(windows, ClickTrainingOptions.Default with { Folds = 2 }).Model.Save(Path.Combine(models, ModelFile.FileNameOf(ModelKind.Click)));
            return 0;
        });

    /// <summary>
    /// The report's figures, read from the JSON result: throughput and latency of each phase against the goals of issue
    /// #13 (100,000 scored events/s in batches of 10, 20,000 single-event requests/s, p99 under 2 ms at the low load),
    /// and resident memory at the start and the end.
    /// </summary>
    internal static BenchSummary Summary(JsonObject result)
    {
        (string Key, string Name)[] phases = [("batch_of_10", "batches of 10"), ("single_event", "single events"), ("single_event_low_load", "single events, low load")];
        double Value(string phase, string field) => BenchCommand.Num(result[phase]![field]);
        string[] names = [.. phases.Select(p => $"{p.Name} ({(int)result[p.Key]!["connections"]!} connections)")];
        var measurements = new List<BenchMeasurement>
        {
            new("events-per-second", "Scored events per second", "events/s", names[..1],
                [new BarGroup("events/s", [Value("batch_of_10", "events_per_second")])], 100_000, "goal 100,000"),
            new("requests-per-second", "Single-event requests per second", "requests/s", names[1..],
                [new BarGroup("requests/s", [.. phases[1..].Select(p => Value(p.Key, "requests_per_second"))])], 20_000, "goal 20,000"),
            new("latency", "Latency per phase", "ms", names,
                [new BarGroup("p50", [.. phases.Select(p => Value(p.Key, "p50_ms"))]), new BarGroup("p99", [.. phases.Select(p => Value(p.Key, "p99_ms"))])],
                2, "p99 goal at low load: 2 ms"),
            new("memory", "Resident memory", "MB", ["after warm-up", "at the end"],
                [new BarGroup("resident MB", [BenchCommand.Num(result["rss_bytes_start"]) / 1e6, BenchCommand.Num(result["rss_bytes_end"]) / 1e6])]),
        };
        return new BenchSummary("bench live",
            "Live scoring load on 127.0.0.1 with wrk: every request posts a session's events to POST /api/v1/sessions/{id}/events and gets its click probability back; no peer runs in the same process, so each figure is drawn against its goal.",
            [BenchReports.Fact("seconds per phase", (int)result["seconds_per_phase"]!), BenchReports.Fact("live session ids", (int)result["sessions"]!),
                new ReportFact("live events stored", (bool)result["store_live_events"]! ? "yes (write-behind into DuckDB)" : "no")],
            [], measurements);
    }

    /// <summary>
    /// What the service process spent during a phase: garbage collections per generation and their total pause, and
    /// the write-behind's stores (the tail's usual suspects, measured instead of guessed).
    /// </summary>
    private readonly record struct ProcessCost(int Gen0, int Gen1, int Gen2, TimeSpan Pause, long Allocated, long Writes, double WriteSeconds,
        TimeSpan Cpu, double WriterCpuSeconds)
    {
        public static ProcessCost Now(LiveStoreWriter? writer) =>
            new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(), writer?.Writes ?? 0, writer?.WriteSeconds ?? 0,
                Environment.CpuUsage.TotalTime, ThreadCpuSeconds(LiveStoreWriter.ThreadName));

        public JsonObject Since(ProcessCost before) => new()
        {
            ["gc_gen0"] = Gen0 - before.Gen0,
            ["gc_gen1"] = Gen1 - before.Gen1,
            ["gc_gen2"] = Gen2 - before.Gen2,
            ["gc_pause_ms"] = Math.Round((Pause - before.Pause).TotalMilliseconds, 1),
            ["allocated_mb"] = Math.Round((Allocated - before.Allocated) / 1e6, 1),
            ["last_gc"] = LastGc(),
            ["store_writes"] = Writes - before.Writes,
            ["store_seconds"] = Math.Round(WriteSeconds - before.WriteSeconds, 3),
            ["cpu_seconds"] = Math.Round((Cpu - before.Cpu).TotalSeconds, 2),
            ["store_cpu_seconds"] = Math.Round(WriterCpuSeconds - before.WriterCpuSeconds, 2),
        };
    }

    /// <summary>
    /// CPU seconds (user and system) of this process's threads named <paramref name="name"/> so far, from Linux's
    /// /proc/self/task (the kernel keeps a thread name's first 15 bytes); 0 elsewhere. The clock ticks are 1/100 s.
    /// </summary>
    private static double ThreadCpuSeconds(string name)
    {
        if (!OperatingSystem.IsLinux())
            return 0;
        var shown = name.Length > 15 ? name[..15] : name;
        var ticks = 0L;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') != shown)
                    continue;
                // The fields after the name in parentheses (which may hold spaces): utime and stime are the 14th and 15th.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }
        return ticks / 100.0;
    }

    /// <summary>The last collection: its generation, pause, what it promoted, and the heap after it.</summary>
    private static JsonObject LastGc()
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        var pause = TimeSpan.Zero;
        foreach (var p in info.PauseDurations)
            pause += p;
        return new JsonObject
        {
            ["generation"] = info.Generation,
            ["pause_ms"] = Math.Round(pause.TotalMilliseconds, 1),
            ["promoted_mb"] = Math.Round(info.PromotedBytes / 1e6, 1),
            ["heap_mb"] = Math.Round(info.HeapSizeBytes / 1e6, 1),
            ["pinned_objects"] = info.PinnedObjectsCount,
            ["compacted"] = info.Compacted,
            ["concurrent"] = info.Concurrent,
        };
    }

    internal sealed record WrkPhase(int Connections, double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, int Errors);

    internal static JsonObject Phase(WrkPhase phase, int eventsPerRequest) => new()
    {
        ["connections"] = phase.Connections,
        ["requests"] = phase.Requests,
        ["requests_per_second"] = Math.Round(phase.RequestsPerSecond),
        ["events_per_second"] = Math.Round(phase.RequestsPerSecond * eventsPerRequest),
        ["p50_ms"] = phase.P50Ms,
        ["p99_ms"] = phase.P99Ms,
        ["non_2xx"] = phase.Errors,
    };

    /// <summary>What a connection of the paced phase waits after each answer (wrk's <c>delay()</c> counts whole milliseconds).</summary>
    private const int PacingMilliseconds = 2;

    /// <summary>The first event time of a load (epoch seconds).</summary>
    internal const double FirstEventTime = 1_600_000_000;

    /// <summary>
    /// A start time for the next load on the same session ids that is after every event of <paramref name="phase"/>:
    /// the script gives a session's r-th request the events r × events × 3 s + 3 s, 6 s, … after the start, and no
    /// thread can have made more rounds than all requests over its sessions.
    /// </summary>
    internal static double NextStartTime(double startTime, WrkPhase phase, int events, int sessions, int threads) =>
        startTime + (phase.Requests / Math.Max(1, sessions / threads) + 2) * (double)events * 3;

    /// <summary>Runs wrk for <paramref name="seconds"/> (it stops itself; the timeout is a backstop) and parses its report.</summary>
    internal static async Task<WrkPhase> Wrk(string address, string script, int threads, int seconds, int connections, int events, int sessions, int phase,
        CancellationToken cancellationToken, string prefix = "", double startTime = FirstEventTime, int pacingMilliseconds = 0)
    {
        var start = new ProcessStartInfo("/usr/bin/wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                     "-d", $"{seconds}s", "--timeout", "5s", "--latency", "-s", script, address })
            start.ArgumentList.Add(a);
        start.Environment["EXANIA_EVENTS"] = events.ToString(CultureInfo.InvariantCulture);
        start.Environment["EXANIA_SESSIONS"] = Math.Max(1, sessions / threads).ToString(CultureInfo.InvariantCulture);
        start.Environment["EXANIA_PHASE"] = prefix + phase.ToString(CultureInfo.InvariantCulture);
        start.Environment["EXANIA_T0"] = startTime.ToString("R", CultureInfo.InvariantCulture);
        start.Environment["EXANIA_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        start.Environment["EXANIA_PACING_MS"] = pacingMilliseconds.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds + 30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var text = await output;
        if (process.ExitCode != 0)
            throw new IOException($"wrk failed ({process.ExitCode}): {await error}{text}");
        return new WrkPhase(connections, Number(RequestsPerSecondPattern(), text), Milliseconds(Percentile50Pattern(), text), Milliseconds(Percentile99Pattern(), text),
            (long)Number(RequestsPattern(), text), NonSuccessPattern().Match(text) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    private static double Number(Regex pattern, string text) =>
        pattern.Match(text) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : throw new IOException($"wrk's report has no {pattern}: {text}");

    /// <summary>wrk prints latencies as 512.00us, 1.20ms or 2.00s.</summary>
    private static double Milliseconds(Regex pattern, string text)
    {
        var m = pattern.Match(text);
        if (!m.Success)
            throw new IOException($"wrk's report has no {pattern}: {text}");
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => value / 1000, "ms" => value, "s" => value * 1000, _ => value * 60_000 };
    }

    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        return Environment.WorkingSet;
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecondPattern();

    [GeneratedRegex(@"\s50%\s+([0-9.]+)(us|ms|s|m)")]
    private static partial Regex Percentile50Pattern();

    [GeneratedRegex(@"\s99%\s+([0-9.]+)(us|ms|s|m)")]
    private static partial Regex Percentile99Pattern();

    [GeneratedRegex(@"([0-9]+) requests in")]
    private static partial Regex RequestsPattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+([0-9]+)")]
    private static partial Regex NonSuccessPattern();

    /// <summary>
    /// The wrk script: each thread takes its own session ids; the n-th request of a thread goes to session n mod S of
    /// that thread, with times that grow with n / S, so every session gets its events in time order (a session recurs
    /// only after S other requests, long after its last one was answered). Each phase has its own ids.
    /// </summary>
    internal const string LuaScript = """
        local threads = 0
        function setup(thread)
          thread:set("tid", threads)
          threads = threads + 1
        end
        local actions = { "scroll_down", "click", "hover", "scroll_up", "wait", "click", "scroll_down", "hover", "click", "scroll_down" }
        local counter = 0
        local events = tonumber(os.getenv("EXANIA_EVENTS") or "10")
        local sessions = tonumber(os.getenv("EXANIA_SESSIONS") or "50000")
        local phase = os.getenv("EXANIA_PHASE") or "0"
        local t0 = tonumber(os.getenv("EXANIA_T0") or "1600000000")
        local nthreads = tonumber(os.getenv("EXANIA_THREADS") or "1")
        local headers = { ["Content-Type"] = "application/json" }
        local pacing = tonumber(os.getenv("EXANIA_PACING_MS") or "0")
        if pacing > 0 then
          delay = function() return pacing end
        end
        request = function()
          local s = counter % sessions
          local round = math.floor(counter / sessions)
          counter = counter + 1
          local t = t0 + round * events * 3
          local parts = {}
          for i = 1, events do
            local a = actions[((round * events + i) % #actions) + 1]
            parts[i] = string.format('{"timestamp":%d,"action":"%s","scrollDepth":0.5}', t + i * 3, a)
          end
          local body = '{"events":[' .. table.concat(parts, ",") .. ']}'
          return wrk.format("POST", "/api/v1/sessions/p" .. phase .. "s" .. (s * nthreads + tid) .. "/events", headers, body)
        end
        """;
}
