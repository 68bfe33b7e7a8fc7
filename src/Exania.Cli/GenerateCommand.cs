using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Campaigns;
using Exania.Events;
using Exania.Features;
using Exania.Synthetic;
using Spectre.Console;
using EventLog = Exania.Events.EventLog;

namespace Exania.Cli;

/// <summary><c>exania generate</c>: synthetic interaction events in the canonical event CSV.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var sessions = new Option<int?>("--sessions") { Description = "Number of sessions to generate." };
        var samples = new Option<int?>("--samples") { Description = "Generate whole sessions until they yield at least this many windows (default window settings)." };
        var users = new Option<int?>("--users") { Description = "Size of the user pool (default: one user per three sessions, at least 1)." };
        var days = new Option<int>("--days") { Description = "Days over which session starts are spread.", DefaultValueFactory = _ => GeneratorOptions.Defaults.Days };
        var seed = CommonOptions.Seed();
        var output = new Option<string>("--out") { Description = "Event CSV to write.", Required = true };
        var json = CommonOptions.Json();
        var command = new Command("generate", "Generate synthetic interaction events (6 user profiles, 9 actions, state-dependent behaviour).")
        {
            sessions, samples, users, days, seed, output, json,
        };
        command.Subcommands.Add(CreateCampaigns());
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var watch = Stopwatch.StartNew();
                var (log, sessionCount) = Generate(cli, parse.GetValue(sessions), parse.GetValue(samples),
                    parse.GetValue(users), parse.GetValue(days), parse.GetValue(seed));
                var outPath = parse.GetValue(output)!;
                EventCsvWriter.Write(log, outPath);
                var seconds = CliOutput.Seconds(watch);
                var clickAds = 0;
                foreach (var a in log.ActionCodes)
                    if (a == KnownActions.ClickAd) clickAds++;
                cli.Info($"generated [bold]{sessionCount:N0}[/] sessions, [bold]{log.Count:N0}[/] events ({clickAds:N0} ad clicks) in {seconds:0.###} s → {Markup.Escape(outPath)}");
                cli.Result(new JsonObject
                {
                    ["command"] = "generate",
                    ["sessions"] = sessionCount,
                    ["users"] = log.Users.Count,
                    ["events"] = log.Count,
                    ["click_ads"] = clickAds,
                    ["seed"] = parse.GetValue(seed),
                    ["seconds"] = seconds,
                    ["out"] = outPath,
                });
                return 0;
            });
        });
        return command;
    }

    /// <summary><c>exania generate campaigns</c>: synthetic campaign-day rows for the ROAS model.</summary>
    private static Command CreateCampaigns()
    {
        var rows = new Option<int>("--rows") { Description = "Campaign-day rows to generate.", DefaultValueFactory = _ => CampaignGeneratorOptions.Default.Rows };
        var missing = new Option<double>("--missing-rate") { Description = "Fraction of feature cells left empty.", DefaultValueFactory = _ => CampaignGeneratorOptions.Default.MissingRate };
        var seed = CommonOptions.Seed();
        var output = new Option<string>("--out") { Description = "Campaign CSV to write.", Required = true };
        var json = CommonOptions.Json();
        var command = new Command("campaigns", "Generate campaign data (ad type x placement, spend saturation, targeting, cold start, ~10% missing).")
        {
            rows, missing, seed, output, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var watch = Stopwatch.StartNew();
                var options = new CampaignGeneratorOptions { Rows = parse.GetValue(rows), MissingRate = parse.GetValue(missing), Seed = parse.GetValue(seed) };
                var table = cli.Step("generating campaigns", _ => CampaignGenerator.Generate(options));
                var outPath = parse.GetValue(output)!;
                CampaignCsvWriter.Write(table, outPath);
                var campaigns = table.Get("campaign_id").Texts!.Distinct().Count();
                var seconds = CliOutput.Seconds(watch);
                cli.Info($"generated [bold]{table.Rows:N0}[/] campaign-days of {campaigns:N0} campaigns in {seconds:0.###} s → {Markup.Escape(outPath)}");
                cli.Result(new JsonObject
                {
                    ["command"] = "generate campaigns",
                    ["rows"] = table.Rows,
                    ["campaigns"] = campaigns,
                    ["columns"] = table.Columns.Count,
                    ["seed"] = options.Seed,
                    ["seconds"] = seconds,
                    ["out"] = outPath,
                });
                return 0;
            });
        });
        return command;
    }

    /// <summary>Generates by sessions or by samples (exactly one of them; sessions default to 3,000).</summary>
    public static (EventLog Log, int Sessions) Generate(CliOutput cli, int? sessions, int? samples, int? users, int days, int seed)
    {
        if (sessions is not null && samples is not null)
            throw new ArgumentException("Give --sessions or --samples, not both.");
        var target = sessions ?? GeneratorOptions.Defaults.Sessions;
        if (sessions is not null && sessions < 1)
            throw new ArgumentException($"--sessions must be at least 1 (got {sessions}).");
        var options = GeneratorOptions.Defaults with
        {
            Seed = seed,
            Days = days,
            // For --samples the session count is unknown up front; ~10 windows per session is the generator's average.
            Users = users ?? Math.Max(1, (samples is { } s ? Math.Max(1, s / 10) : target) / 3),
        };
        options.Validate();
        if (samples is { } wanted)
            return cli.Step("generating sessions", p => SyntheticData.ForSamples(options, wanted, WindowOptions.Default, p));
        return (cli.Step("generating sessions", _ => SyntheticData.ForSessions(options, target)), target);
    }
}
