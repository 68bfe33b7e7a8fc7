using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Conversion;
using Exania.Core;
using Exania.Events;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania sessions</c>: events in, one row per session out (prefix features, user history, labels).</summary>
internal static class SessionsCommand
{
    public static Command Create()
    {
        var input = new EventInput(store: true);
        var observe = new Option<string>("--observe")
        {
            Description = "The observed prefix: a duration from the session's first event (60s, 5m, 1h, or seconds), or first-click " +
                          "(up to and including the first click-like event). Features see the prefix; labels what follows.",
            DefaultValueFactory = _ => "60s",
        };
        var conversion = CommonOptions.Conversion();
        var click = CommonOptions.Click();
        var output = new Option<string>("--out") { Description = "Session table to write: CSV, or Parquet for a .parquet path.", Required = true };
        var outFormat = CommonOptions.OutFormat();
        var json = CommonOptions.Json();
        var command = new Command("sessions", "One row per session: features of its observed prefix and of the user's earlier sessions, with conversion and drop-off labels.");
        input.AddTo(command);
        command.Options.Add(observe);
        command.Options.Add(conversion);
        command.Options.Add(click);
        command.Options.Add(output);
        command.Options.Add(outFormat);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var outPath = parse.GetValue(output)!;
                CommonOptions.RefuseOverwritingInput(outPath, "--out", [.. (parse.GetValue(input.Events) ?? []).Select(e => ((string?)e, "--events"))]);
                var options = ParseObserve(parse.GetValue(observe)!) with
                {
                    ConversionActions = CliValues.ParseList(parse.GetValue(conversion)!),
                    ClickActions = CliValues.ParseList(parse.GetValue(click)!),
                };
                options.Validate();
                var total = Stopwatch.StartNew();
                var (log, load) = cli.Step("reading events", _ => input.Load(parse, WindowsCommand.RejectsPathFor(outPath)));
                if (log.Count == 0)
                    return cli.Fail($"no events were accepted from {input.Source(parse)} ({load.HumanLine()})", 2);
                var build = Stopwatch.StartNew();
                var table = SessionTableBuilder.Build(log, options);
                var buildSeconds = CliOutput.Seconds(build);
                var format = DataFileFormats.Resolve(CommonOptions.ParseOutFormat(parse.GetValue(outFormat)), outPath);
                if (format == DataFileFormat.Parquet)
                    SessionParquet.Write(table, outPath);
                else
                    SessionCsv.Write(table, outPath);
                var report = table.Report;

                cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                var summary = new Table().AddColumns("", "value");
                summary.AddRow("sessions", $"{report.Sessions:N0}");
                summary.AddRow("rows", $"{report.Rows:N0} ({report.ConvertedInPrefix:N0} set aside: converted inside the prefix)");
                summary.AddRow("conversion", $"{report.Conversions:N0} ({report.ConversionRate:P2})");
                summary.AddRow("clicked", $"{report.Clicked:N0}");
                summary.AddRow("drop-off", $"{report.Dropoffs:N0} ({report.DropoffPercent:0.##}% of those that clicked)");
                summary.AddRow("features", $"{report.Features}");
                summary.AddRow("output", Markup.Escape(outPath));
                cli.Table(summary);
                var result = ReportJson.ToNode(report);
                result["build_seconds"] = buildSeconds;
                result["seconds"] = CliOutput.Seconds(total);
                result["out"] = outPath;
                result["out_format"] = format == DataFileFormat.Parquet ? "parquet" : "csv";
                return cli.AnalysisResult("sessions", result, load);
            });
        });
        return command;
    }

    /// <summary>A duration (<see cref="CliValues.ParseDuration"/>) or <c>first-click</c>.</summary>
    internal static SessionTableOptions ParseObserve(string text)
    {
        var value = text.Trim().ToLowerInvariant();
        if (value is "first-click" or "first_click")
            return SessionTableOptions.Default with { PrefixEnd = PrefixEnd.FirstClick };
        return SessionTableOptions.Default with { PrefixEnd = PrefixEnd.Duration, ObserveSeconds = CliValues.ParseDuration(text, "--observe") };
    }
}
