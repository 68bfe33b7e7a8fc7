using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Exania.Campaigns;
using Exania.Core;
using Exania.Roas;
using Exania.Trees;

namespace Exania.Reports.Tests;

public sealed class RoasReportPageTests
{
    // XyChart's plot area: left 64, top 34, 300 px high; 478 px wide, or 300 when square.
    private const double Left = 64, Top = 34, Height = 300, Wide = 478, Square = 300;

    private static readonly Lazy<RoasReport> s_results = new(() => RoasTrainer.Train(
        CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 3000, Seed = 4 }),
        RoasOptions.Default with
        {
            Exclude = ["conversions", "conversion_rate", "campaign_id", "date", "start_date"],
            Trees = new GbtOptions { Rounds = 300, LearningRate = 0.3, EarlyStoppingRounds = 8 },
        }).Report);

    [Fact]
    public void Report_EmbedsExactlyTheResultsJson_AndEveryChartIsWellFormedSvg()
    {
        var html = RoasReportPage.Build(s_results.Value, source: "campaigns.csv").Render();
        using var embedded = ReportMarkup.EmbeddedJson(html);
        using var expected = JsonDocument.Parse(ReportJson.Serialize(s_results.Value));
        Assert.True(JsonElement.DeepEquals(expected.RootElement, embedded.RootElement), "the embedded JSON differs from the results");
        Assert.Equal(["importance", "loss", "predicted-actual", "predicted-actual-linear", "residuals-by-age", "rmse-by-age"], ReportMarkup.Charts(html).Keys.Order());
        Assert.Contains("data-report=\"roas\"", html, StringComparison.Ordinal);
        Assert.Contains($"commit {ExaniaBuild.ShortCommit}", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelReports_EmbedsTheResultsFileVerbatim_WithTheKeysTheCliAdds()
    {
        var node = ReportJson.ToNode(s_results.Value);
        node["command"] = "train roas";
        node["model"] = "m/roas_model.json";
        var file = node.ToJsonString(ReportJson.Options);
        var html = ModelReports.FromResults(ModelKind.Roas, file, "roas_results.json").Render();
        using var embedded = ReportMarkup.EmbeddedJson(html);
        using var expected = JsonDocument.Parse(file);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, embedded.RootElement));
    }

    [Fact]
    public void LossChart_DrawsBothCurvesPointByPoint_AndMarksTheBestRound()
    {
        var results = s_results.Value;
        var loss = results.Loss!;
        var best = loss.BestIteration!.Value;
        var chart = ReportMarkup.Charts(RoasReportPage.Build(results).Render())["loss"];
        var end = RoasReportPage.LossAxisEnd(loss.Training.Count, best);
        var values = loss.Training.Concat(loss.Validation!).ToArray();
        var (low, high) = (values.Min(), values.Max());
        foreach (var (name, curve) in new[] { ("training", loss.Training), ("validation", loss.Validation!) })
        {
            var points = ReportMarkup.Points(ReportMarkup.Series(chart, name));
            Assert.Equal(curve.Count, points.Count);
            for (var r = 0; r < points.Count; r++)
            {
                Assert.Equal(r + 1, (points[r].X - Left) / Wide * end, 2e-3);
                Assert.Equal(curve[r], low + (1 - (points[r].Y - Top) / Height) * (high - low), 1e-4 * (high - low));
            }
        }
        var marker = chart.Descendants(ReportMarkup.Svg + "line").Single(l => (string?)l.Attribute("class") == "marker");
        Assert.Equal(best + 1, (Coordinate(marker, "x1") - Left) / Wide * end, 2e-3);
        Assert.Equal(results.RoundsTrained, best + 1);
        Assert.Contains($"best {best + 1}", chart.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictedAgainstActual_DrawsOnePointPerSampledRow_AtItsValues()
    {
        var results = s_results.Value;
        var sample = results.HeldOut!;
        Assert.False(RoasReportPage.LogAxes(sample.Actual), "generated ROAS is not that heavy-tailed: linear axes");
        var charts = ReportMarkup.Charts(RoasReportPage.Build(results).Render());
        var trees = ReportMarkup.Series(charts["predicted-actual"], "trees");
        var circles = trees.Elements(ReportMarkup.Svg + "circle").ToList();
        Assert.Equal(sample.Actual.Count, circles.Count);
        Assert.Equal(sample.Actual.Count.ToString(CultureInfo.InvariantCulture), (string?)trees.Attribute("data-points"));
        // Linear axes from min(0, lowest value) to the highest actual or tree prediction, the same on both axes.
        var values = sample.Actual.Concat(sample.Predicted).ToArray();
        var (low, high) = (Math.Min(0, values.Min()), values.Max());
        for (var i = 0; i < circles.Count; i++)
        {
            Assert.Equal(sample.Actual[i], low + (Coordinate(circles[i], "cx") - Left) / Square * (high - low), 1e-4 * (high - low));
            Assert.Equal(sample.Predicted[i], low + (1 - (Coordinate(circles[i], "cy") - Top) / Height) * (high - low), 1e-4 * (high - low));
        }
        var linear = ReportMarkup.Series(charts["predicted-actual-linear"], "linear baseline");
        Assert.Equal(sample.Actual.Count, linear.Elements(ReportMarkup.Svg + "circle").Count());
        var diagonal = ReportMarkup.Points(ReportMarkup.Series(charts["predicted-actual"], "y = x"));
        Assert.Equal([(Left, Top + Height), (Left + Square, Top)], diagonal);
    }

    [Fact]
    public void ErrorByAge_DrawsBothModelsBucketRmse()
    {
        var results = s_results.Value;
        var chart = ReportMarkup.Charts(RoasReportPage.Build(results).Render())["rmse-by-age"];
        Assert.Equal(results.ByDaysActive.Select(b => b.Rmse), BarValues(chart, "trees"));
        Assert.Equal(results.ByDaysActive.Select(b => b.LinearRmse!.Value), BarValues(chart, "linear baseline"));
    }

    [Fact]
    public void Importance_ThreeGroupsOfShares_OfEachMeasuresTotal()
    {
        var results = s_results.Value;
        var chart = ReportMarkup.Charts(RoasReportPage.Build(results).Render())["importance"];
        var top = results.Importance.Gain.Take(RoasReportPage.ImportanceFeatures).ToList();
        var totalGain = results.Importance.Gain.Sum(f => f.Value);
        Assert.Equal(top.Select(f => f.Value / totalGain), BarValues(chart, "gain"));
        var weight = results.Importance.Weight.ToDictionary(f => f.Feature, f => f.Value);
        var totalWeight = weight.Values.Sum();
        Assert.Equal(top.Select(f => weight.GetValueOrDefault(f.Feature) / totalWeight), BarValues(chart, "weight"));
        Assert.NotEmpty(BarValues(chart, "cover"));
    }

    [Theory]
    [InlineData(new[] { 0.5, 1, 1.2, 2, 500 }, true)] // max / median 250, all positive
    [InlineData(new[] { 0.5, 1, 1.2, 2, 50 }, false)] // max / median 25
    [InlineData(new[] { 0, 1, 1.2, 2, 500.0 }, false)] // a fifth of the values cannot be drawn on a log axis
    [InlineData(new[] { -1.0, -2 }, false)]
    public void LogAxes_FollowTheStatedRule(double[] actual, bool log) => Assert.Equal(log, RoasReportPage.LogAxes(actual));

    [Fact]
    public void HeavyTailedTarget_LogAxes_PointsBelowZeroAreCountedNotDrawn()
    {
        // Hand-made: the median positive actual is 2 and the largest 1,000 (500×); the trees predict one row at 0 and the ridge two below 0.
        var sample = new RoasPredictionSample(5, 0, [0, 1, 2, 3, 4], [0.5, 1, 2, 3, 1000], [0.6, 0, 2.5, 2, 700], [1, -2, -0.5, 3, 40], null);
        var results = s_results.Value with { HeldOut = sample };
        var html = RoasReportPage.Build(results).Render();
        var charts = ReportMarkup.Charts(html);
        Assert.Equal("4", (string?)ReportMarkup.Series(charts["predicted-actual"], "trees").Attribute("data-points"));
        Assert.Equal("3", (string?)ReportMarkup.Series(charts["predicted-actual-linear"], "linear baseline").Attribute("data-points"));
        Assert.Contains("Both axes are logarithmic", html, StringComparison.Ordinal);
        Assert.Contains("1 point(s) with an actual or predicted value ≤ 0 cannot be drawn", html, StringComparison.Ordinal);
        Assert.Contains("2 point(s) with an actual or predicted value ≤ 0 cannot be drawn", html, StringComparison.Ordinal);
        // Decades around the positive values: 0.1 to 1,000, so 0.5 sits at log10(5) of the first of four decades.
        var first = ReportMarkup.Series(charts["predicted-actual"], "trees").Elements(ReportMarkup.Svg + "circle").First();
        Assert.Equal(Left + (Math.Log10(0.5) + 1) / 4 * Square, Coordinate(first, "cx"), 0.01);
    }

    [Fact]
    public void Results_WithoutTheHeldOutSample_AreRefusedWithTheCommandToRun()
    {
        var error = Assert.Throws<ArgumentException>(() => RoasReportPage.Build(s_results.Value with { HeldOut = null }));
        Assert.Contains("exania train roas", error.Message, StringComparison.Ordinal);
    }

    private static double Coordinate(XElement element, string attribute) =>
        double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);

    private static List<double> BarValues(XElement chart, string group) =>
        [.. ReportMarkup.Series(chart, group).Elements(ReportMarkup.Svg + "rect").Select(r => double.Parse((string)r.Attribute("data-value")!, CultureInfo.InvariantCulture))];
}
