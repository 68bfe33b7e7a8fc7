using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Exania.Click;
using Exania.Core;
using Exania.Events;
using Exania.Features;
using Exania.Synthetic;
using Npgsql;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// <c>exania bench cluster</c>: live scoring on 1, 2, … <c>--nodes</c> cluster nodes on 127.0.0.1 over one PostgreSQL
/// database. Each configuration starts its nodes as <c>exania serve --cluster</c> processes (a cluster id of its own),
/// waits until all are members, and puts wrk's load on them: one wrk per node, the connections split between them, each
/// wrk with session ids of its own (a session's events in time order, its grain wherever Orleans placed it). Phases:
/// batches of 10 events over 64 connections (throughput), single events over 2 connections (latency below saturation).
/// PostgreSQL's own row counters give the grain-state writes per acknowledged batch. Everything stops by itself.
/// </summary>
internal static class BenchClusterCommand
{
    public static Command Create()
    {
        var cluster = new Option<string>("--cluster") { Description = "A PostgreSQL database for membership and session state (Host=...;Database=...;Username=...).", Required = true };
        var nodes = new Option<int>("--nodes") { Description = "Largest number of nodes; every count from 1 up is measured.", DefaultValueFactory = _ => 3 };
        var seconds = new Option<int>("--seconds") { Description = "Length of each phase.", DefaultValueFactory = _ => 15 };
        var sessions = new Option<int>("--sessions") { Description = "Live session ids the load spreads over (per configuration).", DefaultValueFactory = _ => 20_000 };
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("cluster", "Live scoring on 1..N cluster nodes on 127.0.0.1 (Orleans, PostgreSQL): scored events/s, latency, PostgreSQL writes per batch.")
        {
            cluster, nodes, seconds, sessions, report, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            if (!File.Exists("/usr/bin/wrk"))
                return cli.Fail("bench cluster needs wrk (Debian: apt-get install wrk).", 2);
            var count = parse.GetValue(nodes);
            if (count is < 1 or > 8)
                return cli.Fail($"--nodes {count} must be 1 to 8.", 2);
            var folder = Directory.CreateTempSubdirectory("exania-bench-cluster-").FullName;
            try
            {
                return await RunAsync(cli, folder, parse.GetValue(cluster)!, count, parse.GetValue(seconds), parse.GetValue(sessions), parse.GetValue(report), cancellationToken);
            }
            catch (NpgsqlException e)
            {
                return cli.Fail($"The cluster database cannot be reached: {e.Message}", 1);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(CliOutput cli, string folder, string connectionString, int maxNodes, int seconds, int sessions, string? reportPath,
        CancellationToken cancellationToken)
    {
        var models = Path.Combine(folder, "models");
        Directory.CreateDirectory(models);
        BenchLiveCommand.TrainClickModel(cli, models);
        await Exania.Cluster.ClusterSchema.EnsureAsync(connectionString, cancellationToken);
        var script = Path.Combine(folder, "live.lua");
        await File.WriteAllTextAsync(script, BenchLiveCommand.LuaScript, cancellationToken);
        var result = new JsonObject
        {
            ["command"] = "bench cluster",
            ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
            ["seconds_per_phase"] = seconds,
            ["sessions"] = sessions,
            ["postgres_fsync"] = await Setting(connectionString, "fsync", cancellationToken),
            ["postgres_synchronous_commit"] = await Setting(connectionString, "synchronous_commit", cancellationToken),
        };
        var runs = new JsonArray();
        var table = new Table().AddColumns("nodes", "events/s (batches of 10)", "p50 ms", "p99 ms", "requests/s (single, 2 conn.)", "p50 ms", "p99 ms", "state writes / batch", "non-2xx");
        var stamp = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        for (var n = 1; n <= maxNodes; n++)
        {
            var clusterId = $"bench-{stamp}-{n}";
            var started = new List<ClusterNodeProcess>();
            try
            {
                cli.Info($"starting {n} node(s), cluster {clusterId}");
                started.AddRange(await Task.WhenAll(Enumerable.Range(0, n).Select(i => StartNodeAsync(folder, models, connectionString, clusterId, $"{n}-{i}", cancellationToken))));
                await WaitForMembersAsync(started, n, cancellationToken);
                var prefix = $"n{n}{stamp}";
                await LoadAsync(started, script, 3, 64, 10, sessions, 0, prefix, cancellationToken); // warm-up: JIT, pools, first activations
                var writesBefore = await StateWrites(connectionString, cancellationToken);
                var batch = await LoadAsync(started, script, seconds, 64, 10, sessions, 1, prefix, cancellationToken);
                await Task.Delay(1500, cancellationToken); // PostgreSQL publishes its row counters within about a second
                var writes = await StateWrites(connectionString, cancellationToken) - writesBefore;
                var low = await LoadAsync(started, script, seconds, 2, 1, sessions, 2, prefix, cancellationToken);
                var run = new JsonObject
                {
                    ["nodes"] = n,
                    ["batch_of_10"] = BenchLiveCommand.Phase(batch, 10),
                    ["single_event_low_load"] = BenchLiveCommand.Phase(low, 1),
                    ["state_writes"] = writes,
                    ["state_writes_per_batch"] = batch.Requests == 0 ? 0 : Math.Round((double)writes / batch.Requests, 3),
                };
                runs.Add(run);
                table.AddRow(n.ToString(CultureInfo.InvariantCulture), (batch.RequestsPerSecond * 10).ToString("N0", CultureInfo.InvariantCulture),
                    batch.P50Ms.ToString("0.00", CultureInfo.InvariantCulture), batch.P99Ms.ToString("0.00", CultureInfo.InvariantCulture),
                    low.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture), low.P50Ms.ToString("0.00", CultureInfo.InvariantCulture),
                    low.P99Ms.ToString("0.00", CultureInfo.InvariantCulture), ((double)run["state_writes_per_batch"]!).ToString("0.00", CultureInfo.InvariantCulture),
                    (batch.Errors + low.Errors).ToString(CultureInfo.InvariantCulture));
            }
            finally
            {
                // SIGTERM: the nodes leave the cluster cleanly (a benchmark is not a failover test).
                foreach (var node in started)
                {
                    await node.StopAsync();
                    await node.DisposeAsync();
                }
            }
        }
        result["runs"] = runs;
        if (!cli.Json)
            AnsiConsole.Write(table);
        BenchReports.Write(cli, reportPath, result, Summary(result));
        cli.Result(result);
        return runs.All(r => (int)r!["batch_of_10"]!["non_2xx"]! + (int)r["single_event_low_load"]!["non_2xx"]! == 0) ? 0 : 1;
    }

    /// <summary>The report's figures: throughput and latency per node count, and PostgreSQL writes per acknowledged batch.</summary>
    internal static Exania.Reports.BenchSummary Summary(JsonObject result)
    {
        var runs = result["runs"]!.AsArray();
        string[] names = [.. runs.Select(r => $"{(int)r!["nodes"]!} node(s)")];
        double Value(JsonNode run, string phase, string field) => BenchCommand.Num(run[phase]![field]);
        var measurements = new List<Exania.Reports.BenchMeasurement>
        {
            new("events-per-second", "Scored events per second, batches of 10 (64 connections)", "events/s", names,
                [new Exania.Reports.Charts.BarGroup("events/s", [.. runs.Select(r => Value(r!, "batch_of_10", "events_per_second"))])]),
            new("latency", "Latency of single events at low load (2 connections)", "ms", names,
                [new Exania.Reports.Charts.BarGroup("p50", [.. runs.Select(r => Value(r!, "single_event_low_load", "p50_ms"))]),
                    new Exania.Reports.Charts.BarGroup("p99", [.. runs.Select(r => Value(r!, "single_event_low_load", "p99_ms"))])]),
            new("state-writes", "PostgreSQL grain-state writes per acknowledged batch", "writes", names,
                [new Exania.Reports.Charts.BarGroup("writes/batch", [.. runs.Select(r => BenchCommand.Num(r!["state_writes_per_batch"]))])]),
        };
        return new Exania.Reports.BenchSummary("bench cluster",
            "Live scoring on cluster nodes on 127.0.0.1 (Orleans 10.4.2, membership and session state in PostgreSQL); one wrk per node. On one machine the nodes, wrk and PostgreSQL share its cores.",
            [BenchReports.Fact("seconds per phase", (int)result["seconds_per_phase"]!), BenchReports.Fact("live session ids", (int)result["sessions"]!),
                new Exania.Reports.ReportFact("PostgreSQL fsync / synchronous_commit", $"{result["postgres_fsync"]} / {result["postgres_synchronous_commit"]}")],
            [], measurements);
    }

    /// <summary>One wrk per node at once, the connections split between them; the sum of their rates, the worst of their percentiles.</summary>
    private static async Task<BenchLiveCommand.WrkPhase> LoadAsync(List<ClusterNodeProcess> nodes, string script, int seconds, int connections, int events, int sessions, int phase,
        string prefix, CancellationToken cancellationToken)
    {
        var share = Math.Max(1, connections / nodes.Count);
        var phases = await Task.WhenAll(nodes.Select((node, i) => BenchLiveCommand.Wrk(node.Url, script, Math.Min(2, share), seconds, share, events,
            Math.Max(1, sessions / nodes.Count), phase, cancellationToken, prefix + "w" + i.ToString(CultureInfo.InvariantCulture))));
        return new BenchLiveCommand.WrkPhase(phases.Sum(p => p.Connections), phases.Sum(p => p.RequestsPerSecond), phases.Max(p => p.P50Ms), phases.Max(p => p.P99Ms),
            phases.Sum(p => p.Requests), phases.Sum(p => p.Errors));
    }

    private static async Task WaitForMembersAsync(List<ClusterNodeProcess> nodes, int count, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var text = await nodes[0].Http.GetStringAsync("/api/v1/cluster", timeout.Token);
            if (JsonNode.Parse(text)!["nodes"]!.AsArray().Count(n => (string)n!["status"]! == "Active") >= count)
                return;
            await Task.Delay(250, timeout.Token);
        }
    }

    private static async Task<string> Setting(string connectionString, string name, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT current_setting(@name)", connection);
        command.Parameters.AddWithValue("name", name);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Rows inserted and updated in Orleans' grain-state table since the server started (its statistics).</summary>
    private static async Task<long> StateWrites(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0)::bigint FROM pg_stat_user_tables WHERE relname = 'orleansstorage'", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A node with an empty store of its own, no write-behind, no rate limit, quiet logs.</summary>
    private static Task<ClusterNodeProcess> StartNodeAsync(string folder, string models, string connectionString, string clusterId, string name,
        CancellationToken cancellationToken)
    {
        var db = Path.Combine(folder, $"node{name}.duckdb");
        Exania.Store.EventStores.Open(db).Dispose();
        return ClusterNodeProcess.StartAsync(name, connectionString, db, models, ["--store-live-events", "false", "--rate-limit", "0"],
            new Dictionary<string, string>
            {
                ["Exania__Cluster__Id"] = clusterId,
                ["Exania__WatchModels"] = "false",
                ["Logging__LogLevel__Default"] = "Warning",
                ["DOTNET_gcServer"] = Environment.GetEnvironmentVariable("DOTNET_gcServer") ?? "1",
            }, TimeSpan.FromSeconds(90), cancellationToken);
    }
}
