using System.Text.Json;
using Exania.Click;
using Exania.Core;
using Exania.Learning.Tests;

namespace Exania.Reports.Tests;

public sealed class ClickReportPageTests
{
    private static readonly Lazy<ClickTrainingReport> s_results = new(() =>
        ClickModelTrainer.CrossValidate(TestData.Interaction(1500, 11), ClickTrainingOptions.Default with { Folds = 3 }));

    [Fact]
    public void Report_EmbedsExactlyTheResultsJson_AndEveryChartIsWellFormedSvg()
    {
        var html = ClickReportPage.Build(s_results.Value, "windows.csv").Render();
        using var embedded = ReportMarkup.EmbeddedJson(html);
        using var expected = JsonDocument.Parse(s_results.Value.ToJson());
        Assert.True(JsonElement.DeepEquals(expected.RootElement, embedded.RootElement), "the embedded JSON differs from the results");
        var charts = ReportMarkup.Charts(html);
        Assert.Equal(["calibration", "confusion", "importance", "pr", "roc"], charts.Keys.Order());
        Assert.Contains($"commit {ExaniaBuild.ShortCommit}", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RocChart_DrawsThePooledCurvePointByPoint_AndOneCurvePerFold()
    {
        var results = s_results.Value;
        var roc = results.Diagnostics!.Pooled.Roc;
        var chart = ReportMarkup.Charts(ClickReportPage.Build(results).Render())["roc"];
        var pooled = ReportMarkup.Series(chart, "pooled");
        var points = ReportMarkup.Points(pooled);
        Assert.Equal(roc.FalsePositiveRate.Count, points.Count);
        // The plot is 300 px square at (64, 34): pixels map back to the JSON's rates within the 0.01 px rounding.
        for (var i = 0; i < points.Count; i++)
        {
            Assert.Equal(roc.FalsePositiveRate[i], (points[i].X - 64) / 300, 5e-5);
            Assert.Equal(roc.TruePositiveRate[i], 1 - (points[i].Y - 34) / 300, 5e-5);
        }
        for (var f = 1; f <= results.Folds; f++)
            Assert.NotNull(ReportMarkup.Series(chart, $"fold {f} "));
        Assert.NotNull(ReportMarkup.Series(chart, "chance"));
    }

    [Fact]
    public void ThresholdTable_MarksTheChosenThreshold()
    {
        var results = s_results.Value;
        var html = ClickReportPage.Build(results).Render();
        var row = html[html.IndexOf("<tr class=\"chosen\">", StringComparison.Ordinal)..];
        Assert.StartsWith($"<tr class=\"chosen\"><td>{results.Threshold:0.0000}</td>", row, StringComparison.Ordinal);
    }

    [Fact]
    public void Results_WithoutDiagnostics_AreRefusedWithTheCommandToRun()
    {
        var old = s_results.Value with { Diagnostics = null };
        var error = Assert.Throws<ArgumentException>(() => ClickReportPage.Build(old));
        Assert.Contains("exania train click", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelReports_ReadsSavedResults()
    {
        var html = ModelReports.FromResults(ModelKind.Click, s_results.Value.ToJson(), "training_results.json").Render();
        Assert.Contains("data-report=\"click\"", html, StringComparison.Ordinal);
    }
}
