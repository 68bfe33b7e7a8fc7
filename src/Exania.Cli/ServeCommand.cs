using System.CommandLine;
using Exania.Server;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania serve</c>: the dashboard and its JSON API over the event store (Exania.Server), until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "The event store: a DuckDB file, or a PostgreSQL connection string (Host=...;Database=...).", DefaultValueFactory = _ => "exania.duckdb" };
        var models = new Option<string?>("--models") { Description = "Folder with the models: click_model.json, sequence_model.json, conversion_model.json (live scoring and predict), roas_model.json (also the ad-spend page)." };
        var urls = new Option<string>("--urls") { Description = "Address to listen on; loopback unless you name another.", DefaultValueFactory = _ => DashboardHost.DefaultUrl };
        var siteKeys = new Option<string?>("--site-keys") { Description = "Comma-separated keys the live scoring and predict endpoints accept in X-Api-Key (default: open)." };
        var corsOrigins = new Option<string?>("--cors-origins") { Description = "Comma-separated origins whose pages may call the live endpoints (CORS)." };
        var rateLimit = new Option<int?>("--rate-limit") { Description = "Live requests per second per key (or client address); 0 = no limit. Default 50000." };
        var ttl = new Option<double?>("--session-ttl-minutes") { Description = "Idle minutes after which a live session is forgotten. Default 30." };
        var maxSessions = new Option<int?>("--max-sessions") { Description = "Most live sessions held (least recently used evicted). Default 1000000." };
        var storeLive = new Option<bool?>("--store-live-events") { Description = "Store live events in --db (batched write-behind). Default true." };
        var storeThreads = new Option<int?>("--store-threads") { Description = "DuckDB's threads in the service; 0 = one per processor. Default 1, so that writes leave the other cores to requests." };
        var storeMemory = new Option<int?>("--store-memory-mb") { Description = "DuckDB's memory limit in the service, in MiB; 0 = DuckDB's default (80% of the RAM). Its cache of the store grows to this limit." };
        var cluster = new Option<string?>("--cluster") { Description = "Join a cluster: the PostgreSQL database (Host=...;Database=...;Username=...) holding membership and live session state. Without it the node is alone and keeps sessions in memory." };
        var siloAddress = new Option<string?>("--silo-address") { Description = "Cluster: the IP address this node listens on and announces to the others. Default 127.0.0.1." };
        var siloPort = new Option<int?>("--silo-port") { Description = "Cluster: the port for node-to-node traffic. Default 11111." };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = "Cluster: the port for Orleans clients. Default 30000." };
        var command = new Command("serve", "Serve the analytics dashboard and its JSON API over the event store, and score live sessions with the models in --models.")
        {
            db, models, urls, siteKeys, corsOrigins, rateLimit, ttl, maxSessions, storeLive, storeThreads, storeMemory, cluster, siloAddress, siloPort, gatewayPort,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var cli = new CliOutput(json: false);
            var path = parse.GetValue(db)!;
            if (!Exania.Store.EventStores.IsPostgreSql(path) && !File.Exists(path))
                return cli.Fail($"The event store '{path}' does not exist; fill it first with `exania ingest --events events.csv --db {path}`.", 2);
            List<string> args = ["--db", path, "--urls", parse.GetValue(urls)!];
            if (parse.GetValue(models) is { } folder)
                args.AddRange(["--models", folder]);
            void Pass(string name, object? value)
            {
                if (value is not null)
                    args.AddRange([name, value is bool b ? (b ? "true" : "false") : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!]);
            }
            Pass("--site-keys", parse.GetValue(siteKeys));
            Pass("--cors-origins", parse.GetValue(corsOrigins));
            Pass("--rate-limit", parse.GetValue(rateLimit));
            Pass("--session-ttl-minutes", parse.GetValue(ttl));
            Pass("--max-sessions", parse.GetValue(maxSessions));
            Pass("--store-live-events", parse.GetValue(storeLive));
            Pass("--store-threads", parse.GetValue(storeThreads));
            Pass("--store-memory-mb", parse.GetValue(storeMemory));
            Pass("--cluster", parse.GetValue(cluster));
            Pass("--silo-address", parse.GetValue(siloAddress));
            Pass("--silo-port", parse.GetValue(siloPort));
            Pass("--gateway-port", parse.GetValue(gatewayPort));
            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = DashboardHost.Build([.. args]);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
            {
                return cli.Fail(e.Message, 2);
            }
            catch (Npgsql.NpgsqlException e)
            {
                return cli.Fail($"The cluster database cannot be reached: {e.Message}", 1);
            }
            await using (app)
            {
                cli.Info($"dashboard at [link]{Markup.Escape(parse.GetValue(urls)!)}[/] over {Markup.Escape(path)}{(parse.GetValue(cluster) is null ? "" : ", cluster node")} (Ctrl+C stops)");
                await app.StartAsync(cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken); // Ctrl+C or SIGTERM: the host stops cleanly
            }
            return 0;
        });
        return command;
    }
}
