using Exania.Core;

namespace Exania.Trees;

/// <summary>
/// Quantile cut points of one feature, XGBoost <c>hist</c> style: values are compared as float32, and a value
/// falls in the first bin whose upper cut is greater than it.
/// </summary>
/// <remarks>
/// <para>For the non-missing values of a column, sorted as float32 <c>x_(0) &lt;= .. &lt;= x_(N-1)</c>, with
/// <c>B = maxBins - 1</c> value bins at most (one bin is kept for missing values):</para>
/// <list type="bullet">
/// <item>If there are at most B distinct values <c>v_0 &lt; .. &lt; v_m</c>, the cuts are <c>v_1, .., v_m</c> plus the
/// sentinel: every distinct value has its own bin (as XGBoost when max_bin exceeds the distinct count).</item>
/// <item>Otherwise the interior cuts are the distinct values among <c>x_(floor(i N / B))</c>, i = 1..B-1, that are
/// greater than the minimum: equal-count quantiles, each row weighing 1.</item>
/// <item>The last cut is the sentinel <c>max + (|max| + 1e-5)</c> in float32 (XGBoost's), above every training value.</item>
/// </list>
/// <para>Bin of a value v: the smallest k with <c>(float)v &lt; cuts[k]</c>, clamped to the last bin; NaN goes to
/// the missing bin, index <c>cuts.Length</c>. So "bin &lt;= k" is exactly "<c>(float)v &lt; cuts[k]</c>": a split after
/// bin k has the threshold <c>cuts[k]</c> and sends a row left when its value is below it, XGBoost's convention.</para>
/// <para>A column with no non-missing value has no cuts: only the missing bin.</para>
/// </remarks>
public static class HistogramCuts
{
    /// <summary>The cut points (upper bin bounds, ascending, float32) of <paramref name="column"/>; see the type remarks.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBins"/> is below 2.</exception>
    public static float[] Compute(ReadOnlySpan<double> column, int maxBins)
    {
        if (maxBins < 2)
            ExaniaThrow.ArgumentOutOfRange(nameof(maxBins), maxBins, "maxBins must be at least 2 (one bin is for missing values).");
        var buffer = new float[column.Length];
        var n = 0;
        foreach (var v in column)
        {
            if (!double.IsNaN(v))
                buffer[n++] = (float)v;
        }
        return FromSorted(Sort(buffer.AsSpan(0, n)), maxBins - 1);
    }

    /// <summary>The bin of <paramref name="value"/>: the first k with <c>(float)value &lt; cuts[k]</c> (clamped to the last bin), or <c>cuts.Length</c> for NaN.</summary>
    public static int BinOf(ReadOnlySpan<float> cuts, double value)
    {
        if (double.IsNaN(value))
            return cuts.Length;
        var f = (float)value;
        int lo = 0, hi = cuts.Length - 1;
        if (hi < 0)
            return 0;
        // Upper bound: first cut > f, clamped to the last bin.
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (cuts[mid] > f)
                hi = mid;
            else
                lo = mid + 1;
        }
        return lo;
    }

    internal static Span<float> Sort(Span<float> values)
    {
        values.Sort();
        return values;
    }

    /// <summary>Cuts from ascending non-missing values; at most <paramref name="valueBins"/> bins.</summary>
    internal static float[] FromSorted(ReadOnlySpan<float> sorted, int valueBins)
    {
        var n = sorted.Length;
        if (n == 0)
            return [];
        var min = sorted[0];
        var max = sorted[n - 1];
        var distinct = 1;
        for (var i = 1; i < n && distinct <= valueBins; i++)
        {
            if (sorted[i] != sorted[i - 1])
                distinct++;
        }
        var cuts = new List<float>(Math.Min(distinct, valueBins) + 1);
        if (distinct <= valueBins)
        {
            for (var i = 1; i < n; i++)
            {
                if (sorted[i] != sorted[i - 1])
                    cuts.Add(sorted[i]);
            }
        }
        else
        {
            for (var i = 1; i < valueBins; i++)
            {
                var v = sorted[(int)((long)i * n / valueBins)];
                if (v > min && (cuts.Count == 0 || v > cuts[^1]))
                    cuts.Add(v);
            }
        }
        cuts.Add(Sentinel(max));
        return [.. cuts];
    }

    /// <summary>XGBoost's last cut, <c>max + (|max| + 1e-5)</c> in float32, kept finite.</summary>
    internal static float Sentinel(float max)
    {
        var last = max + (MathF.Abs(max) + 1e-5f);
        return float.IsFinite(last) ? last : float.MaxValue;
    }
}
