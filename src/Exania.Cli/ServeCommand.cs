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
        var models = new Option<string?>("--models") { Description = "Folder with roas_model.json (`exania train roas --out`), for the ad-spend page's model panels." };
        var urls = new Option<string>("--urls") { Description = "Address to listen on; loopback unless you name another.", DefaultValueFactory = _ => DashboardHost.DefaultUrl };
        var command = new Command("serve", "Serve the analytics dashboard (overview, click behaviour, ad spend, segmentation) and its JSON API over the event store.") { db, models, urls };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var cli = new CliOutput(json: false);
            var path = parse.GetValue(db)!;
            if (!Exania.Store.EventStores.IsPostgreSql(path) && !File.Exists(path))
                return cli.Fail($"The event store '{path}' does not exist; fill it first with `exania ingest --events events.csv --db {path}`.", 2);
            List<string> args = ["--db", path, "--urls", parse.GetValue(urls)!];
            if (parse.GetValue(models) is { } folder)
                args.AddRange(["--models", folder]);
            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = DashboardHost.Build([.. args]);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
            {
                return cli.Fail(e.Message, 2);
            }
            await using (app)
            {
                cli.Info($"dashboard at [link]{Markup.Escape(parse.GetValue(urls)!)}[/] over {Markup.Escape(path)} (Ctrl+C stops)");
                await app.StartAsync(cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken); // Ctrl+C or SIGTERM: the host stops cleanly
            }
            return 0;
        });
        return command;
    }
}
