using System.Globalization;
using System.Text.Json;
using Exania.Campaigns;
using Exania.Conversion;
using Exania.Core;
using Exania.Testing;

namespace Exania.Reports.Tests;

/// <summary>The segmentation report, drawn from the typed segment results (segment_results.json).</summary>
public sealed class SegmentReportPageTests
{
    private static readonly string[] s_spending = ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"];

    private static readonly Lazy<SegmentReport> s_chosen = new(() => Fit(new SegmentationOptions { K = 2, MaxK = 4 }));

    private static SegmentReport Fit(SegmentationOptions options)
    {
        var table = CampaignTableReader.Read(TestData.Path("wholesale_customers.csv"), new CampaignReadOptions { Delimiter = ';' }).Table;
        return Segmentation.Fit(SegmentData.FromTable(table, s_spending, log1p: true), options).Report;
    }

    [Fact]
    public void Report_EmbedsExactlyTheResultsJson_AndDrawsEveryChart()
    {
        var json = ReportJson.Serialize(s_chosen.Value);
        var html = ModelReports.FromResults(ModelKind.Segment, json, "segment_results.json").Render();
        using var embedded = ReportMarkup.EmbeddedJson(html);
        using var expected = JsonDocument.Parse(json);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, embedded.RootElement), "the embedded JSON differs from the results");
        Assert.Equal(["inertia", "pca", "profile", "silhouette", "sizes"], ReportMarkup.Charts(html).Keys.Order());
        Assert.Contains("data-report=\"segments\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Sizes_AndProfile_AreTheResultsFigures()
    {
        var results = s_chosen.Value;
        var charts = ReportMarkup.Charts(SegmentReportPage.Build(results).Render());
        var bars = charts["sizes"].Descendants(ReportMarkup.Svg + "rect").Where(r => (string?)r.Attribute("class") == "bar")
            .Select(r => double.Parse((string)r.Attribute("data-value")!, CultureInfo.InvariantCulture));
        Assert.Equal(results.Segments.Select(s => (double)s.Size), bars);
        var cells = ReportMarkup.Series(charts["profile"], "cells").Elements(ReportMarkup.Svg + "text")
            .Where(t => (string?)t.Attribute("class") == "cell-text").Select(t => t.Value).ToList();
        Assert.Equal(results.Segments.SelectMany(s => s.Features.Select(f => f.ZDifference.ToString("+0.00;-0.00", CultureInfo.InvariantCulture))), cells);
    }

    [Fact]
    public void PcaScatter_DrawsEveryProjectedRow_InItsSegment_AffineInTheCoordinates()
    {
        var results = s_chosen.Value;
        var projection = results.Projection!;
        Assert.Equal(results.Rows, projection.Rows.Count); // 440 rows: fewer than the 2,000 cap
        var chart = ReportMarkup.Charts(SegmentReportPage.Build(results).Render())["pca"];
        var drawn = new List<(double Px, double Py, double X, double Y)>();
        foreach (var segment in results.Segments)
        {
            var circles = ReportMarkup.Series(chart, $"{segment.Segment}: ").Elements(ReportMarkup.Svg + "circle")
                .Select(c => ((double)c.Attribute("cx")!, (double)c.Attribute("cy")!)).ToList();
            var rows = projection.Rows.Where(r => r.Segment == segment.Segment).ToList();
            Assert.Equal(segment.Size, rows.Count);
            Assert.Equal(rows.Count, circles.Count);
            drawn.AddRange(circles.Zip(rows, (c, r) => (c.Item1, c.Item2, r.X, r.Y)));
        }
        var lowX = drawn.MinBy(d => d.X);
        var highX = drawn.MaxBy(d => d.X);
        var lowY = drawn.MinBy(d => d.Y);
        var highY = drawn.MaxBy(d => d.Y);
        foreach (var d in drawn)
        {
            Assert.Equal(lowX.Px + (d.X - lowX.X) * (highX.Px - lowX.Px) / (highX.X - lowX.X), d.Px, 0.02);
            Assert.Equal(lowY.Py + (d.Y - lowY.Y) * (highY.Py - lowY.Py) / (highY.Y - lowY.Y), d.Py, 0.02);
        }
    }

    [Fact]
    public void Silhouette_MarksTheChosenK_AndIsAbsentForAFixedK()
    {
        var results = s_chosen.Value;
        var chart = ReportMarkup.Charts(SegmentReportPage.Build(results).Render())["silhouette"];
        Assert.Equal(results.Candidates.Count, ReportMarkup.Points(ReportMarkup.Series(chart, "silhouette")).Count);
        Assert.Contains($"chosen k = {results.K}", chart.ToString(), StringComparison.Ordinal);

        var fixedK = SegmentReportPage.Build(Fit(new SegmentationOptions { K = 3 })).Render();
        Assert.DoesNotContain("silhouette", ReportMarkup.Charts(fixedK).Keys);
        Assert.Contains("k was fixed at 3", fixedK, StringComparison.Ordinal);
    }

    [Fact]
    public void OldResults_WithoutAProjection_SayHowToGetIt()
    {
        var html = SegmentReportPage.Build(s_chosen.Value with { Projection = null }).Render();
        Assert.DoesNotContain("pca", ReportMarkup.Charts(html).Keys);
        Assert.Contains("run `exania segment` again", html, StringComparison.Ordinal);
    }
}
