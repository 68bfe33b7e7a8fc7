using System.Globalization;
using System.Text;

namespace Exania.Reports.Charts;

/// <summary>
/// Writes SVG markup: coordinates with two decimals (a hundredth of a pixel is below what a screen or printer shows),
/// text and attributes escaped, numbers formatted with the invariant culture.
/// </summary>
internal sealed class SvgText
{
    private readonly StringBuilder _text = new();

    public static string Coordinate(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    public SvgText Raw(string markup)
    {
        _text.Append(markup);
        return this;
    }

    public SvgText Open(string tag, string attributes = "")
    {
        _text.Append('<').Append(tag);
        if (attributes.Length > 0) _text.Append(' ').Append(attributes);
        _text.Append('>');
        return this;
    }

    public SvgText Close(string tag)
    {
        _text.Append("</").Append(tag).Append('>');
        return this;
    }

    public SvgText Line(double x1, double y1, double x2, double y2, string style) =>
        Raw($"<line x1=\"{Coordinate(x1)}\" y1=\"{Coordinate(y1)}\" x2=\"{Coordinate(x2)}\" y2=\"{Coordinate(y2)}\" {style}/>");

    public SvgText Rect(double x, double y, double width, double height, string style) =>
        Raw($"<rect x=\"{Coordinate(x)}\" y=\"{Coordinate(y)}\" width=\"{Coordinate(Math.Max(width, 0))}\" height=\"{Coordinate(Math.Max(height, 0))}\" {style}/>");

    public SvgText Circle(double x, double y, double radius, string style) =>
        Raw($"<circle cx=\"{Coordinate(x)}\" cy=\"{Coordinate(y)}\" r=\"{Coordinate(radius)}\" {style}/>");

    /// <summary>
    /// A text element; <paramref name="anchor"/> is start, middle or end. Text longer than <paramref name="maxLength"/>
    /// is cut with an ellipsis and keeps its whole wording as the element's title (shown on hover, read by screen readers).
    /// </summary>
    public SvgText Label(double x, double y, string text, string anchor = "start", string style = "", double rotate = 0, int maxLength = int.MaxValue)
    {
        var transform = rotate == 0 ? "" : $" transform=\"rotate({Coordinate(rotate)} {Coordinate(x)} {Coordinate(y)})\"";
        var shown = text.Length <= maxLength ? Escape(text) : $"{Escape(text[..(maxLength - 1)])}…<title>{Escape(text)}</title>";
        return Raw($"<text x=\"{Coordinate(x)}\" y=\"{Coordinate(y)}\" text-anchor=\"{anchor}\"{transform} {style}>{shown}</text>");
    }

    /// <summary>A polyline through the points (pixel coordinates).</summary>
    public SvgText Polyline(IReadOnlyList<(double X, double Y)> points, string style)
    {
        _text.Append("<polyline points=\"");
        for (var i = 0; i < points.Count; i++)
        {
            if (i > 0) _text.Append(' ');
            _text.Append(Coordinate(points[i].X)).Append(',').Append(Coordinate(points[i].Y));
        }
        _text.Append("\" fill=\"none\" ").Append(style).Append("/>");
        return this;
    }

    public override string ToString() => _text.ToString();
}

/// <summary>Shared look of every chart: the series colours (a colour-blind-safe palette) and number labels.</summary>
public static class ChartStyle
{
    /// <summary>Okabe–Ito colours, distinguishable with the common colour-vision deficiencies, in series order.</summary>
    public static IReadOnlyList<string> Palette { get; } =
        ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

    /// <summary>The neutral grey of reference lines and baselines.</summary>
    public const string Baseline = "#7f7f7f";

    public static string ColorOf(int index) => Palette[index % Palette.Count];

    /// <summary>A short label for a number: up to four significant digits, thousands grouped, no exponent below 1e9.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value)) return "n/a";
        if (double.IsInfinity(value)) return value > 0 ? "∞" : "-∞";
        var magnitude = Math.Abs(value);
        if (magnitude >= 1e9 || (magnitude < 1e-4 && magnitude > 0))
            return value.ToString("0.###e0", CultureInfo.InvariantCulture);
        if (magnitude >= 1000)
            return value.ToString("#,0", CultureInfo.InvariantCulture);
        return value.ToString(magnitude >= 100 ? "0.#" : magnitude >= 1 ? "0.###" : "0.####", CultureInfo.InvariantCulture);
    }
}
