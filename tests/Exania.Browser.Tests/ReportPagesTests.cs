using System.Text.Json;
using Microsoft.Playwright;

namespace Exania.Browser.Tests;

/// <summary>Every kind of HTML report in Chromium, opened from disk: no errors, no request beyond the file, every chart drawn, printable.</summary>
public sealed class ReportPagesTests(ReportPagesFixture fixture) : IClassFixture<ReportPagesFixture>
{
    [Theory]
    [InlineData("click", 5)]
    [InlineData("conversion", 9)]
    [InlineData("sequence", 5)]
    [InlineData("segments", 4)]
    [InlineData("roas", 4)]
    [InlineData("bench", 2)]
    public async Task Report_OpensOffline_WithoutErrors_AndDrawsEveryChart(string kind, int minimumCharts)
    {
        var (page, errors, requests) = await fixture.OpenAsync(kind);
        Assert.Equal(kind, await page.EvaluateAsync<string>("() => document.body.dataset.report"));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.True(requests.Count == 0, "requests beyond the file: " + string.Join(", ", requests));
        // A chart is drawn when its SVG takes room on the page and holds marks: lines with points, bars, cells or dots.
        var charts = await page.EvaluateAsync<JsonElement>(@"() => [...document.querySelectorAll('svg.chart')].map(svg => {
            const box = svg.getBoundingClientRect();
            const marks = [...svg.querySelectorAll('polyline')].filter(p => p.points.numberOfItems >= 2).length
                + svg.querySelectorAll('rect.bar, rect.cell, circle').length;
            return { id: svg.dataset.chart, width: box.width, height: box.height, marks };
        })");
        Assert.True(charts.GetArrayLength() >= minimumCharts, $"{kind}: {charts.GetArrayLength()} charts, expected at least {minimumCharts}");
        foreach (var chart in charts.EnumerateArray())
        {
            var id = chart.GetProperty("id").GetString();
            Assert.True(chart.GetProperty("width").GetDouble() > 200 && chart.GetProperty("height").GetDouble() > 100, $"{kind}/{id} takes no room");
            Assert.True(chart.GetProperty("marks").GetInt32() > 0, $"{kind}/{id} draws nothing");
        }
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoPageFixture.ArtifactsFolder, $"report-{kind}.png"), FullPage = true });
        await page.CloseAsync();
    }

    [Fact]
    public async Task ClickReport_DrawsTheEmbeddedJsonsCurves()
    {
        var (page, _, _) = await fixture.OpenAsync("click");
        // The browser's own reading of the page: the pooled ROC polyline has one vertex per point of the embedded JSON,
        // and its first and last vertices are the curve's ends (0, 0) and (1, 1) in the plot's pixels.
        var check = await page.EvaluateAsync<JsonElement>(@"() => {
            const data = JSON.parse(document.getElementById('exania-report-data').textContent);
            const roc = data.diagnostics.pooled.roc;
            const series = [...document.querySelectorAll('svg[data-chart=roc] g.series')].find(g => g.dataset.series.startsWith('pooled'));
            const points = series.querySelector('polyline').points;
            return { json: roc.false_positive_rate.length, drawn: points.numberOfItems,
                     first: [points.getItem(0).x, points.getItem(0).y], last: [points.getItem(points.numberOfItems - 1).x, points.getItem(points.numberOfItems - 1).y] };
        }");
        Assert.Equal(check.GetProperty("json").GetInt32(), check.GetProperty("drawn").GetInt32());
        Assert.Equal([64.0, 334.0], check.GetProperty("first").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([364.0, 34.0], check.GetProperty("last").EnumerateArray().Select(v => v.GetDouble()));
        await page.CloseAsync();
    }

    [Fact]
    public async Task Report_PrintsToPdf()
    {
        var (page, _, _) = await fixture.OpenAsync("click");
        var pdf = await page.PdfAsync(new PagePdfOptions { Format = "A4", PrintBackground = true });
        Assert.True(pdf.Length > 20_000, $"{pdf.Length} bytes");
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        await File.WriteAllBytesAsync(Path.Combine(DemoPageFixture.ArtifactsFolder, "report-click.pdf"), pdf, TestContext.Current.CancellationToken);
        await page.CloseAsync();
    }
}
