using System.Runtime.CompilerServices;

namespace Exania.Trees;

/// <summary>
/// The training matrix quantised by <see cref="HistogramCuts"/>: bin codes (byte when every feature has at most 256
/// codes, ushort otherwise), where code <c>ValueBins[f]</c> is feature f's missing bin. Held twice: column-major
/// (sequential scans of one feature: the root's histograms, partitions) and row-major (a node's scattered rows: one
/// cache line per row for all features instead of one per feature).
/// </summary>
internal sealed class BinnedMatrix
{
    private BinnedMatrix(int rows, float[][] cuts, byte[]? bins8, ushort[]? bins16, byte[]? rowBins8, ushort[]? rowBins16)
    {
        Rows = rows;
        Cuts = cuts;
        Features = cuts.Length;
        ValueBins = new int[Features];
        HistOffset = new int[Features];
        var offset = 0;
        for (var f = 0; f < Features; f++)
        {
            ValueBins[f] = cuts[f].Length;
            HistOffset[f] = offset;
            offset += cuts[f].Length + 1;
        }
        TotalBins = offset;
        Bins8 = bins8;
        Bins16 = bins16;
        RowBins8 = rowBins8;
        RowBins16 = rowBins16;
    }

    public int Rows { get; }

    public int Features { get; }

    /// <summary>Cut points per feature (see <see cref="HistogramCuts"/>).</summary>
    public float[][] Cuts { get; }

    /// <summary>Value bins per feature; the missing bin of feature f has this index.</summary>
    public int[] ValueBins { get; }

    /// <summary>Where feature f's bins (value bins then the missing bin) start in a node histogram, in bins.</summary>
    public int[] HistOffset { get; }

    /// <summary>Sum over features of value bins + 1.</summary>
    public int TotalBins { get; }

    public byte[]? Bins8 { get; }

    public ushort[]? Bins16 { get; }

    /// <summary>Row-major copy of <see cref="Bins8"/>: row r's codes are <c>[r * Features, (r + 1) * Features)</c>.</summary>
    public byte[]? RowBins8 { get; }

    /// <summary>Row-major copy of <see cref="Bins16"/>.</summary>
    public ushort[]? RowBins16 { get; }

    public int Bin(int feature, int row) =>
        Bins8 is { } b ? b[(long)feature * Rows + row] : Bins16![(long)feature * Rows + row];

    /// <summary>Computes the cuts of every column of a row-major matrix and bins it (parallel over features).</summary>
    public static BinnedMatrix Build(double[] rowMajor, int rows, int features, int maxBins, int threads)
    {
        // Transpose to float32 columns once (row blocks in parallel): sorting and binning then read contiguous memory.
        var columns = new float[(long)rows * features];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        const int Block = 4096;
        Parallel.For(0, (rows + Block - 1) / Block, options, b =>
        {
            var end = Math.Min(rows, (b + 1) * Block);
            for (var r = b * Block; r < end; r++)
            {
                var row = rowMajor.AsSpan(r * features, features);
                for (var f = 0; f < row.Length; f++)
                    columns[(long)f * rows + r] = (float)row[f];
            }
        });

        var cuts = new float[features][];
        var wide = maxBins > 256;
        var bins8 = wide ? null : new byte[(long)rows * features];
        var bins16 = wide ? new ushort[(long)rows * features] : null;
        Parallel.For(0, features, options, () => new float[rows], (f, _, scratch) =>
        {
            var column = columns.AsSpan((int)((long)f * rows), rows);
            var n = 0;
            foreach (var v in column)
            {
                if (!float.IsNaN(v))
                    scratch[n++] = v;
            }
            var c = HistogramCuts.FromSorted(HistogramCuts.Sort(scratch.AsSpan(0, n)), maxBins - 1);
            cuts[f] = c;
            if (wide)
                Assign(column, c, bins16.AsSpan((int)((long)f * rows), rows));
            else
                Assign(column, c, bins8.AsSpan((int)((long)f * rows), rows));
            return scratch;
        }, _ => { });

        byte[]? rowBins8 = null;
        ushort[]? rowBins16 = null;
        if (wide)
            rowBins16 = Transpose(bins16!, rows, features, options);
        else
            rowBins8 = Transpose(bins8!, rows, features, options);
        return new BinnedMatrix(rows, cuts, bins8, bins16, rowBins8, rowBins16);
    }

    /// <summary>Column-major to row-major, in parallel over row blocks.</summary>
    private static TBin[] Transpose<TBin>(TBin[] columns, int rows, int features, ParallelOptions options)
        where TBin : unmanaged
    {
        var result = new TBin[(long)rows * features];
        const int Block = 4096;
        Parallel.For(0, (rows + Block - 1) / Block, options, b =>
        {
            var start = b * Block;
            var end = Math.Min(rows, start + Block);
            for (var f = 0; f < features; f++)
            {
                var column = columns.AsSpan((int)((long)f * rows), rows);
                for (var r = start; r < end; r++)
                    result[(long)r * features + f] = column[r];
            }
        });
        return result;
    }

    private static void Assign<TBin>(ReadOnlySpan<float> column, float[] cuts, Span<TBin> destination)
        where TBin : unmanaged
    {
        var missing = cuts.Length;
        var last = cuts.Length - 1;
        for (var r = 0; r < column.Length; r++)
        {
            var v = column[r];
            int bin;
            if (float.IsNaN(v))
            {
                bin = missing;
            }
            else
            {
                int lo = 0, hi = last;
                while (lo < hi)
                {
                    var mid = (lo + hi) >>> 1;
                    if (cuts[mid] > v)
                        hi = mid;
                    else
                        lo = mid + 1;
                }
                bin = lo;
            }
            destination[r] = FromInt<TBin>(bin);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ToInt<TBin>(TBin value)
        where TBin : unmanaged =>
        typeof(TBin) == typeof(byte) ? Unsafe.As<TBin, byte>(ref value) : Unsafe.As<TBin, ushort>(ref value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TBin FromInt<TBin>(int value)
        where TBin : unmanaged
    {
        if (typeof(TBin) == typeof(byte))
        {
            var b = (byte)value;
            return Unsafe.As<byte, TBin>(ref b);
        }
        var u = (ushort)value;
        return Unsafe.As<ushort, TBin>(ref u);
    }
}
