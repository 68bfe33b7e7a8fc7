using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Exania.Campaigns;
using Exania.Conversion;
using Exania.Events;
using Exania.Reports;
using Spectre.Console;
using TableColumn = Exania.Campaigns.TableColumn;

namespace Exania.Cli;

/// <summary>
/// <c>exania bench segment</c>: Exania's k-means against scikit-learn's (the peer <c>kmeans.py</c>) on the same
/// matrices, in the same run: each case's features after log1p (where flagged) are written to a comma CSV that the peer
/// standardizes and clusters itself, while Exania standardizes and clusters the same doubles in memory. Both use
/// k-means++ with 10 restarts, at most 300 steps and tolerance 1e-4; the times cover scaling and fitting only, best of
/// <c>--repeat</c> runs each (Exania's first, JIT included, is reported too).
/// </summary>
internal static class BenchSegmentCommand
{
    private sealed record Case(string Name, SegmentData Data, int[] Ks);

    public static Command Create()
    {
        var peers = new Option<string?>("--peers") { Description = "Folder of the Python peers (kmeans.py), e.g. ../shared/peers." };
        var datasets = new Option<string?>("--datasets") { Description = "Folder of the shared datasets (wholesale-customers, taobao-userbehavior-sample, rees46-ecommerce-sample)." };
        var python = new Option<string>("--python") { Description = "Python interpreter for the peer.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var rows = new Option<int>("--rows") { Description = "Rows of a generated table (10 columns, 8 blobs) clustered with k = 8 (0 skips it).", DefaultValueFactory = _ => 100_000 };
        var repeat = new Option<int>("--repeat") { Description = "Timed repetitions of Exania's fit after the first, and runs of the peer (the best of each is reported).", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Exania's worker threads (0: all processors; scikit-learn uses all).", DefaultValueFactory = _ => 0 };
        var work = new Option<string?>("--work") { Description = "Folder for the benchmark's files (default: a temporary folder)." };
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("segment", "k-means segmentation: Exania vs scikit-learn on the same matrices (inertia and time, same run).")
        {
            peers, datasets, python, rows, repeat, threads, work, report, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var folder = parse.GetValue(work) ?? Path.Combine(Path.GetTempPath(), "exania-bench-segment-" + Environment.ProcessId);
                Directory.CreateDirectory(folder);
                var peerScript = parse.GetValue(peers) is { } p ? Path.Combine(p, "kmeans.py") : null;
                var cases = new List<Case>();
                if (parse.GetValue(datasets) is { } d)
                    cases.AddRange(RealCases(d));
                if (parse.GetValue(rows) is > 0 and var n)
                    cases.Add(new Case($"generated {n:N0} × 10", Generated(n), [8]));
                if (cases.Count == 0)
                    throw new ArgumentException("Nothing to measure: give --datasets and/or --rows above 0.");
                var results = new JsonArray();
                foreach (var c in cases)
                    foreach (var k in c.Ks)
                        results.Add(RunCase(cli, c, k, folder, peerScript, parse.GetValue(python)!, Math.Max(1, parse.GetValue(repeat)), parse.GetValue(threads)));
                var result = new JsonObject { ["command"] = "bench segment", ["processors"] = Environment.ProcessorCount, ["cases"] = results };
                if (!cli.Json)
                    Show(cli, result);
                BenchReports.Write(cli, parse.GetValue(report), result, Summary(result, Math.Max(1, parse.GetValue(repeat)), parse.GetValue(threads)));
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    private static IEnumerable<Case> RealCases(string datasets)
    {
        var wholesale = CampaignTableReader.Read(Path.Combine(datasets, "wholesale-customers", "Wholesale customers data.csv"),
            new CampaignReadOptions { Delimiter = ';' }).Table;
        yield return new Case("wholesale (log1p spending)",
            SegmentData.FromTable(wholesale, ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"], log1p: true), [2, 3, 4, 5, 6]);
        var taobao = new EventReaderOptions { HasHeader = false, ColumnNames = ["user_id", "item_id", "category", "action", "timestamp"] };
        yield return new Case("Taobao users", Users(Path.Combine(datasets, "taobao-userbehavior-sample", "UserBehavior.csv"), taobao), [4, 6]);
        var rees46 = new EventReaderOptions
        {
            ColumnMap = EventReaderOptions.ParseColumnMap("timestamp=event_time,action=event_type,item_id=product_id,category=category_id,session_id=user_session,revenue=price"),
        };
        yield return new Case("REES46 users", Users(Path.Combine(datasets, "rees46-ecommerce-sample", "2019-Oct-head.csv"), rees46), [4, 6]);
    }

    private static SegmentData Users(string path, EventReaderOptions options)
    {
        var (log, _) = EventLoader.Load([path], options, Path.Combine(Path.GetTempPath(), "exania-bench-segment.rejects.csv"));
        return SegmentData.FromUsers(UserFeatures.Build(log));
    }

    /// <summary>Eight Gaussian blobs in 10 dimensions (centres in [-5, 5], unit spread), seed 1.</summary>
    private static SegmentData Generated(int rows)
    {
        const int columns = 10, blobs = 8;
        var random = new Random(1);
        var centres = new double[blobs * columns];
        for (var i = 0; i < centres.Length; i++)
            centres[i] = random.NextDouble() * 10 - 5;
        var table = new double[columns][];
        for (var c = 0; c < columns; c++)
            table[c] = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            var blob = random.Next(blobs);
            for (var c = 0; c < columns; c++)
            {
                // Box-Muller: a standard normal from two uniforms.
                var gauss = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                table[c][r] = centres[blob * columns + c] + gauss;
            }
        }
        var campaign = new CampaignTable([.. Enumerable.Range(0, columns).Select(c => TableColumn.Numeric($"x{c}", table[c]))]);
        return SegmentData.FromTable(campaign, null, log1p: false);
    }

    private static JsonObject RunCase(CliOutput cli, Case c, int k, string folder, string? peerScript, string python, int repeats, int threads)
    {
        // The features Segmentation keeps (constant user features are left out; the peer would scale them to zeros).
        var report = Segmentation.Fit(c.Data, new SegmentationOptions { K = k, KMeans = KMeansOptions.Default with { Threads = threads } }).Report;
        var features = report.Features;
        var flags = features.Select(f => report.Log1pFeatures.Contains(f)).ToList();
        var matrix = c.Data.Transformed(features, flags);
        var d = features.Count;
        var options = KMeansOptions.Default with { K = k, Threads = threads };

        var first = 0.0;
        var best = double.MaxValue;
        KMeansResult fit = null!;
        double[] z = [];
        for (var i = 0; i <= repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            (_, z) = Segmentation.Standardize(matrix, d);
            fit = KMeans.Fit(z, d, options);
            var seconds = watch.Elapsed.TotalSeconds;
            if (i == 0) first = seconds;
            else best = Math.Min(best, seconds);
        }
        var silhouetteWatch = Stopwatch.StartNew();
        var silhouette = KMeans.Silhouette(z, d, fit.Assignments, k, 5000, 0, threads);
        var silhouetteSeconds = silhouetteWatch.Elapsed.TotalSeconds;
        var result = new JsonObject
        {
            ["case"] = c.Name,
            ["rows"] = c.Data.Rows,
            ["columns"] = d,
            ["k"] = k,
            ["inertia"] = Math.Round(fit.Inertia, 4),
            ["iterations"] = fit.Iterations,
            ["silhouette"] = Math.Round(silhouette, 5),
            ["first_seconds"] = Math.Round(first, 4),
            ["best_seconds"] = Math.Round(best, 4),
            ["silhouette_seconds"] = Math.Round(silhouetteSeconds, 4),
        };
        if (peerScript is not null)
        {
            var path = Path.Combine(folder, $"{string.Concat(c.Name.Where(char.IsAsciiLetterOrDigit))}_k{k}.csv");
            CampaignCsvWriter.Write(new CampaignTable([.. Enumerable.Range(0, d).Select(f =>
                TableColumn.Numeric(features[f], [.. Enumerable.Range(0, c.Data.Rows).Select(r => matrix[r * d + f])]))]), path);
            // The peer's fit time moves several-fold between runs on a busy machine (OpenMP threads): its best of the same
            // number of runs as Exania's timed ones is kept, so that the ratio does not flatter Exania.
            JsonObject peer = null!;
            for (var i = 0; i < repeats; i++)
            {
                var run = BenchCommand.RunPeer(python, peerScript, "--csv", path, "--k", k.ToString(CultureInfo.InvariantCulture), "--columns", string.Join(',', features));
                if (peer is null || BenchCommand.Num(run["seconds"]) < BenchCommand.Num(peer["seconds"]))
                    peer = run;
            }
            peer["runs"] = repeats;
            result["peer"] = peer;
            result["inertia_ratio_vs_peer"] = Math.Round(fit.Inertia / BenchCommand.Num(peer["inertia"]), 5);
            result["time_ratio_vs_peer"] = Math.Round(best / BenchCommand.Num(peer["seconds"]), 3);
            result["first_time_ratio_vs_peer"] = Math.Round(first / BenchCommand.Num(peer["seconds"]), 3);
        }
        cli.Info($"{Markup.Escape(c.Name)}, k = {k}: done");
        return result;
    }

    /// <summary>The report's figures, read from the JSON result: the best fit time and the inertia of each case and k.</summary>
    internal static BenchSummary Summary(JsonObject result, int repeats, int threads)
    {
        var figures = new List<BenchFigure>();
        foreach (var node in result["cases"]!.AsArray())
        {
            var c = node!.AsObject();
            var peer = c["peer"]?.AsObject();
            figures.Add(new BenchFigure($"{(string)c["case"]!}, k = {(int)c["k"]!}", $"fit seconds (best of {repeats})", BenchCommand.Num(c["best_seconds"]), "s",
                "scikit-learn KMeans", BenchReports.Optional(peer?["seconds"]), BenchReports.Optional(c["time_ratio_vs_peer"]),
                new BenchQuality("inertia", BenchCommand.Num(c["inertia"]), BenchReports.Optional(peer?["inertia"]), HigherIsBetter: false)));
        }
        return new BenchSummary("bench segment",
            "k-means (k-means++ seeding, Lloyd iterations) against scikit-learn's KMeans (kmeans.py) on the same standardised matrices in the same run; times are the best of the timed fits of each side, inertia is the within-cluster sum of squares.",
            [BenchReports.Fact("repeats", repeats), new ReportFact("threads", threads == 0 ? "all processors" : threads.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            figures);
    }

    private static void Show(CliOutput cli, JsonObject result)
    {
        var table = new Table().Title("exania bench segment").AddColumns("case", "k", "rows", "inertia exania / sklearn", "ratio",
            "fit s exania (first, best) / sklearn", "time ratio (best)");
        foreach (var node in result["cases"]!.AsArray())
        {
            var c = node!.AsObject();
            var p = c["peer"]?.AsObject();
            table.AddRow(Markup.Escape((string)c["case"]!), $"{(int)c["k"]!}", $"{(int)c["rows"]!:N0}",
                $"{BenchCommand.F(c["inertia"])} / {BenchCommand.F(p?["inertia"])}", BenchCommand.F(c["inertia_ratio_vs_peer"]),
                $"{BenchCommand.F(c["first_seconds"])}, {BenchCommand.F(c["best_seconds"])} / {BenchCommand.F(p?["seconds"])}",
                BenchCommand.F(c["time_ratio_vs_peer"]));
        }
        cli.Table(table);
    }
}
