using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Exania.Campaigns;
using Exania.Events;
using Exania.Reports;
using Exania.Reports.Charts;
using Exania.Server;
using Exania.Store;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// <c>exania bench dashboard</c>: the event store and the dashboard API at scale. A real event file (e.g. the REES46
/// sample) is copied <c>--copies</c> times (each copy's users and sessions renamed, its times shifted by whole days
/// over four weeks, so the distribution of actions, categories and prices stays the real one) and written as one CSV.
/// Then, in the same run: ingest throughput (read the CSV, store it) against DuckDB's own <c>read_csv</c> into a table
/// on the same file, beside DuckDB copying the stored rows from memory into a new table (what DuckDB alone takes to
/// write this schema's rows); and each dashboard endpoint's latency over HTTP on 127.0.0.1, p50 and p95 of <c>--requests</c>
/// calls, both <b>warm</b> (the same request again: the service's result cache) and <b>new filter</b> (a different
/// date range every call, so every figure is computed afresh from the events). With <c>--postgres</c>, the same on a
/// PostgreSQL store.
/// </summary>
internal static class BenchDashboardCommand
{
    private static readonly string[] s_endpoints =
    [
        "meta", "overview", "funnel?stages=view,cart%3F,purchase", "paths", "breakdown?field=category&stages=view,purchase",
        "adspend", "segments", "seasonality", "retention",
    ];

    public static Command Create()
    {
        var events = new Option<string>("--events") { Description = "The real event file to copy (CSV).", Required = true };
        var map = new Option<string?>("--map") { Description = "Column mapping of --events, as for every command." };
        var copies = new Option<int>("--copies") { Description = "Copies of the file's events (REES46 head: 574 copies ≈ 10 M events).", DefaultValueFactory = _ => 10 };
        var requests = new Option<int>("--requests") { Description = "Calls per endpoint and kind (warm, new filter).", DefaultValueFactory = _ => 20 };
        var postgres = new Option<string?>("--postgres") { Description = "Also measure a PostgreSQL store: a connection string to a database the benchmark may fill (its tables are dropped first)." };
        var work = new Option<string?>("--work") { Description = "Folder for the CSV and the DuckDB files (default: a temporary folder)." };
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("dashboard", "Event store ingest throughput (vs DuckDB's read_csv) and dashboard API latency (p50/p95 per endpoint) at scale.")
        {
            events, map, copies, requests, postgres, work, report, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            if (parse.GetValue(postgres) is { } given && !EventStores.IsPostgreSql(given))
                return cli.Fail($"--postgres needs a PostgreSQL connection string naming its server (Host=127.0.0.1;Port=...;Database=...;Username=...); got '{given}'.", 2);
            var folder = parse.GetValue(work) ?? Path.Combine(Path.GetTempPath(), "exania-bench-dashboard-" + Environment.ProcessId);
            Directory.CreateDirectory(folder);
            var readOptions = new EventReaderOptions { ColumnMap = EventReaderOptions.ParseColumnMap(parse.GetValue(map)) };
            var (source, _) = EventLoader.Load([parse.GetValue(events)!], readOptions);
            var k = Math.Max(1, parse.GetValue(copies));
            var csv = Path.Combine(folder, "events.csv");
            var total = cli.Step($"writing {k} copies of {source.Count:N0} events", _ => WriteCopies(source, k, csv));
            var result = new JsonObject
            {
                ["command"] = "bench dashboard",
                ["events"] = total,
                ["csv_bytes"] = new FileInfo(csv).Length,
                ["processors"] = Environment.ProcessorCount,
            };
            var campaigns = CampaignDay.FromTable(CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 20_000, Seed = 1, Start = new DateOnly(2019, 9, 20), StartSpreadDays = 30 }), "generated");
            result["duckdb_read_csv_seconds"] = cli.Step("DuckDB read_csv into a table (the peer)", _ => DuckDbReadCsv(csv, Path.Combine(folder, "peer.duckdb")));
            var stores = new List<(string Name, string Db)> { ("duckdb", Path.Combine(folder, "bench.duckdb")) };
            if (parse.GetValue(postgres) is { } connection)
            {
                PostgresReset(connection);
                stores.Add(("postgresql", connection));
            }
            File.Delete(stores[0].Db);
            var measured = new JsonArray();
            foreach (var (name, db) in stores)
            {
                var watch = Stopwatch.StartNew();
                var (log, _) = cli.Step($"{name}: reading the CSV", _ => EventLoader.Load([csv], EventReaderOptions.Default));
                var readSeconds = watch.Elapsed.TotalSeconds;
                IngestReport report;
                double ingestSeconds;
                using (var store = EventStores.Open(db))
                {
                    report = cli.Step($"{name}: storing {log.Count:N0} events", _ => store.Ingest(log, csv, cancellationToken));
                    ingestSeconds = watch.Elapsed.TotalSeconds; // reading and storing the events: what read_csv does
                    store.IngestCampaignDays(campaigns, "generated", cancellationToken);
                    store.ReplaceSegments([.. log.Users.Values.Select(u => new SegmentAssignment(u, (u[^1] & 1) == 0 ? "even" : "odd"))], "parity", cancellationToken);
                }
                log = null!; // the service reads its own snapshot from the store
                // DuckDB copying the rows just stored, from memory into a new table of the same file: what DuckDB itself
                // takes to write this schema's rows, with no file to read, no keys and no anti-join.
                var copySeconds = name == "duckdb" ? cli.Step("duckdb: DuckDB copying the stored rows (the floor)", _ => DuckDbCopyStored(db)) : (double?)null;
                var entry = new JsonObject
                {
                    ["store"] = name,
                    ["read_seconds"] = Math.Round(readSeconds, 3),
                    ["ingest_seconds"] = Math.Round(ingestSeconds, 3),
                    ["store_seconds"] = Math.Round(report.Seconds, 3),
                    ["events_per_second"] = Math.Round(report.Events / ingestSeconds),
                    ["ratio_to_duckdb_read_csv"] = Math.Round(ingestSeconds / (double)result["duckdb_read_csv_seconds"]!, 3),
                };
                if (copySeconds is { } copy)
                    entry["duckdb_copy_of_stored_rows_seconds"] = copy;
                entry["endpoints"] = await MeasureEndpointsAsync(cli, name, db, Math.Max(2, parse.GetValue(requests)), entry, cancellationToken);
                measured.Add(entry);
            }
            result["stores"] = measured;
            if (!cli.Json)
                Show(cli, result);
            BenchReports.Write(cli, parse.GetValue(report), result, Summary(result));
            cli.Result(result);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The report's figures, read from the JSON result: each store's ingest against DuckDB's own read_csv of the same
    /// file (the peer), and each endpoint's warm and new-filter p95 per store against the 300 ms goal of issue #12.
    /// </summary>
    internal static BenchSummary Summary(JsonObject result)
    {
        var peerSeconds = BenchCommand.Num(result["duckdb_read_csv_seconds"]);
        var stores = result["stores"]!.AsArray().Select(n => n!.AsObject()).ToList();
        var figures = stores.Select(st => new BenchFigure($"ingest into {(string)st["store"]!}", $"seconds for {(long)result["events"]!:N0} events",
            BenchCommand.Num(st["ingest_seconds"]), "s", "DuckDB read_csv into a table", peerSeconds, BenchCommand.Num(st["ratio_to_duckdb_read_csv"]))).ToList();
        var measurements = new List<BenchMeasurement>();
        foreach (var (field, kind) in new[] { ("warm_p95_ms", "warm"), ("new_filter_p95_ms", "new filter") })
        {
            var endpoints = stores[0]["endpoints"]!.AsArray().Select(e => (string)e!["endpoint"]!).ToList();
            var groups = stores.Select(st => new BarGroup((string)st["store"]!,
                [.. endpoints.Select(name => BenchCommand.Num(st["endpoints"]!.AsArray().First(e => (string)e!["endpoint"]! == name)![field]))])).ToList();
            measurements.Add(new BenchMeasurement($"p95-{kind.Replace(' ', '-')}", $"p95 latency per endpoint, {kind} calls", "ms", endpoints, groups, 300, "goal 300 ms"));
        }
        return new BenchSummary("bench dashboard",
            "The event store's ingest of one CSV (DuckDB embedded, and PostgreSQL when given) against DuckDB's own read_csv of the same file in the same run, and the dashboard API's latency per endpoint on that store.",
            [BenchReports.Fact("events", (long)result["events"]!), BenchReports.Fact("CSV bytes", (long)result["csv_bytes"]!),
             .. stores.Where(st => st["duckdb_copy_of_stored_rows_seconds"] is not null).Select(st =>
                 BenchReports.Fact("seconds DuckDB takes to copy the stored rows from memory into a new table (the floor of any ingest of this schema)", BenchCommand.Num(st["duckdb_copy_of_stored_rows_seconds"])))],
            figures, measurements);
    }

    private static long WriteCopies(Exania.Events.EventLog source, int copies, string path)
    {
        var log = new Exania.Events.EventLog();
        log.EnsureCapacity((int)Math.Min((long)source.Count * copies, Array.MaxLength));
        for (var c = 0; c < copies; c++)
        {
            var suffix = "~" + c.ToString(CultureInfo.InvariantCulture);
            var shift = (c % 28) * 86_400.0 + (c / 28) * 7.0; // whole days over four weeks, then a few seconds per round
            for (var i = 0; i < source.Count; i++)
            {
                var e = source[i];
                log.Append(e with { UserId = e.UserId + suffix, SessionId = e.SessionId is null ? null : e.SessionId + suffix, Timestamp = e.Timestamp + shift });
            }
        }
        EventCsvWriter.Write(log, path);
        return log.Count;
    }

    private static double DuckDbReadCsv(string csv, string db)
    {
        File.Delete(db);
        using var connection = new DuckDBConnection($"DataSource={db}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE events AS SELECT * FROM read_csv($path, header = true)";
        command.Parameters.Add(new DuckDBParameter("path", csv));
        var watch = Stopwatch.StartNew();
        command.ExecuteNonQuery();
        return Math.Round(watch.Elapsed.TotalSeconds, 3);
    }

    private static double DuckDbCopyStored(string db)
    {
        using var connection = new DuckDBConnection($"DataSource={db}");
        connection.Open();
        using var command = connection.CreateCommand();
        // As the store writes: insertion order not kept, so DuckDB inserts on all threads.
        command.CommandText = "SET preserve_insertion_order = false; CREATE TEMP TABLE exania_bench_source AS SELECT * FROM events";
        command.ExecuteNonQuery();
        command.CommandText = "CREATE TABLE exania_bench_copy AS SELECT * FROM exania_bench_source";
        var watch = Stopwatch.StartNew();
        command.ExecuteNonQuery();
        var seconds = watch.Elapsed.TotalSeconds;
        command.CommandText = "DROP TABLE exania_bench_copy";
        command.ExecuteNonQuery();
        return Math.Round(seconds, 3);
    }

    private static void PostgresReset(string connection)
    {
        using var data = new Npgsql.NpgsqlDataSourceBuilder(connection).Build();
        using var command = data.CreateCommand("DROP TABLE IF EXISTS events, campaign_days, segments, exania_meta");
        command.ExecuteNonQuery();
    }

    private static async Task<JsonArray> MeasureEndpointsAsync(CliOutput cli, string name, string db, int requests, JsonObject entry, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var app = DashboardHost.Build(["--db", db, "--urls", "http://127.0.0.1:0"], quiet: true);
        entry["service_start_seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 3);
        await using var _ = app;
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
        var results = new JsonArray();
        foreach (var endpoint in s_endpoints)
        {
            cli.Info($"[grey]{name}: {Markup.Escape(endpoint)}[/]");
            var separator = endpoint.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            await TimeAsync(client, $"/api/v1/{endpoint}", cancellationToken); // the first call: JIT and the cache
            var warm = new double[requests];
            for (var r = 0; r < requests; r++)
                warm[r] = await TimeAsync(client, $"/api/v1/{endpoint}", cancellationToken);
            // A new date range every call: from the first day to day 1..28 of the copies' four weeks.
            var fresh = new double[requests];
            for (var r = 0; r < requests; r++)
                fresh[r] = await TimeAsync(client, $"/api/v1/{endpoint}{separator}from=2019-10-01&to={new DateOnly(2019, 10, 1).AddDays(r % 28 + 1 + 28 * (r / 28)):yyyy-MM-dd}", cancellationToken);
            results.Add(new JsonObject
            {
                ["endpoint"] = endpoint,
                ["warm_p50_ms"] = Percentile(warm, 0.5),
                ["warm_p95_ms"] = Percentile(warm, 0.95),
                ["new_filter_p50_ms"] = Percentile(fresh, 0.5),
                ["new_filter_p95_ms"] = Percentile(fresh, 0.95),
            });
        }
        await app.StopAsync(cancellationToken);
        return results;
    }

    private static async Task<double> TimeAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync(path, cancellationToken);
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{path}: HTTP {(int)response.StatusCode}");
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>The nearest-rank percentile, rounded to 0.1 ms.</summary>
    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 1);
    }

    private static void Show(CliOutput cli, JsonObject result)
    {
        cli.Info($"{(long)result["events"]!:N0} events ({(long)result["csv_bytes"]! / 1e6:0} MB CSV); DuckDB read_csv {(double)result["duckdb_read_csv_seconds"]!:0.00} s");
        foreach (var store in result["stores"]!.AsArray())
        {
            cli.Info($"[bold]{store!["store"]}[/]: ingest {(double)store["ingest_seconds"]!:0.00} s ({(double)store["events_per_second"]!:N0} events/s, {(double)store["ratio_to_duckdb_read_csv"]!:0.00}× read_csv's time), service start {(double)store["service_start_seconds"]!:0.00} s");
            if (store["duckdb_copy_of_stored_rows_seconds"] is { } copy)
                cli.Info($"DuckDB copying the stored rows from memory into a new table: {(double)copy:0.00} s");
            var table = new Spectre.Console.Table().AddColumns("endpoint", "warm p50 ms", "warm p95 ms", "new filter p50 ms", "new filter p95 ms");
            foreach (var e in store["endpoints"]!.AsArray())
                table.AddRow(Markup.Escape((string)e!["endpoint"]!), $"{(double)e["warm_p50_ms"]!:0.0}", $"{(double)e["warm_p95_ms"]!:0.0}", $"{(double)e["new_filter_p50_ms"]!:0.0}", $"{(double)e["new_filter_p95_ms"]!:0.0}");
            cli.Table(table);
        }
    }
}
