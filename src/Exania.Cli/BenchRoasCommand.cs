using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Exania.Campaigns;
using Exania.Reports;
using Exania.Roas;
using Exania.Trees;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// <c>exania bench roas</c>: the gradient-boosted-trees engine against XGBoost (the peer <c>train_xgb.py</c>) on the
/// same files, the same rows held out (scikit-learn's split, reproduced) and the same hyperparameters, plus a large
/// generated table for time and peak memory.
/// </summary>
internal static class BenchRoasCommand
{
    /// <summary>Columns of the generated table that are outcomes or identifiers, not inputs.</summary>
    private static readonly string[] s_generatedExclude = ["conversions", "conversion_rate", "campaign_id", "date", "start_date"];

    private sealed record Case(string Name, string Source, string Revenue, string Spend, string[] Exclude);

    public static Command Create()
    {
        var peers = new Option<string?>("--peers") { Description = "Folder of the Python peers (train_xgb.py), e.g. ../shared/peers." };
        var datasets = new Option<string?>("--datasets") { Description = "Folder of the shared datasets (online-advertising-performance, facebook-ad-conversions)." };
        var python = new Option<string>("--python") { Description = "Python interpreter for the peer.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var rows = new Option<int>("--rows") { Description = "Generated campaign rows for the side-by-side case.", DefaultValueFactory = _ => 20_000 };
        var largeRows = new Option<int>("--large-rows") { Description = "Rows of the large generated table (0 skips it).", DefaultValueFactory = _ => 1_000_000 };
        var largePeer = new Option<bool>("--large-peer") { Description = "Also run XGBoost on the large table." };
        var rounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 200, Description = "Boosting rounds." };
        var depth = new Option<int>("--max-depth") { DefaultValueFactory = _ => 6, Description = "Tree depth." };
        var eta = new Option<double>("--learning-rate") { DefaultValueFactory = _ => 0.1, Description = "eta." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 2, Description = "Threads for both engines." };
        var splits = new Option<int>("--splits") { DefaultValueFactory = _ => 10, Description = "Random splits (seeds 0..n-1) per case; RMSE on heavy-tailed ROAS moves a lot from one split to the next." };
        var work = new Option<string?>("--work") { Description = "Folder for the benchmark's files (default: a temporary folder)." };
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("roas", "ROAS model: Exania's trees vs XGBoost on the same data; time and memory on a large table.")
        {
            peers, datasets, python, rows, largeRows, largePeer, rounds, depth, eta, threads, splits, work, report, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var folder = parse.GetValue(work) ?? Path.Combine(Path.GetTempPath(), "exania-bench-roas-" + Environment.ProcessId);
                Directory.CreateDirectory(folder);
                var options = new GbtOptions
                {
                    Rounds = parse.GetValue(rounds),
                    MaxDepth = parse.GetValue(depth),
                    LearningRate = parse.GetValue(eta),
                    Threads = parse.GetValue(threads),
                };
                var peerScript = parse.GetValue(peers) is { } p ? Path.Combine(p, "train_xgb.py") : null;
                var py = parse.GetValue(python)!;

                var cases = new List<Case>();
                var generated = Path.Combine(folder, "generated_campaigns.csv");
                CampaignCsvWriter.Write(CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = parse.GetValue(rows), Seed = 1 }), generated);
                cases.Add(new Case("generated", generated, "revenue", "spend", s_generatedExclude));
                if (parse.GetValue(datasets) is { } d)
                {
                    cases.Add(new Case("online-advertising-performance",
                        Path.Combine(d, "online-advertising-performance", "online_advertising_performance_data.csv"),
                        "revenue", "cost", ["post_click_conversions", "post_click_sales_amount"]));
                    cases.Add(new Case("facebook-ad-conversions (conversions per spend)",
                        Path.Combine(d, "facebook-ad-conversions", "KAG_conversion_data.csv"),
                        "Approved_Conversion", "Spent", ["Total_Conversion", "ad_id", "fb_campaign_id"]));
                }

                var results = new JsonArray();
                foreach (var c in cases)
                    results.Add(RunCase(cli, c, folder, options, peerScript, py, Math.Max(1, parse.GetValue(splits))));
                var result = new JsonObject { ["command"] = "bench roas", ["processors"] = Environment.ProcessorCount, ["cases"] = results };
                if (parse.GetValue(largeRows) is > 0 and var large)
                    result["large"] = RunLarge(cli, large, folder, options, parse.GetValue(largePeer) ? peerScript : null, py);
                if (!cli.Json)
                    Show(cli, result);
                BenchReports.Write(cli, parse.GetValue(report), result, Summary(result, options, parse.GetValue(splits), parse.GetValue(rows)));
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    /// <summary>
    /// Writes the case's table with a <c>roas</c> column (empty where spend is not positive), so that both engines read
    /// one file, drop the same rows and split the same way; then trains both.
    /// </summary>
    private static JsonObject RunCase(CliOutput cli, Case c, string folder, GbtOptions options, string? peerScript, string python, int splits)
    {
        var (table, _) = CampaignTableReader.Read(c.Source);
        var derived = WithRoas(table, c.Revenue, c.Spend);
        var path = Path.Combine(folder, string.Concat(c.Name.TakeWhile(ch => ch != ' ')) + "_roas.csv");
        CampaignCsvWriter.Write(derived, path);
        var (read, _) = CampaignTableReader.Read(path);
        // The target rebuilt from the ingredients keeps exactly the rows whose roas cell WithRoas filled, with the same values.
        var roasOptions = new RoasOptions { RevenueColumn = c.Revenue, SpendColumn = c.Spend, Exclude = c.Exclude, Trees = options };
        var data = RoasDataset.Prepare(read, roasOptions);
        var excluded = data.Excluded;
        var drop = string.Join(',', excluded.Where(e => e != RoasTarget.Roas));
        var runs = new JsonArray();
        double rmse = 0, r2 = 0, seconds = 0, linear = 0, peerRmse = 0, peerR2 = 0, peerSeconds = 0;
        for (var seed = 0; seed < splits; seed++)
        {
            var (train, test) = RoasSplit.Split(data, roasOptions with { Seed = seed });
            var ours = RoasTrainer.Train(data, train, test, roasOptions).Report;
            var run = new JsonObject
            {
                ["seed"] = seed,
                ["rmse"] = ours.Rmse,
                ["r2"] = ours.R2,
                ["seconds"] = ours.Seconds,
            };
            rmse += ours.Rmse;
            r2 += ours.R2;
            seconds += ours.Seconds;
            linear += ours.LinearR2;
            if (peerScript is not null)
            {
                var peer = BenchCommand.RunPeer(python, peerScript, "--csv", path, "--target", RoasTarget.Roas, "--drop", drop,
                    "--rounds", options.Rounds.ToString(CultureInfo.InvariantCulture), "--depth", options.MaxDepth.ToString(CultureInfo.InvariantCulture),
                    "--eta", options.LearningRate.ToString(CultureInfo.InvariantCulture), "--threads", options.Threads.ToString(CultureInfo.InvariantCulture),
                    "--seed", seed.ToString(CultureInfo.InvariantCulture));
                run["peer_rmse"] = peer["rmse"]!.DeepClone();
                run["peer_r2"] = peer["r2"]!.DeepClone();
                run["peer_seconds"] = peer["seconds"]!.DeepClone();
                peerRmse += BenchCommand.Num(peer["rmse"]);
                peerR2 += BenchCommand.Num(peer["r2"]);
                peerSeconds += BenchCommand.Num(peer["seconds"]);
            }
            runs.Add(run);
        }
        var result = new JsonObject
        {
            ["case"] = c.Name,
            ["file"] = path,
            ["rows"] = data.Target.Length,
            ["splits"] = splits,
            ["rmse"] = rmse / splits,
            ["r2"] = r2 / splits,
            ["linear_r2"] = linear / splits,
            ["seconds"] = seconds / splits,
            ["runs"] = runs,
        };
        if (peerScript is not null)
        {
            result["peer"] = new JsonObject { ["rmse"] = peerRmse / splits, ["r2"] = peerR2 / splits, ["seconds"] = peerSeconds / splits };
            result["rmse_ratio_vs_peer"] = Math.Round(rmse / peerRmse, 4);
            result["time_ratio_vs_peer"] = Math.Round(seconds / peerSeconds, 3);
        }
        cli.Info($"{Markup.Escape(c.Name)}: done");
        return result;
    }

    private static JsonObject RunLarge(CliOutput cli, int rows, string folder, GbtOptions options, string? peerScript, string python)
    {
        var table = cli.Step($"generating {rows:N0} campaign rows", _ => CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = rows, Seed = 7 }));
        var roasOptions = new RoasOptions { Exclude = s_generatedExclude, Trees = options };
        var data = RoasDataset.Prepare(table, roasOptions);
        var excluded = data.Excluded;
        var (train, test) = RoasSplit.Split(data, roasOptions);
        var before = Process.GetCurrentProcess().PeakWorkingSet64;
        var ours = RoasTrainer.Train(data, train, test, roasOptions).Report;
        using var process = Process.GetCurrentProcess();
        var result = new JsonObject
        {
            ["rows"] = data.Target.Length,
            ["train_rows"] = train.Length,
            ["rmse"] = ours.Rmse,
            ["r2"] = ours.R2,
            ["seconds"] = ours.Seconds,
            ["peak_working_set_mb"] = Math.Round(process.PeakWorkingSet64 / 1048576.0, 1),
            ["peak_working_set_before_training_mb"] = Math.Round(before / 1048576.0, 1),
        };
        if (peerScript is not null)
        {
            var path = Path.Combine(folder, "large_campaigns.csv");
            CampaignCsvWriter.Write(table, path);
            var drop = string.Join(',', excluded.Where(e => e != RoasTarget.Roas));
            var peer = BenchCommand.RunPeer(python, peerScript, "--csv", path, "--target", RoasTarget.Roas, "--drop", drop,
                "--rounds", options.Rounds.ToString(CultureInfo.InvariantCulture), "--depth", options.MaxDepth.ToString(CultureInfo.InvariantCulture),
                "--eta", options.LearningRate.ToString(CultureInfo.InvariantCulture), "--threads", options.Threads.ToString(CultureInfo.InvariantCulture));
            result["peer"] = peer;
            result["time_ratio_vs_peer"] = Math.Round(ours.Seconds / BenchCommand.Num(peer["seconds"]), 3);
        }
        return result;
    }

    /// <summary>The table with a roas column from <see cref="RoasTarget"/> (empty where roas is undefined), for the peer to read.</summary>
    private static CampaignTable WithRoas(CampaignTable table, string revenue, string spend)
    {
        var target = RoasTarget.Build(table, RoasTarget.Roas, revenue, spend);
        var roas = new double[table.Rows];
        Array.Fill(roas, double.NaN);
        for (var i = 0; i < target.KeptRows.Length; i++)
            roas[target.KeptRows[i]] = target.Values[i];
        return new CampaignTable(table.Columns.Where(c => c.Name != RoasTarget.Roas).Append(Exania.Campaigns.TableColumn.Numeric(RoasTarget.Roas, roas)).ToList());
    }


    /// <summary>The report's figures, read from the JSON result: training seconds and held-out RMSE of each case.</summary>
    internal static BenchSummary Summary(JsonObject result, GbtOptions options, int splits, int rows)
    {
        var figures = new List<BenchFigure>();
        foreach (var node in result["cases"]!.AsArray())
        {
            var c = node!.AsObject();
            var peer = c["peer"]?.AsObject();
            figures.Add(new BenchFigure((string)c["case"]!, $"training seconds (mean of {(int)c["splits"]!} splits)", BenchCommand.Num(c["seconds"]), "s", "XGBoost",
                BenchReports.Optional(peer?["seconds"]), BenchReports.Optional(c["time_ratio_vs_peer"]),
                new BenchQuality("RMSE", BenchCommand.Num(c["rmse"]), BenchReports.Optional(peer?["rmse"]), HigherIsBetter: false)));
        }
        if (result["large"] is JsonObject large)
        {
            var peer = large["peer"]?.AsObject();
            figures.Add(new BenchFigure($"generated, large ({(int)large["rows"]!:N0} rows)", "training seconds (one split)", BenchCommand.Num(large["seconds"]), "s", "XGBoost",
                BenchReports.Optional(peer?["seconds"]), BenchReports.Optional(large["time_ratio_vs_peer"]),
                new BenchQuality("RMSE", BenchCommand.Num(large["rmse"]), BenchReports.Optional(peer?["rmse"]), HigherIsBetter: false)));
        }
        return new BenchSummary("bench roas",
            "Exania's gradient-boosted trees against XGBoost (train_xgb.py) on the same files, the same held-out rows (scikit-learn's split, reproduced) and the same hyperparameters; times are the tree-growing seconds of each engine, RMSE is on the held-out rows.",
            [
                BenchReports.Fact("rounds", options.Rounds), BenchReports.Fact("max depth", options.MaxDepth), BenchReports.Fact("learning rate", options.LearningRate),
                BenchReports.Fact("threads", options.Threads), BenchReports.Fact("splits", splits), BenchReports.Fact("generated rows", rows),
            ], figures);
    }

    private static void Show(CliOutput cli, JsonObject result)
    {
        var table = new Table().Title("exania bench roas").AddColumns("case", "rows", "RMSE exania / XGBoost", "R² exania / XGBoost", "train s exania / XGBoost", "RMSE ratio", "time ratio");
        foreach (var node in result["cases"]!.AsArray())
        {
            var c = node!.AsObject();
            var p = c["peer"]?.AsObject();
            table.AddRow(Markup.Escape((string)c["case"]!), $"{(int)c["rows"]!:N0}",
                $"{(double)c["rmse"]!:0.####} / {(p is null ? "" : BenchCommand.Num(p["rmse"]).ToString("0.####", CultureInfo.InvariantCulture))}",
                $"{(double)c["r2"]!:0.####} / {(p is null ? "" : BenchCommand.Num(p["r2"]).ToString("0.####", CultureInfo.InvariantCulture))}",
                $"{(double)c["seconds"]!:0.###} / {(p is null ? "" : BenchCommand.Num(p["seconds"]).ToString("0.###", CultureInfo.InvariantCulture))}",
                c["rmse_ratio_vs_peer"]?.ToString() ?? "", c["time_ratio_vs_peer"]?.ToString() ?? "");
        }
        if (result["large"] is JsonObject large)
            table.AddRow($"generated, large", $"{(int)large["rows"]!:N0}", $"{(double)large["rmse"]!:0.####}", $"{(double)large["r2"]!:0.####}",
                $"{(double)large["seconds"]!:0.###}", "", large["time_ratio_vs_peer"]?.ToString() ?? $"peak {large["peak_working_set_mb"]} MB");
        cli.Table(table);
    }
}
