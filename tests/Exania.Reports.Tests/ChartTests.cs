using Exania.Reports.Charts;

namespace Exania.Reports.Tests;

public sealed class ChartTests
{
    [Fact]
    public void LinearAxis_FromData_WidensToRoundTicks()
    {
        var axis = ResolvedAxis.Fit(new Axis("x"), [0.13, 7.9]);
        Assert.Equal(0, axis.Low);
        Assert.Equal(8, axis.High);
        Assert.Equal([0.0, 2, 4, 6, 8], axis.Ticks);
    }

    [Fact]
    public void LinearAxis_GivenEnds_StayExact()
    {
        var axis = ResolvedAxis.Fit(Axis.Unit("p"), [0.2, 0.3]);
        Assert.Equal((0.0, 1.0), (axis.Low, axis.High));
        Assert.Equal([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], axis.Ticks.Select(t => Math.Round(t, 12)));
    }

    [Fact]
    public void LogAxis_CoversTheDecades_AndLeavesNonPositiveValuesOut()
    {
        var axis = ResolvedAxis.Fit(new Axis("roas", Scale: AxisScale.Log), [0, -1, 0.3, 45]);
        Assert.Equal(0.1, axis.Low, 1e-12);
        Assert.Equal(100, axis.High, 1e-9);
        Assert.Equal(0.5, axis.Fraction(Math.Sqrt(10) * 1.0) * 3 - 1, 1e-12); // √10 is a decade and a half above 0.1
        var chart = new XyChart("c", "t", new Axis("x"), new Axis("y", Scale: AxisScale.Log)).Add(new Series("s", [1, 2, 3], [0, 1, 10]));
        Assert.Contains("1 point(s) off a log axis not drawn", chart.ToSvg(), StringComparison.Ordinal);
    }

    [Fact]
    public void Names_AreEscaped_InSvgAndHtml()
    {
        var report = new HtmlReport("<b>t</b>", "click");
        report.Section("s").Chart(new BarChart("b", "bars", "v", ["<script>alert(1)</script>"]).Add(new BarGroup("g&h", [1.5])));
        var html = report.Render();
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;t&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Single(ReportMarkup.Charts(html));
    }

    [Fact]
    public void Report_RefusesTwoChartsWithOneId()
    {
        var report = new HtmlReport("t", "x");
        report.Section("s").Chart(new BarChart("same", "a", "v", ["a"]).Add(new BarGroup("g", [1])))
            .Chart(new BarChart("same", "b", "v", ["a"]).Add(new BarGroup("g", [1])));
        Assert.Throws<InvalidOperationException>(report.Render);
    }

    [Fact]
    public void EmbeddedJson_CannotCloseTheScriptElement()
    {
        var html = new HtmlReport("t", "x") { Json = "{\"name\":\"</script><script>alert(1)</script>\"}" }.Render();
        using var json = ReportMarkup.EmbeddedJson(html);
        Assert.Equal("</script><script>alert(1)</script>", json.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public void Heatmap_ColoursBySign_WhenDiverging()
    {
        var svg = new Heatmap("h", "t", ["r"], ["neg", "zero", "pos"], new double[,] { { -2, 0, 2 } }) { Scale = HeatmapScale.Diverging }.ToSvg();
        Assert.Contains("rgb(33,102,172)", svg, StringComparison.Ordinal);
        Assert.Contains("rgb(255,255,255)", svg, StringComparison.Ordinal);
        Assert.Contains("rgb(178,24,43)", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void LongLabels_AreCut_AndKeepTheirWholeWordingAsTheTitle()
    {
        var name = "a category name far longer than the room beside the bars";
        var svg = System.Xml.Linq.XElement.Parse(new BarChart("b", "bars", "v", [name, "short"]).Add(new BarGroup("g", [1, 2])).ToSvg());
        var labels = svg.Descendants(ReportMarkup.Svg + "text").Where(t => (string?)t.Attribute("class") == "tick").ToList();
        var cut = labels.Single(t => t.Element(ReportMarkup.Svg + "title") is not null);
        Assert.Equal(name, cut.Element(ReportMarkup.Svg + "title")!.Value);
        Assert.Equal(name[..27] + "…", cut.Nodes().OfType<System.Xml.Linq.XText>().Single().Value);
        Assert.Contains(labels, t => t.Value == "short");
    }
}
