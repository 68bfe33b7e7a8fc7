using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Exania.Core;
using Exania.Testing;

namespace Exania.Reports.Tests;

[CollectionDefinition("console", DisableParallelization = true)]
public class ConsoleCollection;

/// <summary>The next-action report, drawn from the sequence_results.json that <c>train sequence</c> writes.</summary>
[Collection("console")]
public sealed class SequenceReportPageTests
{
    /// <summary>One tiny run on the Taobao head (4 actions): the results file, the report file and the printed result.</summary>
    private static readonly Lazy<(string Results, string Html, JsonObject Printed)> s_run = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "exania-seq-report-" + Guid.NewGuid().ToString("N"));
        var run = CliRunner.Run("train", "sequence", "--events", TestData.Path("taobao_head3000.csv"), "--no-header",
            "--columns", "user_id,item_id,category,action,timestamp", "--target", "action", "--max-len", "10",
            "--epochs", "2", "--emb", "4", "--hidden", "8", "--seed", "3", "--threads", "1",
            "--out", dir, "--report", Path.Combine(dir, "report.html"), "--json");
        Assert.True(run.Exit == 0, run.Error);
        return (File.ReadAllText(Path.Combine(dir, "sequence_results.json")), File.ReadAllText(Path.Combine(dir, "report.html")), run.Json!);
    });

    [Fact]
    public void Report_EmbedsExactlyTheResultsFile_AndDrawsEveryChart()
    {
        var (results, html, printed) = s_run.Value;
        using var embedded = ReportMarkup.EmbeddedJson(html);
        using var expected = JsonDocument.Parse(results);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, embedded.RootElement), "the embedded JSON differs from sequence_results.json");
        var charts = ReportMarkup.Charts(html);
        Assert.Contains("loss", charts.Keys);
        Assert.Contains("recall-at-k", charts.Keys);
        Assert.Contains("mrr-at-k", charts.Keys);
        Assert.Contains("confusion", charts.Keys);
        Assert.Contains(SequenceReportPage.AttentionChartId, charts.Keys);
        Assert.Contains("data-table=\"per-class\"", html, StringComparison.Ordinal);
        Assert.Contains("data-report=\"sequence\"", html, StringComparison.Ordinal);
        Assert.Contains($"commit {ExaniaBuild.ShortCommit}", html, StringComparison.Ordinal);
        Assert.EndsWith("report.html", (string)printed["report"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void RankingCharts_DrawTheModelAndEveryBaseline_PointByPoint()
    {
        var (results, html, _) = s_run.Value;
        var ranking = JsonNode.Parse(results)!["ranking"]!.AsArray();
        Assert.Equal(["model", "POP", "S-POP", "Markov", "SKNN", "V-SKNN"], ranking.Select(r => (string)r!["method"]!));
        var chart = ReportMarkup.Charts(html)["recall-at-k"];
        foreach (var method in ranking)
        {
            var name = (string)method!["method"]!;
            var points = ReportMarkup.Points(ReportMarkup.Series(chart, name + " ("));
            int[] cutoffs = [1, 5, 10, 20];
            Assert.Equal(cutoffs.Length, points.Count);
            // k on a 0..20 axis 478 px wide from x = 64; recall on 0..1, 300 px high from y = 34.
            for (var i = 0; i < cutoffs.Length; i++)
            {
                Assert.Equal(cutoffs[i], (points[i].X - 64) / 478 * 20, 1e-3);
                Assert.Equal((double)method["seen"]![$"recall_at_{cutoffs[i]}"]!, 1 - (points[i].Y - 34) / 300, 5e-5);
            }
        }
    }

    [Fact]
    public void LossChart_DrawsEveryEpoch_AndMarksTheKeptOne()
    {
        var (results, html, _) = s_run.Value;
        var root = JsonNode.Parse(results)!;
        var epochs = root["epochs"]!.AsArray();
        var chart = ReportMarkup.Charts(html)["loss"];
        var training = ReportMarkup.Points(ReportMarkup.Series(chart, "training"));
        Assert.Equal(epochs.Count, training.Count);
        // Pixels are affine in the losses: the first and last points fix the map, every point follows it.
        var losses = epochs.Select(e => (double)e!["train_loss"]!).ToArray();
        if (losses[^1] != losses[0])
        {
            var scale = (training[^1].Y - training[0].Y) / (losses[^1] - losses[0]);
            for (var i = 0; i < losses.Length; i++)
                Assert.Equal(training[0].Y + (losses[i] - losses[0]) * scale, training[i].Y, 0.02);
        }
        Assert.Contains($"kept: epoch {(int)root["best_epoch"]!}", chart.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AttentionHeatmap_HasOneRowPerStoredSession_ColouredByTheStoredWeights()
    {
        var (results, html, _) = s_run.Value;
        var examples = JsonNode.Parse(results)!["attention_examples"]!.AsArray();
        Assert.InRange(examples.Count, 1, 8);
        var width = examples.Max(e => e!["events"]!.AsArray().Count);
        Assert.InRange(width, 1, 10); // --max-len 10
        var chart = ReportMarkup.Charts(html)[SequenceReportPage.AttentionChartId];
        var cells = ReportMarkup.Series(chart, "cells").Elements(ReportMarkup.Svg + "rect").ToList();
        Assert.Equal(examples.Count * width, cells.Count);
        // The most attended event of each row is drawn darkest (the sequential scale is monotone; colours are whole
        // RGB steps, so within 1/100 of the scale's range).
        var all = examples.SelectMany(e => e!["weights"]!.AsArray().Select(w => (double)w!)).ToList();
        var step = (all.Max() - all.Min()) / 100;
        for (var r = 0; r < examples.Count; r++)
        {
            var weights = examples[r]!["weights"]!.AsArray().Select(w => (double)w!).ToList();
            var row = cells.Skip(r * width).Take(width).Skip(width - weights.Count).ToList();
            var darkest = row.Select((cell, i) => (Darkness: Darkness(cell), i)).MaxBy(x => x.Darkness).i;
            Assert.InRange(weights[darkest], weights.Max() - step - 1e-9, weights.Max());
        }
        Assert.Contains("data-table=\"attention-examples\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ManyClasses_LeaveThePerClassSectionOut_AndSayWhy()
    {
        var root = JsonNode.Parse(s_run.Value.Results)!.AsObject();
        var classes = new JsonArray();
        for (var c = 0; c < 25; c++)
            classes.Add(new JsonObject { ["action"] = $"item{c}", ["precision"] = 0.1, ["recall"] = 0.1, ["f1"] = 0.1, ["support"] = 3 });
        root["test"]!["classes"] = classes;
        root["test"]!["confusion_matrix"] = null;
        var html = SequenceReportPage.Build(root.ToJsonString()).Render();
        Assert.DoesNotContain("confusion", ReportMarkup.Charts(html).Keys);
        Assert.DoesNotContain("data-table=\"per-class\"", html, StringComparison.Ordinal);
        Assert.Contains("Not drawn: 25 classes", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelReports_ReadsSavedSequenceResults()
    {
        var html = ModelReports.FromResults(ModelKind.Sequence, s_run.Value.Results, "sequence_results.json").Render();
        Assert.Contains("data-report=\"sequence\"", html, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SequenceReportPage.Build("{\"accuracy\": 0.5}"));
    }

    private static double Darkness(XElement cell)
    {
        var rgb = ((string)cell.Attribute("fill")!).TrimStart('r', 'g', 'b', '(').TrimEnd(')').Split(',');
        return -rgb.Sum(v => double.Parse(v, CultureInfo.InvariantCulture));
    }
}
