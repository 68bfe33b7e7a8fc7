using System.CommandLine;
using System.Text.Json.Nodes;
using Exania.Campaigns;
using Exania.Conversion;
using Exania.Core;
using Exania.Store;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// <c>exania ingest</c>: events in (every format the readers take), campaign-day tables and segment assignments,
/// stored in the event store (a DuckDB file, or PostgreSQL given a connection string).
/// </summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var input = new EventInput(eventsOptional: true);
        var db = new Option<string>("--db") { Description = "The event store: a DuckDB file (created when absent) or a PostgreSQL connection string (Host=...;Database=...).", DefaultValueFactory = _ => "exania.duckdb" };
        var campaigns = new Option<string?>("--campaigns") { Description = "A campaign-day table (CSV or JSON Lines: campaign_id, date, spend, revenue; ad_type, placement, impressions, clicks, conversions and any other columns kept)." };
        var campaignMap = new Option<string?>("--campaign-map") { Description = "Renames for --campaigns, canonical=source (e.g. spend=cost,date=day)." };
        var segments = new Option<string?>("--segments") { Description = "segment_assignments.csv of `exania segment --events`: replaces the stored segmentation." };
        var json = CommonOptions.Json();
        var command = new Command("ingest", "Store events, campaign-day tables or segment assignments in the event store: idempotent (rows already stored are skipped and counted) and transactional (all or nothing).");
        input.AddTo(command);
        foreach (var option in new Option[] { db, campaigns, campaignMap, segments, json })
            command.Options.Add(option);
        command.SetAction((parse, cancellationToken) =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return Task.FromResult(cli.Run(() =>
            {
                var path = parse.GetValue(db)!;
                var eventFiles = parse.GetValue(input.Events) ?? [];
                var campaignFile = parse.GetValue(campaigns);
                var segmentFile = parse.GetValue(segments);
                if (eventFiles.Length == 0 && campaignFile is null && segmentFile is null)
                    return cli.Fail("nothing to store: give --events, --campaigns or --segments", 2);
                var isPostgres = EventStores.IsPostgreSql(path);
                if (!isPostgres)
                    CommonOptions.RefuseOverwritingInput(path, "--db", [.. eventFiles.Select(e => ((string?)e, "--events")), (campaignFile, "--campaigns"), (segmentFile, "--segments")]);
                // Open first: a database held by another process is refused before anything is read.
                using var store = EventStores.Open(path);
                var result = new JsonObject { ["command"] = "ingest", ["db"] = store.Source };
                Exania.Events.EventLoadReport? load = null;
                if (eventFiles.Length > 0)
                {
                    var rejects = isPostgres ? Path.GetFullPath("exania-ingest.rejects.csv") : Path.GetFullPath(path + ".rejects.csv");
                    var (log, report) = cli.Step("reading events", _ => input.Load(parse, rejects));
                    load = report;
                    if (log.Count == 0)
                        return cli.Fail($"no events were accepted from {string.Join(", ", eventFiles)} ({report.HumanLine()})", 2);
                    var stored = cli.Step($"storing {log.Count:N0} events", _ => store.Ingest(log, string.Join(", ", eventFiles), cancellationToken));
                    cli.Info($"[grey]{Markup.Escape(report.HumanLine())}[/]");
                    cli.Info($"{stored.Inserted:N0} events stored, {stored.AlreadyStored:N0} already there; {stored.StoredAfter:N0} in {Markup.Escape(store.Source)}");
                    result["events"] = ReportJson.ToNode(stored);
                }
                if (campaignFile is not null)
                {
                    var readOptions = new CampaignReadOptions { ColumnMap = CampaignReadOptions.ParseColumnMap(parse.GetValue(campaignMap)) };
                    var (table, summary) = cli.Step("reading campaign days", _ => CampaignTableReader.Read(campaignFile, readOptions));
                    var rows = CampaignDay.FromTable(table, Path.GetFileName(campaignFile));
                    var stored = cli.Step($"storing {rows.Count:N0} campaign days", _ => store.IngestCampaignDays(rows, campaignFile, cancellationToken));
                    cli.Info($"{stored.Inserted:N0} campaign days stored, {stored.AlreadyStored:N0} already there; {stored.StoredAfter:N0} in the store");
                    result["campaign_days"] = ReportJson.ToNode(stored);
                    result["campaign_rows_read"] = summary.RowsRead;
                }
                if (segmentFile is not null)
                {
                    var assignments = SegmentCsv.ReadUserSegments(segmentFile).Select(p => new SegmentAssignment(p.Key, p.Value)).ToList();
                    var stored = store.ReplaceSegments(assignments, segmentFile, cancellationToken);
                    cli.Info($"{stored.Stored:N0} segment assignments stored (replacing {stored.Replaced:N0})");
                    result["segments"] = ReportJson.ToNode(stored);
                }
                if (load is not null)
                    return cli.AnalysisResult("ingest", result, load);
                cli.Result(result);
                return 0;
            }));
        });
        return command;
    }
}
