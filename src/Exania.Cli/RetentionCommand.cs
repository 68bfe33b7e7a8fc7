using System.CommandLine;
using System.Globalization;
using Exania.Conversion;
using Exania.Core;
using Exania.Events;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania retention</c>: events in, a cohort table of users coming back.</summary>
internal static class RetentionCommand
{
    public static Command Create()
    {
        var input = new EventInput(store: true);
        var start = new Option<string?>("--start") { Description = "Action that puts a user in a cohort (its first occurrence); any event when left out." };
        var comeback = new Option<string?>("--return") { Description = "Action that counts as a return; any event when left out." };
        var period = new Option<string>("--period") { Description = "day or week (UTC calendar periods; weeks start on Monday).", DefaultValueFactory = _ => "day" };
        period.AcceptOnlyFromAmong("day", "week");
        var periods = new Option<int>("--periods") { Description = "Periods after the start one to report.", DefaultValueFactory = _ => 7 };
        var mode = new Option<string>("--mode")
        {
            Description = "on (a return in period k itself) or on-or-after (a return in period k or later: unbounded retention).",
            DefaultValueFactory = _ => "on",
        };
        mode.AcceptOnlyFromAmong("on", "on-or-after");
        var asOf = new Option<string?>("--as-of") { Description = "When the table is counted: a period enters the totals once it has ended (default: the last event)." };
        var json = CommonOptions.Json();
        var command = new Command("retention", "Cohorts of users by the period of their first start event, and how many return in each later period.");
        input.AddTo(command);
        foreach (var option in new Option[] { start, comeback, period, periods, mode, asOf, json })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var options = new RetentionOptions
                {
                    StartAction = parse.GetValue(start),
                    ReturnAction = parse.GetValue(comeback),
                    Period = parse.GetValue(period) == "week" ? RetentionPeriod.Week : RetentionPeriod.Day,
                    Periods = parse.GetValue(periods),
                    Mode = parse.GetValue(mode) == "on-or-after" ? RetentionMode.OnOrAfter : RetentionMode.On,
                    AsOf = parse.GetValue(asOf) is { } a ? CliValues.ParseInstant(a, "--as-of") : null,
                };
                options.Validate();
                var (log, load) = cli.Step("reading events", _ => input.Load(parse, Path.GetFullPath("retention.rejects.csv")));
                if (log.Count == 0)
                    return cli.Fail($"no events were accepted from {input.Source(parse)} ({load.HumanLine()})", 2);
                var report = Retention.Compute(log, options);

                cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                var table = new Table().AddColumn("cohort").AddColumn("users");
                for (var k = 0; k <= options.Periods; k++)
                    table.AddColumn($"{k}");
                foreach (var cohort in report.Cohorts)
                {
                    var cells = new List<string>
                    {
                        DateTimeOffset.FromUnixTimeSeconds((long)cohort.Start).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        $"{cohort.Users:N0}",
                    };
                    for (var k = 0; k <= options.Periods; k++)
                        cells.Add(cohort.Ended[k] ? $"{(double)cohort.Retained[k] / cohort.Users:P0}" : "");
                    table.AddRow([.. cells]);
                }
                table.AddRow(["all", "", .. report.Rate.Select(r => double.IsNaN(r) ? "" : $"{r:P1}")]);
                cli.Table(table);
                return cli.AnalysisResult("retention", ReportJson.ToNode(report), load);
            });
        });
        return command;
    }
}
