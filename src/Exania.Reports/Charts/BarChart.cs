namespace Exania.Reports.Charts;

/// <summary>One group of bars: a value per category, with optional ± error half-widths.</summary>
public sealed record BarGroup(string Name, IReadOnlyList<double> Values, IReadOnlyList<double>? Errors = null, string? Color = null);

/// <summary>
/// Horizontal bars, one row per category (read top to bottom), one bar per group in each row; an optional reference
/// value (e.g. a ratio of 1) is drawn as a dashed line. Each bar is labelled with its value.
/// </summary>
public sealed class BarChart(string id, string title, string valueTitle, IReadOnlyList<string> categories) : IChart
{
    private const double Width = 560, Top = 34, Right = 60, Bottom = 40, LegendRow = 18;

    public string Id { get; } = id;
    public string Title { get; } = title;
    public IReadOnlyList<string> Categories { get; } = categories;
    public List<BarGroup> Groups { get; } = [];
    /// <summary>A value marked across the chart, e.g. 1 for ratios; null for none.</summary>
    public double? Reference { get; init; }
    public string? ReferenceLabel { get; init; }
    public AxisScale Scale { get; init; } = AxisScale.Linear;

    public BarChart Add(BarGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Values.Count != Categories.Count || (group.Errors is not null && group.Errors.Count != Categories.Count))
            throw new ArgumentException($"Group '{group.Name}' needs one value (and error) per category ({Categories.Count}).", nameof(group));
        Groups.Add(group);
        return this;
    }

    public string ToSvg()
    {
        var groups = Math.Max(Groups.Count, 1);
        var barHeight = groups == 1 ? 16.0 : 10.0;
        var rowHeight = barHeight * groups + 8;
        var left = Math.Clamp(Categories.Select(c => ChartFrame.Shorten(c, 28).Length).DefaultIfEmpty(4).Max() * 6.6 + 14, 60, 210);
        var plotWidth = Width - left - Right;
        var plotHeight = Math.Max(rowHeight * Categories.Count, 40);
        var legendColumns = ChartFrame.LegendColumns(Groups.Select(g => g.Name));
        var legendRows = Groups.Count > 1 ? (Groups.Count + legendColumns - 1) / legendColumns : 0;
        var height = Top + plotHeight + Bottom + legendRows * LegendRow;

        var values = Groups.SelectMany(g => g.Values.Select((v, i) => v + (g.Errors?[i] ?? 0))
            .Concat(g.Values.Select((v, i) => v - (g.Errors?[i] ?? 0)))).ToList();
        if (Reference is { } r) values.Add(r);
        if (Scale == AxisScale.Linear) values.Add(0);
        var axis = ResolvedAxis.Fit(new Axis(valueTitle, Scale: Scale), values);
        double Px(double v) => left + Math.Clamp(axis.Fraction(v), 0, 1) * plotWidth;
        var origin = Scale == AxisScale.Log ? left : Px(0);

        var svg = ChartFrame.Open(Id, Title, Width, height);
        svg.Rect(left, Top, plotWidth, plotHeight, "fill=\"#fff\" stroke=\"#bbb\"");
        foreach (var t in axis.Ticks)
        {
            var px = left + axis.Fraction(t) * plotWidth;
            svg.Line(px, Top, px, Top + plotHeight, "stroke=\"#eee\"");
            svg.Label(px, Top + plotHeight + 15, ChartStyle.Number(t), "middle", "class=\"tick\"");
        }
        svg.Label(left + plotWidth / 2, Top + plotHeight + 33, valueTitle, "middle", "class=\"axis-title\"");
        for (var g = 0; g < Groups.Count; g++)
        {
            var group = Groups[g];
            var color = group.Color ?? ChartStyle.ColorOf(g);
            svg.Open("g", $"class=\"series\" data-series=\"{SvgText.Escape(group.Name)}\" data-points=\"{group.Values.Count}\"");
            for (var c = 0; c < Categories.Count; c++)
            {
                var value = group.Values[c];
                var y = Top + c * rowHeight + 4 + g * barHeight;
                if (!axis.CanDraw(value)) continue;
                var end = Px(value);
                svg.Rect(Math.Min(origin, end), y, Math.Abs(end - origin), barHeight - 2, $"fill=\"{color}\" class=\"bar\" data-value=\"{SvgText.Escape(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture))}\"");
                if (group.Errors is { } errors && errors[c] > 0)
                {
                    var mid = y + (barHeight - 2) / 2;
                    svg.Line(Px(value - errors[c]), mid, Px(value + errors[c]), mid, "stroke=\"#222\" stroke-width=\"1.2\"");
                }
                var labelAt = Math.Max(origin, group.Errors is { } e && e[c] > 0 ? Math.Max(end, Px(value + e[c])) : end);
                svg.Label(labelAt + 4, y + barHeight - 4, ChartStyle.Number(value), "start", "class=\"bar-label\"");
            }
            svg.Close("g");
        }
        for (var c = 0; c < Categories.Count; c++)
            svg.Label(left - 6, Top + c * rowHeight + rowHeight / 2 + 4, Categories[c], "end", "class=\"tick\"", maxLength: 28);
        if (Reference is { } reference && axis.CanDraw(reference))
        {
            var px = Px(reference);
            svg.Line(px, Top, px, Top + plotHeight, $"stroke=\"{ChartStyle.Baseline}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"");
            if (ReferenceLabel is not null)
                svg.Label(px + 4, Top - 4, ReferenceLabel, "start", "class=\"marker-label\"");
        }
        if (Groups.Count > 1)
            ChartFrame.Legend(svg, Groups.Select((gr, i) => (gr.Name, gr.Color ?? ChartStyle.ColorOf(i), false)).ToList(), left, Top + plotHeight + Bottom + 12);
        return svg.Close("svg").ToString();
    }
}

/// <summary>How a heatmap colours its cells.</summary>
public enum HeatmapScale
{
    /// <summary>White for the smallest value to deep blue for the largest (counts, weights).</summary>
    Sequential,
    /// <summary>Blue below zero, white at zero, red above, symmetric in magnitude (differences from a reference).</summary>
    Diverging,
}

/// <summary>A grid of coloured cells with row and column labels; each cell shows its text (its value unless given).</summary>
public sealed class Heatmap(string id, string title, IReadOnlyList<string> rows, IReadOnlyList<string> columns, double[,] values) : IChart
{
    private const double Top = 34;

    public string Id { get; } = id;
    public string Title { get; } = title;
    public IReadOnlyList<string> Rows { get; } = rows;
    public IReadOnlyList<string> Columns { get; } = columns;
    public double[,] Values { get; } = values;
    public HeatmapScale Scale { get; init; } = HeatmapScale.Sequential;
    /// <summary>Text drawn in each cell; null draws the value.</summary>
    public string[,]? CellText { get; init; }
    public string? RowTitle { get; init; }
    public string? ColumnTitle { get; init; }

    public string ToSvg()
    {
        if (Values.GetLength(0) != Rows.Count || Values.GetLength(1) != Columns.Count)
            throw new InvalidOperationException($"Heatmap '{Id}' has {Values.GetLength(0)}x{Values.GetLength(1)} values for {Rows.Count}x{Columns.Count} labels.");
        var left = Math.Clamp(Rows.Select(r => ChartFrame.Shorten(r, 26).Length).DefaultIfEmpty(4).Max() * 6.6 + 14, 50, 200);
        var cell = Math.Clamp(480.0 / Math.Max(Columns.Count, 1), 22, 64);
        var cellHeight = 24.0;
        var labelBand = Columns.Max(c => ChartFrame.Shorten(c, 18).Length) * 5.6 + 16;
        var width = Math.Max(left + cell * Columns.Count + 20, 360);
        var height = Top + labelBand + cellHeight * Rows.Count + 26;
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (var v in Values)
        {
            if (!double.IsFinite(v)) continue;
            low = Math.Min(low, v);
            high = Math.Max(high, v);
        }
        var magnitude = Math.Max(Math.Abs(low), Math.Abs(high));

        var svg = ChartFrame.Open(Id, Title, width, height);
        var gridTop = Top + labelBand;
        for (var c = 0; c < Columns.Count; c++)
            svg.Label(left + c * cell + cell / 2, gridTop - 6, Columns[c], "start", "class=\"tick\"", -45, maxLength: 18);
        svg.Open("g", $"class=\"series\" data-series=\"cells\" data-points=\"{Values.Length}\"");
        for (var r = 0; r < Rows.Count; r++)
        {
            svg.Label(left - 6, gridTop + r * cellHeight + cellHeight / 2 + 4, Rows[r], "end", "class=\"tick\"", maxLength: 26);
            for (var c = 0; c < Columns.Count; c++)
            {
                var v = Values[r, c];
                var (fill, dark) = Color(v, low, high, magnitude);
                svg.Rect(left + c * cell, gridTop + r * cellHeight, cell - 1, cellHeight - 1, $"fill=\"{fill}\" class=\"cell\"");
                var text = CellText?[r, c] ?? ChartStyle.Number(v);
                if (text.Length * 6 < cell)
                    svg.Label(left + c * cell + cell / 2, gridTop + r * cellHeight + cellHeight / 2 + 4, text, "middle", dark ? "class=\"cell-text\" fill=\"#fff\"" : "class=\"cell-text\"");
            }
        }
        svg.Close("g");
        if (RowTitle is not null) svg.Label(8, gridTop - 6, RowTitle, "start", "class=\"axis-title\"");
        if (ColumnTitle is not null) svg.Label(left, height - 8, ColumnTitle, "start", "class=\"axis-title\"");
        return svg.Close("svg").ToString();
    }

    private (string Fill, bool Dark) Color(double value, double low, double high, double magnitude)
    {
        if (!double.IsFinite(value)) return ("#f4f4f4", false);
        if (Scale == HeatmapScale.Diverging)
        {
            var t = magnitude == 0 ? 0 : value / magnitude; // -1 .. 1
            var (r, g, b) = t >= 0 ? Mix((255, 255, 255), (178, 24, 43), t) : Mix((255, 255, 255), (33, 102, 172), -t);
            return ($"rgb({r},{g},{b})", Math.Abs(t) > 0.6);
        }
        var s = high > low ? (value - low) / (high - low) : 0;
        var (sr, sg, sb) = Mix((247, 251, 255), (8, 48, 107), s);
        return ($"rgb({sr},{sg},{sb})", s > 0.55);
    }

    private static (int, int, int) Mix((int R, int G, int B) from, (int R, int G, int B) to, double t) =>
        ((int)Math.Round(from.R + (to.R - from.R) * t), (int)Math.Round(from.G + (to.G - from.G) * t), (int)Math.Round(from.B + (to.B - from.B) * t));
}
