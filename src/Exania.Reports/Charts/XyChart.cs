namespace Exania.Reports.Charts;

/// <summary>A chart a report can hold: an id the page and its tests find it by, a title, and its SVG markup.</summary>
public interface IChart
{
    /// <summary>Identifier unique in the report (the <c>data-chart</c> attribute of its SVG).</summary>
    string Id { get; }
    string Title { get; }
    string ToSvg();
}

/// <summary>How a series is drawn.</summary>
public enum SeriesStyle
{
    Line,
    /// <summary>Horizontal then vertical between points (matplotlib's steps-post), as a PR curve is drawn.</summary>
    Step,
    /// <summary>A dashed line: baselines and reference lines.</summary>
    Dashed,
    Points,
    /// <summary>A line with a dot at each point: few points that each mean something (calibration bins, epochs).</summary>
    LineAndPoints,
}

/// <summary>A named series of (x, y) points; <see cref="Color"/> null takes the palette's next colour.</summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, SeriesStyle Style = SeriesStyle.Line,
    string? Color = null, double Width = 2)
{
    /// <summary>A dashed grey reference line between two points (the chance diagonal, a prevalence level).</summary>
    public static Series Reference(string name, double x1, double y1, double x2, double y2) =>
        new(name, [x1, x2], [y1, y2], SeriesStyle.Dashed, ChartStyle.Baseline, 1.5);
}

/// <summary>A labelled mark: a vertical line at <see cref="X"/> when <see cref="Y"/> is null, otherwise a ringed point.</summary>
public sealed record Marker(double X, double? Y, string Label);

/// <summary>Lines, steps and points on two numeric axes, with a legend under the plot.</summary>
public sealed class XyChart(string id, string title, Axis x, Axis y) : IChart
{
    private const double Width = 560, PlotHeight = 300, Left = 64, Right = 18, Top = 34, AxisBand = 44, LegendRow = 18;

    public string Id { get; } = id;
    public string Title { get; } = title;
    public Axis X { get; } = x;
    public Axis Y { get; } = y;
    public List<Series> Series { get; } = [];
    public List<Marker> Markers { get; } = [];
    /// <summary>Draw the plot square (equal axis lengths), as ROC and calibration plots are read.</summary>
    public bool Square { get; init; }

    public XyChart Add(Series series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.X.Count != series.Y.Count)
            throw new ArgumentException($"Series '{series.Name}' has {series.X.Count} x values and {series.Y.Count} y values.", nameof(series));
        Series.Add(series);
        return this;
    }

    public string ToSvg()
    {
        var xAxis = ResolvedAxis.Fit(X, Series.SelectMany(s => s.X).Concat(Markers.Select(m => m.X)));
        var yAxis = ResolvedAxis.Fit(Y, Series.SelectMany(s => s.Y).Concat(Markers.Where(m => m.Y is not null).Select(m => m.Y!.Value)));
        var plotWidth = Square ? PlotHeight : Width - Left - Right;
        var legendColumns = ChartFrame.LegendColumns(Series.Select(s => s.Name));
        var legendRows = (Series.Count + legendColumns - 1) / legendColumns;
        var height = Top + PlotHeight + AxisBand + legendRows * LegendRow + 6;
        double Px(double v) => Left + xAxis.Fraction(v) * plotWidth;
        double Py(double v) => Top + (1 - yAxis.Fraction(v)) * PlotHeight;

        var svg = ChartFrame.Open(Id, Title, Width, height);
        ChartFrame.Grid(svg, xAxis, yAxis, Left, Top, plotWidth, PlotHeight, X.Title, Y.Title);
        var clip = $"clip-{Id}";
        svg.Raw($"<clipPath id=\"{SvgText.Escape(clip)}\"><rect x=\"{SvgText.Coordinate(Left)}\" y=\"{SvgText.Coordinate(Top - 4)}\" width=\"{SvgText.Coordinate(plotWidth + 4)}\" height=\"{SvgText.Coordinate(PlotHeight + 8)}\"/></clipPath>");
        var skipped = 0;
        for (var s = 0; s < Series.Count; s++)
        {
            var series = Series[s];
            var color = series.Color ?? ChartStyle.ColorOf(s);
            var points = new List<(double X, double Y)>(series.X.Count);
            for (var i = 0; i < series.X.Count; i++)
            {
                if (!xAxis.CanDraw(series.X[i]) || !yAxis.CanDraw(series.Y[i]))
                {
                    skipped++;
                    continue;
                }
                points.Add((Px(series.X[i]), Py(series.Y[i])));
            }
            svg.Open("g", $"class=\"series\" data-series=\"{SvgText.Escape(series.Name)}\" data-points=\"{points.Count}\" clip-path=\"url(#{SvgText.Escape(clip)})\"");
            var stroke = $"stroke=\"{color}\" stroke-width=\"{SvgText.Coordinate(series.Width)}\"";
            switch (series.Style)
            {
                case SeriesStyle.Points:
                    foreach (var (px, py) in points)
                        svg.Circle(px, py, 2.4, $"fill=\"{color}\" fill-opacity=\"0.55\"");
                    break;
                case SeriesStyle.LineAndPoints:
                    svg.Polyline(points, stroke + " stroke-linejoin=\"round\"");
                    foreach (var (px, py) in points)
                        svg.Circle(px, py, 3.2, $"fill=\"{color}\"");
                    break;
                case SeriesStyle.Step:
                    svg.Polyline(StepsPost(points), stroke + " stroke-linejoin=\"round\"");
                    break;
                case SeriesStyle.Dashed:
                    svg.Polyline(points, stroke + " stroke-dasharray=\"6 4\"");
                    break;
                default:
                    svg.Polyline(points, stroke + " stroke-linejoin=\"round\"");
                    break;
            }
            svg.Close("g");
        }
        foreach (var marker in Markers)
        {
            if (!xAxis.CanDraw(marker.X)) continue;
            var px = Px(marker.X);
            if (marker.Y is { } my && yAxis.CanDraw(my))
            {
                var py = Py(my);
                svg.Circle(px, py, 5.5, "fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\" class=\"marker\"");
                var pointFitsRight = px + 8 + marker.Label.Length * 6 <= Left + plotWidth;
                svg.Label(pointFitsRight ? px + 8 : px - 8, py - 8, marker.Label, pointFitsRight ? "start" : "end", "class=\"marker-label\"");
            }
            else
            {
                svg.Line(px, Top, px, Top + PlotHeight, "stroke=\"#000\" stroke-width=\"1\" stroke-dasharray=\"2 3\" class=\"marker\"");
                // Near the right edge the label goes to the left of its line, so it stays inside the plot.
                var fitsRight = px + 4 + marker.Label.Length * 6 <= Left + plotWidth;
                svg.Label(fitsRight ? px + 4 : px - 4, Top + 12, marker.Label, fitsRight ? "start" : "end", "class=\"marker-label\"");
            }
        }
        ChartFrame.Legend(svg, Series.Select((s, i) => (s.Name, s.Color ?? ChartStyle.ColorOf(i), s.Style == SeriesStyle.Dashed)).ToList(),
            Left, Top + PlotHeight + AxisBand);
        if (skipped > 0)
            svg.Label(Width - Right, Top - 8, $"{skipped} point(s) off a log axis not drawn", "end", "class=\"note\"");
        return svg.Close("svg").ToString();
    }

    private static List<(double X, double Y)> StepsPost(List<(double X, double Y)> points)
    {
        var steps = new List<(double X, double Y)>(points.Count * 2);
        for (var i = 0; i < points.Count; i++)
        {
            if (i > 0) steps.Add((points[i].X, points[i - 1].Y));
            steps.Add(points[i]);
        }
        return steps;
    }
}

/// <summary>The parts every chart shares: the SVG element, the grid and ticks, the legend.</summary>
internal static class ChartFrame
{
    public static SvgText Open(string id, string title, double width, double height)
    {
        var svg = new SvgText();
        svg.Open("svg", $"xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"{SvgText.Escape(id)}\" viewBox=\"0 0 {SvgText.Coordinate(width)} {SvgText.Coordinate(height)}\" width=\"{SvgText.Coordinate(width)}\" height=\"{SvgText.Coordinate(height)}\" role=\"img\" aria-label=\"{SvgText.Escape(title)}\"");
        svg.Open("title").Raw(SvgText.Escape(title)).Close("title");
        svg.Label(8, 20, title, "start", "class=\"chart-title\"");
        return svg;
    }

    public static void Grid(SvgText svg, ResolvedAxis x, ResolvedAxis y, double left, double top, double width, double height, string xTitle, string yTitle)
    {
        svg.Rect(left, top, width, height, "fill=\"#fff\" stroke=\"#bbb\"");
        foreach (var t in x.Ticks)
        {
            var px = left + x.Fraction(t) * width;
            svg.Line(px, top, px, top + height, "stroke=\"#eee\"");
            svg.Label(px, top + height + 15, ChartStyle.Number(t), "middle", "class=\"tick\"");
        }
        foreach (var t in y.Ticks)
        {
            var py = top + (1 - y.Fraction(t)) * height;
            svg.Line(left, py, left + width, py, "stroke=\"#eee\"");
            svg.Label(left - 6, py + 4, ChartStyle.Number(t), "end", "class=\"tick\"");
        }
        svg.Label(left + width / 2, top + height + 33, xTitle, "middle", "class=\"axis-title\"");
        svg.Label(14, top + height / 2, yTitle, "middle", "class=\"axis-title\"", -90);
    }

    /// <summary>The legend's columns: three for short names, two when a name is long (so none is cut).</summary>
    public static int LegendColumns(IEnumerable<string> names) => names.Any(n => n.Length > 22) ? 2 : 3;

    public static void Legend(SvgText svg, IReadOnlyList<(string Name, string Color, bool Dashed)> items, double left, double top)
    {
        var columns = LegendColumns(items.Select(i => i.Name));
        var column = columns == 3 ? 165.0 : 245.0;
        for (var i = 0; i < items.Count; i++)
        {
            var x = left + i % columns * column;
            var y = top + i / columns * 18;
            var dash = items[i].Dashed ? " stroke-dasharray=\"5 3\"" : "";
            svg.Line(x, y - 4, x + 18, y - 4, $"stroke=\"{items[i].Color}\" stroke-width=\"3\"{dash}");
            svg.Label(x + 23, y, items[i].Name, "start", "class=\"legend\"", maxLength: columns == 3 ? 24 : 36);
        }
    }

    /// <summary>The text cut to <paramref name="length"/> characters with an ellipsis (to its first letter when only one fits).</summary>
    public static string Shorten(string text, int length) =>
        text.Length <= length ? text : length <= 1 ? text[..1] : text[..(length - 1)] + "…";
}
