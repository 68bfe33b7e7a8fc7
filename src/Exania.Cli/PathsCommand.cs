using System.CommandLine;
using Exania.Conversion;
using Exania.Core;
using Exania.Events;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania paths</c>: the most frequent paths to a conversion and to abandonment.</summary>
internal static class PathsCommand
{
    public static Command Create()
    {
        var input = new EventInput(store: true);
        var length = new Option<int>("--length") { Description = "Most events in a path (after collapsing repeats).", DefaultValueFactory = _ => PathOptions.Default.Length };
        var by = new Option<string>("--by") { Description = "Paths of sessions, or of users across sessions.", DefaultValueFactory = _ => "session" };
        by.AcceptOnlyFromAmong("session", "user");
        var field = new Option<string>("--field") { Description = "What a path is made of: action, page, category, item_id, campaign_id, ad_type or placement.", DefaultValueFactory = _ => "action" };
        var conversion = CommonOptions.Conversion();
        var after = new Option<string?>("--after") { Description = "Only units with this action; the path is what follows its first occurrence (e.g. cart: paths after carting, to purchase or drop-off)." };
        var clean = CommonOptions.Clean();
        var keepRepeats = new Option<bool>("--keep-repeats") { Description = "Do not collapse consecutive repeats of a value." };
        var top = new Option<int>("--top") { Description = "Paths listed per ranking.", DefaultValueFactory = _ => 10 };
        var json = CommonOptions.Json();
        var command = new Command("paths", "The most frequent paths (last events) that lead to a conversion and that end in abandonment, with counts and conversion rates.");
        input.AddTo(command);
        foreach (var option in new Option[] { length, by, field, conversion, after, clean, keepRepeats, top, json })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var options = new PathOptions
                {
                    Length = parse.GetValue(length),
                    CountBy = parse.GetValue(by) == "user" ? FunnelUnit.User : FunnelUnit.Session,
                    Field = CliValues.ParseEventField(parse.GetValue(field)!, "--field"),
                    ConversionActions = CliValues.ParseList(parse.GetValue(conversion)!),
                    AfterAction = parse.GetValue(after),
                    CleanPatterns = parse.GetValue(clean) ?? [],
                    CollapseRepeats = !parse.GetValue(keepRepeats),
                    Top = parse.GetValue(top),
                };
                options.Validate();
                var (log, load) = cli.Step("reading events", _ => input.Load(parse, Path.GetFullPath("paths.rejects.csv")));
                if (log.Count == 0)
                    return cli.Fail($"no events were accepted from {input.Source(parse)} ({load.HumanLine()})", 2);
                var report = Paths.Count(log, options);

                cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                cli.Info($"{report.WithPath:N0} of {report.Units:N0} {(options.CountBy == FunnelUnit.User ? "users" : "sessions")} have a path: " +
                         $"{report.Converted:N0} converted, {report.Abandoned:N0} abandoned; {report.DistinctPaths:N0} distinct paths");
                Show(cli, "most frequent paths", report.Top);
                Show(cli, "paths to a conversion", report.TopConverting);
                Show(cli, "paths to abandonment", report.TopAbandoning);
                return cli.AnalysisResult("paths", ReportJson.ToNode(report), load);
            });
        });
        return command;
    }

    private static void Show(CliOutput cli, string title, IReadOnlyList<PathCount> paths)
    {
        var table = new Table().Title(title).AddColumns("path", "units", "converted", "abandoned", "conversion rate");
        foreach (var p in paths)
            table.AddRow(Markup.Escape(string.Join(" → ", p.Steps)), $"{p.Units:N0}", $"{p.Conversions:N0}", $"{p.Abandonments:N0}", $"{p.ConversionRate:P1}");
        cli.Table(table);
    }
}
