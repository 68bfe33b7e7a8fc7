using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Exania.Reports;

namespace Exania.Reports.Tests;

/// <summary>Reads a rendered report back: its SVG charts as XML, its embedded JSON, the points of a drawn series.</summary>
internal static partial class ReportMarkup
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>Each inline SVG parsed as XML (it must be well-formed), keyed by its data-chart id.</summary>
    public static Dictionary<string, XElement> Charts(string html)
    {
        var charts = new Dictionary<string, XElement>();
        foreach (Match m in SvgElement().Matches(html))
        {
            var svg = XElement.Parse(m.Value);
            charts.Add((string)svg.Attribute("data-chart")!, svg);
        }
        return charts;
    }

    public static JsonDocument EmbeddedJson(string html)
    {
        var m = DataElement().Match(html);
        Assert.True(m.Success, "the report embeds no JSON");
        return JsonDocument.Parse(m.Groups[1].Value.Replace("<\\/", "</", StringComparison.Ordinal));
    }

    public static XElement Series(XElement chart, string nameStart) =>
        chart.Descendants(Svg + "g").Single(g => ((string?)g.Attribute("data-series") ?? "").StartsWith(nameStart, StringComparison.Ordinal));

    /// <summary>The pixel points of a series' polyline.</summary>
    public static List<(double X, double Y)> Points(XElement series) =>
        [.. ((string)series.Element(Svg + "polyline")!.Attribute("points")!).Split(' ').Select(p =>
        {
            var xy = p.Split(',');
            return (double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture));
        })];

    [GeneratedRegex("<svg xmlns=.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgElement();

    [GeneratedRegex("<script type=\"application/json\" id=\"" + HtmlReport.DataElementId + "\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex DataElement();
}
