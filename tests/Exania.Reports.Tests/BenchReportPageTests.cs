using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Exania.Core;

namespace Exania.Reports.Tests;

public sealed class BenchReportPageTests
{
    // Figures of the shape `bench roas` reports (values made up for the test, not measurements).
    private static readonly BenchSummary s_summary = new("bench roas", "Trees against XGBoost.",
        [new ReportFact("rounds", "30")],
        [
            new BenchFigure("generated", "training seconds", 0.3, "s", "XGBoost", 0.6, 0.5, new BenchQuality("RMSE", 5.2, 5.0, HigherIsBetter: false)),
            new BenchFigure("online advertising", "training seconds", 0.9, "s", "XGBoost", 0.75, 1.2, new BenchQuality("RMSE", 2.2, 2.2, HigherIsBetter: false)),
            new BenchFigure("large", "training seconds", 4, "s", "XGBoost", null, null, new BenchQuality("RMSE", 5.6, null, HigherIsBetter: false)),
        ]);

    private const string Json = """{ "command": "bench roas", "cases": [ { "case": "generated", "seconds": 0.3 } ] }""";

    [Fact]
    public void Report_EmbedsTheCommandsJson_AndNamesTheMachine()
    {
        var html = BenchReportPage.Build(s_summary, Json).Render();
        using var embedded = ReportMarkup.EmbeddedJson(html);
        using var expected = JsonDocument.Parse(Json);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, embedded.RootElement));
        Assert.Equal(["quality-ratios", "time-ratios"], ReportMarkup.Charts(html).Keys.Order());
        Assert.Contains("data-report=\"bench\"", html, StringComparison.Ordinal);
        Assert.Contains($"{Environment.ProcessorCount} processors", html, StringComparison.Ordinal);
        Assert.Contains($"commit {ExaniaBuild.ShortCommit}", html, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeRatios_AreTheReportedRatios_OfTheCasesWithAPeer_AgainstALineAtOne()
    {
        var chart = ReportMarkup.Charts(BenchReportPage.Build(s_summary, Json).Render())["time-ratios"];
        Assert.Equal([0.5, 1.2], BarValues(chart));
        Assert.DoesNotContain("large", chart.Value, StringComparison.Ordinal);
        // The reference line at 1 lies between the bars' ends: 0.5 ends left of it, 1.2 right.
        var reference = chart.Descendants(ReportMarkup.Svg + "line").Single(l => ((string?)l.Attribute("stroke-dasharray")) == "6 4");
        var bars = Bars(chart);
        var one = Coordinate(reference, "x1");
        Assert.True(Coordinate(bars[0], "x") + Coordinate(bars[0], "width") < one);
        Assert.True(Coordinate(bars[1], "x") + Coordinate(bars[1], "width") > one);
    }

    [Fact]
    public void QualityRatios_AreExaniaOverPeer_AndTheTableHasEveryCase()
    {
        var html = BenchReportPage.Build(s_summary, Json).Render();
        var chart = ReportMarkup.Charts(html)["quality-ratios"];
        Assert.Equal([5.2 / 5.0, 1.0], BarValues(chart));
        Assert.Contains("RMSE ratio, Exania / peer (lower is better)", chart.Value, StringComparison.Ordinal);
        Assert.Contains("<td>large</td><td>training seconds</td><td>4 s</td><td>XGBoost</td><td>not run</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Ratios_SpanningMoreThanAHundredfold_AreDrawnOnALogAxis()
    {
        Assert.Equal(Charts.AxisScale.Log, BenchReportPage.RatioChart("r", "t", "x", ["a", "b"], [0.005, 1.5]).Scale);
        Assert.Equal(Charts.AxisScale.Linear, BenchReportPage.RatioChart("r", "t", "x", ["a", "b"], [0.05, 1.5]).Scale);
    }

    [Fact]
    public void WithoutThePeer_TheReportSaysSoAndDrawsNoRatios()
    {
        var alone = s_summary with { Figures = [.. s_summary.Figures.Select(f => f with { PeerValue = null, Ratio = null, Quality = f.Quality! with { Peer = null } })] };
        var html = BenchReportPage.Build(alone, Json).Render();
        Assert.Empty(ReportMarkup.Charts(html));
        Assert.Contains("The peer was not run (give --peers)", html, StringComparison.Ordinal);
    }

    private static List<XElement> Bars(XElement chart) => [.. ReportMarkup.Series(chart, "Exania / peer").Elements(ReportMarkup.Svg + "rect")];

    private static List<double> BarValues(XElement chart) =>
        [.. Bars(chart).Select(r => double.Parse((string)r.Attribute("data-value")!, CultureInfo.InvariantCulture))];

    private static double Coordinate(XElement element, string attribute) =>
        double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);
}
