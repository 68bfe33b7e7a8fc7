namespace Exania.Reports.Charts;

/// <summary>How an axis maps values to positions.</summary>
public enum AxisScale
{
    Linear,
    /// <summary>Base-10 logarithmic; values ≤ 0 cannot be drawn and are left out (the chart says how many).</summary>
    Log,
}

/// <summary>One axis of a chart: its title, scale and range (null ends follow the data, widened to round ticks).</summary>
public sealed record Axis(string Title, double? Min = null, double? Max = null, AxisScale Scale = AxisScale.Linear)
{
    /// <summary>The axis over [0, 1], as probabilities and rates are drawn.</summary>
    public static Axis Unit(string title) => new(title, 0, 1);
}

/// <summary>An axis fitted to data: the drawn range and its ticks.</summary>
internal sealed class ResolvedAxis
{
    private ResolvedAxis(AxisScale scale, double low, double high, IReadOnlyList<double> ticks)
    {
        Scale = scale;
        Low = low;
        High = high;
        Ticks = ticks;
    }

    public AxisScale Scale { get; }
    public double Low { get; }
    public double High { get; }
    public IReadOnlyList<double> Ticks { get; }

    /// <summary>Position of <paramref name="value"/> in [0, 1] along the axis (outside for values off the range).</summary>
    public double Fraction(double value)
    {
        if (Scale == AxisScale.Log)
            return (Math.Log10(value) - Math.Log10(Low)) / (Math.Log10(High) - Math.Log10(Low));
        return (value - Low) / (High - Low);
    }

    public bool CanDraw(double value) => double.IsFinite(value) && (Scale == AxisScale.Linear || value > 0);

    public static ResolvedAxis Fit(Axis axis, IEnumerable<double> values)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (var v in values)
        {
            if (!double.IsFinite(v) || (axis.Scale == AxisScale.Log && v <= 0)) continue;
            low = Math.Min(low, v);
            high = Math.Max(high, v);
        }
        if (axis.Min is { } min) low = min;
        if (axis.Max is { } max) high = max;
        if (!double.IsFinite(low) || !double.IsFinite(high))
            (low, high) = axis.Scale == AxisScale.Log ? (1, 10) : (0, 1);
        return axis.Scale == AxisScale.Log ? FitLog(low, high, axis) : FitLinear(low, high, axis);
    }

    private static ResolvedAxis FitLinear(double low, double high, Axis axis)
    {
        if (high - low <= 0)
        {
            var pad = low == 0 ? 1 : Math.Abs(low) * 0.1;
            (low, high) = (low - pad, high + pad);
        }
        var step = NiceStep((high - low) / 5);
        // Ends given by the caller stay exact; ends taken from the data widen to the next tick.
        var drawnLow = axis.Min ?? Math.Floor(low / step) * step;
        var drawnHigh = axis.Max ?? Math.Ceiling(high / step) * step;
        var ticks = new List<double>();
        for (var t = Math.Ceiling(drawnLow / step - 1e-9) * step; t <= drawnHigh + step * 1e-9; t += step)
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return new ResolvedAxis(AxisScale.Linear, drawnLow, drawnHigh, ticks);
    }

    private static ResolvedAxis FitLog(double low, double high, Axis axis)
    {
        var lowDecade = Math.Floor(Math.Log10(low));
        var highDecade = Math.Ceiling(Math.Log10(high));
        if (highDecade <= lowDecade) highDecade = lowDecade + 1;
        var drawnLow = axis.Min ?? Math.Pow(10, lowDecade);
        var drawnHigh = axis.Max ?? Math.Pow(10, highDecade);
        var ticks = new List<double>();
        var decades = highDecade - lowDecade;
        for (var d = lowDecade; d <= highDecade; d++)
        {
            foreach (var m in decades <= 2 ? [1.0, 2, 5] : new[] { 1.0 })
            {
                var t = m * Math.Pow(10, d);
                if (t >= drawnLow * (1 - 1e-9) && t <= drawnHigh * (1 + 1e-9)) ticks.Add(t);
            }
        }
        return new ResolvedAxis(AxisScale.Log, drawnLow, drawnHigh, ticks);
    }

    /// <summary>The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least <paramref name="rough"/>.</summary>
    private static double NiceStep(double rough)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        foreach (var m in (ReadOnlySpan<double>)[1, 2, 2.5, 5, 10])
        {
            if (m * power >= rough * (1 - 1e-9)) return m * power;
        }
        return 10 * power;
    }
}
