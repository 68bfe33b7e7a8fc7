using System.CommandLine;
using Exania.Conversion;
using Exania.Core;
using Exania.Events;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania funnel</c>: events in, how far users (or sessions) get through ordered steps.</summary>
internal static class FunnelCommand
{
    public static Command Create()
    {
        var input = new EventInput(store: true);
        var stages = new Option<string>("--stages") { Description = "Comma-separated ordered steps, e.g. view,cart,purchase; a step ending in ? is optional (view,coupon?,purchase).", Required = true };
        var by = new Option<string>("--by") { Description = "Count users (across sessions) or sessions.", DefaultValueFactory = _ => "user" };
        by.AcceptOnlyFromAmong("user", "session");
        var order = new Option<string>("--order")
        {
            Description = "sequential (other events may come between steps), strict (each step the very next event) or any (steps in any order within the window).",
            DefaultValueFactory = _ => "sequential",
        };
        order.AcceptOnlyFromAmong("sequential", "strict", "any");
        var window = new Option<string>("--window") { Description = "Conversion window from the entry event (60s, 2h, 14d, ...).", DefaultValueFactory = _ => "14d" };
        var from = new Option<string?>("--from") { Description = "Count entries from this date or time on (YYYY-MM-DD, ISO date-time or epoch seconds)." };
        var to = new Option<string?>("--to") { Description = "Count entries up to this date (inclusive: a date means through its end) or before this time; later steps may complete after it." };
        var asOf = new Option<string?>("--as-of") { Description = "When the funnel is counted: units whose window is still open then are counted apart, not as drop-offs (default: the last event)." };
        var exclude = new Option<string[]>("--exclude")
        {
            Description = "ACTION:STEP: an ACTION event between STEP and the next step disqualifies the conversion (e.g. remove_from_cart:cart). Repeatable.",
            AllowMultipleArgumentsPerToken = true,
        };
        var breakdown = new Option<string?>("--breakdown") { Description = "Also count per value of this event field: page, category, item_id, campaign_id, ad_type or placement; or segment (with --segments)." };
        var segments = new Option<string?>("--segments") { Description = "segment_assignments.csv of `exania segment --events` for --breakdown segment: each unit counts in its user's segment." };
        var attribution = new Option<string>("--attribution")
        {
            Description = "Which event gives a unit its breakdown value: first (the entry), last (the furthest step done) or a stage name (that step's event).",
            DefaultValueFactory = _ => "first",
        };
        var clean = CommonOptions.Clean();
        var groups = new Option<int>("--groups") { Description = "Breakdown values listed (the rest are added up as (other)).", DefaultValueFactory = _ => 10 };
        var json = CommonOptions.Json();
        var command = new Command("funnel", "Count how far users (or sessions) get through ordered steps, with conversion and drop-off per step and the time to convert.");
        input.AddTo(command);
        foreach (var option in new Option[] { stages, by, order, window, from, to, asOf, exclude, breakdown, segments, attribution, clean, groups, json })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var stepList = FunnelStep.ParseList(parse.GetValue(stages)!);
                var steps = stepList.Select(s => s.Action).ToArray();
                var options = new FunnelOptions
                {
                    Steps = stepList,
                    CountBy = parse.GetValue(by) == "session" ? FunnelUnit.Session : FunnelUnit.User,
                    Order = parse.GetValue(order) switch { "strict" => FunnelOrder.Strict, "any" => FunnelOrder.AnyOrder, _ => FunnelOrder.Sequential },
                    WindowSeconds = CliValues.ParseDuration(parse.GetValue(window)!, "--window"),
                    EntryFrom = parse.GetValue(from) is { } f ? CliValues.ParseInstant(f, "--from") : null,
                    EntryBefore = parse.GetValue(to) is { } t ? CliValues.ParseInstant(t, "--to", endOfDay: true) : null,
                    AsOf = parse.GetValue(asOf) is { } a ? CliValues.ParseInstant(a, "--as-of") : null,
                    Exclusions = [.. (parse.GetValue(exclude) ?? []).Select(e => ParseExclusion(e, steps))],
                    Breakdown = parse.GetValue(breakdown) is { } field
                        ? ParseBreakdown(field, parse.GetValue(attribution)!, steps, parse.GetValue(segments)) with { CleanPatterns = parse.GetValue(clean) ?? [], Top = parse.GetValue(groups) }
                        : null,
                };
                options.Validate();
                var (log, load) = cli.Step("reading events", _ => input.Load(parse, Path.GetFullPath("funnel.rejects.csv")));
                if (log.Count == 0)
                    return cli.Fail($"no events were accepted from {input.Source(parse)} ({load.HumanLine()})", 2);
                var report = Funnel.Count(log, options);

                cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                var table = new Table().AddColumns("step", report.CountBy == FunnelUnit.User ? "users" : "sessions", "from first", "from previous",
                    "in window", "dropped off", "drop-off %", "median time to step");
                foreach (var s in report.Steps)
                    table.AddRow(Markup.Escape(s.Optional ? s.Action + " (optional)" : s.Action), $"{s.Count:N0}", $"{s.ConversionFromFirst:P1}", $"{s.ConversionFromPrevious:P1}", $"{s.InWindow:N0}",
                        $"{s.DroppedOff:N0}", double.IsNaN(s.DropoffPercent) ? "" : $"{s.DropoffPercent:0.#}", Duration(s.MedianSecondsToConvert));
                cli.Table(table);
                if (report.Breakdown is { } b)
                {
                    var by = new Table().Title(b.Property is not { } property ? $"by segment ({b.Groups:N0} values)" : $"by {EventFields.Name(property)} ({b.Attribution switch { FunnelAttribution.FirstStep => "at the entry", FunnelAttribution.LastStep => "at the furthest step", _ => "at " + report.Steps[b.AttributionStep].Action }}; {b.Groups:N0} values)")
                        .AddColumn("value");
                    foreach (var s in report.Steps)
                        by.AddColumn(Markup.Escape(s.Action));
                    by.AddColumn("converted");
                    foreach (var g in b.Shown)
                        by.AddRow([Markup.Escape(g.Value), .. g.Steps.Select(s => $"{s.Count:N0}"), g.Units == 0 ? "" : $"{(double)g.Steps[^1].Count / g.Units:P1}"]);
                    cli.Table(by);
                }
                return cli.AnalysisResult("funnel", ReportJson.ToNode(report), load);
            });
        });
        return command;
    }

    /// <summary>A field and an attribution: <c>first</c>, <c>last</c>, or a stage name.</summary>
    private static FunnelBreakdown ParseBreakdown(string field, string attribution, string[] steps, string? segments)
    {
        if (field.Trim().Equals("segment", StringComparison.OrdinalIgnoreCase))
        {
            if (segments is null)
                throw new ArgumentException("--breakdown segment needs --segments: the segment_assignments.csv written by `exania segment --events ... --out DIR`.");
            return new FunnelBreakdown { UserGroups = SegmentCsv.ReadUserSegments(segments) };
        }
        if (segments is not null)
            throw new ArgumentException("--segments is for --breakdown segment.");
        var property = CliValues.ParseEventField(field, "--breakdown");
        var value = attribution.Trim();
        if (value.Equals("first", StringComparison.OrdinalIgnoreCase))
            return new FunnelBreakdown { Property = property, Attribution = FunnelAttribution.FirstStep };
        if (value.Equals("last", StringComparison.OrdinalIgnoreCase))
            return new FunnelBreakdown { Property = property, Attribution = FunnelAttribution.LastStep };
        var step = Array.IndexOf(steps, value);
        if (step < 0)
            throw new ArgumentException($"--attribution: '{attribution}' is not first, last or one of the stages ({string.Join(", ", steps)}).");
        return new FunnelBreakdown { Property = property, Attribution = FunnelAttribution.Step, AttributionStep = step };
    }

    /// <summary><c>ACTION:STEP</c>, the step named by its action.</summary>
    private static FunnelExclusion ParseExclusion(string text, string[] steps)
    {
        var colon = text.LastIndexOf(':');
        var step = colon > 0 ? Array.IndexOf(steps, text[(colon + 1)..].Trim()) : -1;
        if (colon <= 0 || step < 0)
            throw new ArgumentException($"--exclude: '{text}' is not ACTION:STEP with STEP one of the stages ({string.Join(", ", steps)}), e.g. remove_from_cart:{(steps.Length > 1 ? steps[^2] : "cart")}.");
        return new FunnelExclusion(text[..colon].Trim(), step);
    }

    private static string Duration(double seconds) => double.IsNaN(seconds) ? "" : TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 86_400 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture);
}
