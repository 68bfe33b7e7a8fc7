using System.CommandLine;
using Exania.Core;
using Exania.Store;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania ingest</c>: events in (every format the readers take), stored in the DuckDB event store.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var input = new EventInput();
        var db = new Option<string>("--db") { Description = "DuckDB file of the event store (created when absent).", DefaultValueFactory = _ => "exania.duckdb" };
        var json = CommonOptions.Json();
        var command = new Command("ingest", "Store events in the event store: idempotent (events already stored are skipped and counted) and transactional (all or nothing).");
        input.AddTo(command);
        command.Options.Add(db);
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return Task.FromResult(cli.Run(() =>
            {
                var path = parse.GetValue(db)!;
                CommonOptions.RefuseOverwritingInput(path, "--db", [.. (parse.GetValue(input.Events) ?? []).Select(e => ((string?)e, "--events"))]);
                // Open first: a database held by another process is refused before anything is read.
                using var store = DuckDbEventStore.Open(path);
                var (log, load) = cli.Step("reading events", _ => input.Load(parse, Path.GetFullPath(path + ".rejects.csv")));
                if (log.Count == 0)
                    return cli.Fail($"no events were accepted from {string.Join(", ", parse.GetValue(input.Events)!)} ({load.HumanLine()})", 2);
                var report = cli.Step($"storing {log.Count:N0} events", _ => store.Ingest(log, string.Join(", ", parse.GetValue(input.Events)!), cancellationToken));
                cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                cli.Info($"{report.Inserted:N0} events stored, {report.AlreadyStored:N0} already there; {report.StoredAfter:N0} in {Markup.Escape(path)}");
                var result = ReportJson.ToNode(report);
                result["db"] = path;
                return cli.AnalysisResult("ingest", result, load);
            }));
        });
        return command;
    }
}
