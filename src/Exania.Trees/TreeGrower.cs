using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Exania.Trees;

/// <summary>The best split found for a node: loss change <c>S_L + S_R - S</c> with <c>S(G, H) = T_α(G)² / (H + λ)</c>.</summary>
internal struct SplitCandidate
{
    public double Change;
    public int Feature;
    /// <summary>Last value bin that goes left.</summary>
    public int Bin;
    public bool DefaultLeft;
    public double GL, HL, GR, HR;

    public static SplitCandidate None => new() { Feature = -1 };
}

internal sealed class GrowNode
{
    public int Id;
    public int Begin;
    public int Count;
    public double G;
    public double H;
    public int Depth;
    public double[]? Hist;
    public SplitCandidate Best = SplitCandidate.None;
    public bool Split;
}

/// <summary>
/// Grows one tree on a <see cref="BinnedMatrix"/> from per-row gradients and hessians (XGBoost's exact-greedy over
/// histogram bins). Rows of a node are a contiguous range of <c>_rowIndex</c>, in ascending order. The root's
/// histograms are read from the bin columns; the other nodes' from the row-major bins, one row at a time.
/// </summary>
/// <remarks>
/// Determinism: each feature's histogram is accumulated by one thread, in row order; splits are reduced in feature
/// order; partitions are stable. So the tree depends only on the inputs, not on scheduling or thread count.
/// </remarks>
internal sealed class TreeGrower
{
    /// <summary>XGBoost's kRtEps: a split must reduce the loss (un-halved) by more than this.</summary>
    internal const double MinLossChange = 1e-6;

    /// <summary>Rows per chunk of the root's histograms: 1,024 gradient pairs are 16 KB.</summary>
    private const int HistogramChunk = 1024;

    /// <summary>Features with at most this many bins (missing included) accumulate into <see cref="Lanes"/> interleaved copies.</summary>
    private const int MaxLaneBins = 32;

    private const int Lanes = 4;

    /// <summary>Rows per block when copying a round's gradients and row ids.</summary>
    private const int CopyBlock = 65536;

    /// <summary>Rows per block of the parallel partition.</summary>
    private const int PartitionBlock = 16384;

    /// <summary>How many rows ahead <see cref="AccumulateRows"/> prefetches a row's codes and gradient pair.</summary>
    private const int Ahead = 32;

    private readonly double[]?[] _laneScratch;
    /// <summary>Per worker: its features and their scratch offsets per lane, for <see cref="BuildScattered"/>.</summary>
    private readonly int[]?[] _ownedFeatures;
    private readonly int[]?[] _ownedOffsets;

    private readonly BinnedMatrix _data;
    private readonly GbtOptions _options;
    private readonly ParallelOptions _parallel;
    private readonly int[] _rowIndex;
    private readonly int[] _tmpIndex;
    /// <summary>(g, h) of every row, interleaved, indexed by row.</summary>
    private readonly double[] _gh;
    private readonly Stack<double[]> _pool = new();
    private readonly List<GrowNode> _nodes = [];
    private int[] _active = [];

    // The tree under construction, indexed by node id.
    private readonly List<int> _feature = [];
    private readonly List<int> _bin = [];
    private readonly List<bool> _defaultLeft = [];
    private readonly List<int> _left = [];
    private readonly List<int> _right = [];
    private readonly List<double> _value = [];
    private readonly List<double> _gain = [];
    private readonly List<double> _cover = [];

    public TreeGrower(BinnedMatrix data, GbtOptions options)
    {
        _data = data;
        _options = options;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads };
        _rowIndex = new int[data.Rows];
        _tmpIndex = new int[data.Rows];
        _gh = new double[2 * data.Rows];
        _laneScratch = new double[options.Threads][];
        _ownedFeatures = new int[options.Threads][];
        _ownedOffsets = new int[options.Threads][];
    }

    /// <summary>Split bin per node of the last grown tree (-1 for leaves); with the data's cuts it gives the thresholds.</summary>
    public IReadOnlyList<int> SplitBins => _bin;

    /// <summary>
    /// Grows a tree on the first <paramref name="count"/> rows of <paramref name="rows"/> (ascending) using the
    /// features <paramref name="active"/> (ascending), and adds each leaf's weight to <paramref name="margin"/> for
    /// those rows.
    /// </summary>
    public GbtTree Grow(double[] g, double[] h, int[] rows, int count, int[] active, double[] margin)
    {
        _active = active;
        _nodes.Clear();
        _feature.Clear();
        _bin.Clear();
        _defaultLeft.Clear();
        _left.Clear();
        _right.Clear();
        _value.Clear();
        _gain.Clear();
        _cover.Clear();

        // Root sums over the sampled rows, in row order: one sequential chain, so it runs as its own task while
        // the other workers interleave the gradient pairs and copy the row ids by blocks.
        double sumG = 0, sumH = 0;
        var blocks = (g.Length + CopyBlock - 1) / CopyBlock;
        Parallel.For(0, blocks + 1, _parallel, b =>
        {
            if (b == 0)
            {
                double sg = 0, sh = 0;
                foreach (var r in rows.AsSpan(0, count))
                {
                    sg += g[r];
                    sh += h[r];
                }
                sumG = sg;
                sumH = sh;
                return;
            }
            var start = (b - 1) * CopyBlock;
            var end = Math.Min(g.Length, start + CopyBlock);
            var gh = _gh.AsSpan(2 * start, 2 * (end - start));
            var gs = g.AsSpan(start, end - start);
            var hs = h.AsSpan(start, end - start);
            for (var i = 0; i < gs.Length; i++)
            {
                gh[2 * i] = gs[i];
                gh[2 * i + 1] = hs[i];
            }
            if (start < count)
                rows.AsSpan(start, Math.Min(count, end) - start).CopyTo(_rowIndex.AsSpan(start));
        });
        var root = NewNode(0, count, sumG, sumH, 0);
        if (CanSplit(root))
        {
            root.Hist = Rent();
            BuildHistograms([root]);
            FindSplits([root]);
        }

        if (_options.Growth == GbtGrowth.DepthWise)
            GrowDepthWise(root);
        else
            GrowLossGuided(root);

        // Leaves: weight -T_α(G) / (H + λ) * η, added to the margin of their rows (disjoint, so in parallel).
        var eta = _options.LearningRate;
        var leaves = new List<GrowNode>();
        foreach (var node in _nodes)
        {
            if (node.Hist is { } hist)
            {
                _pool.Push(hist);
                node.Hist = null;
            }
            if (node.Split)
                continue;
            _value[node.Id] = LeafWeight(node.G, node.H) * eta;
            leaves.Add(node);
        }
        Parallel.For(0, leaves.Count, _parallel, i =>
        {
            var node = leaves[i];
            var w = _value[node.Id];
            foreach (var r in _rowIndex.AsSpan(node.Begin, node.Count))
                margin[r] += w;
        });

        var thresholds = new double[_nodes.Count];
        for (var i = 0; i < thresholds.Length; i++)
            thresholds[i] = _feature[i] >= 0 ? _data.Cuts[_feature[i]][_bin[i]] : 0;
        return new GbtTree([.. _feature], thresholds, [.. _defaultLeft], [.. _left], [.. _right], [.. _value], [.. _gain], [.. _cover]);
    }

    /// <summary>Adds the last tree's leaf weights to the margin of training rows that were not sampled (walks the tree on bins).</summary>
    public void AddToRows(ReadOnlySpan<int> rows, Span<double> margin)
    {
        foreach (var r in rows)
        {
            var node = 0;
            while (_left[node] >= 0)
            {
                var f = _feature[node];
                var b = _data.Bin(f, r);
                var goLeft = b == _data.ValueBins[f] ? _defaultLeft[node] : b <= _bin[node];
                node = goLeft ? _left[node] : _right[node];
            }
            margin[r] += _value[node];
        }
    }

    private void GrowDepthWise(GrowNode root)
    {
        List<GrowNode> level = [root];
        while (level.Count > 0)
        {
            var splitting = new List<GrowNode>();
            foreach (var node in level)
            {
                if (IsValid(node.Best))
                    splitting.Add(node);
                else if (node.Hist is { } hist)
                {
                    _pool.Push(hist);
                    node.Hist = null;
                }
            }
            if (splitting.Count == 0)
                break;
            level = ApplySplits(splitting);
        }
    }

    private void GrowLossGuided(GrowNode root)
    {
        var open = new List<GrowNode> { root };
        var leaves = 1;
        var maxLeaves = _options.MaxLeaves;
        while (maxLeaves == 0 || leaves < maxLeaves)
        {
            GrowNode? best = null;
            foreach (var node in open)
            {
                if (IsValid(node.Best) && (best is null || node.Best.Change > best.Best.Change))
                    best = node;
            }
            if (best is null)
                break;
            open.Remove(best);
            var children = ApplySplits([best]);
            open.AddRange(children);
            leaves++;
        }
    }

    /// <summary>Splits the nodes, partitions their rows, and prepares histograms and best splits of the children that may split further.</summary>
    private List<GrowNode> ApplySplits(List<GrowNode> parents)
    {
        var children = new List<GrowNode>(2 * parents.Count);
        var leftCounts = Partition(parents);

        var smaller = new List<GrowNode>(parents.Count);
        var larger = new List<(GrowNode Parent, GrowNode Child, GrowNode Sibling)>(parents.Count);
        for (var i = 0; i < parents.Count; i++)
        {
            var p = parents[i];
            var s = p.Best;
            p.Split = true;
            var left = NewNode(p.Begin, leftCounts[i], s.GL, s.HL, p.Depth + 1);
            var right = NewNode(p.Begin + leftCounts[i], p.Count - leftCounts[i], s.GR, s.HR, p.Depth + 1);
            _feature[p.Id] = s.Feature;
            _bin[p.Id] = s.Bin;
            _defaultLeft[p.Id] = s.DefaultLeft;
            _left[p.Id] = left.Id;
            _right[p.Id] = right.Id;
            _gain[p.Id] = 0.5 * s.Change - _options.Gamma;
            children.Add(left);
            children.Add(right);

            var parentHist = p.Hist!;
            p.Hist = null;
            if (!CanSplit(left) && !CanSplit(right))
            {
                _pool.Push(parentHist);
                continue;
            }
            var (small, large) = left.Count <= right.Count ? (left, right) : (right, left);
            small.Hist = Rent();
            large.Hist = parentHist;
            smaller.Add(small);
            larger.Add((p, large, small));
        }
        if (smaller.Count == 0)
            return children;

        BuildHistograms(smaller);
        // Sibling by subtraction: the larger child's histogram is the parent's minus the smaller child's, in place.
        foreach (var (_, large, small) in larger)
            TensorPrimitives.Subtract(large.Hist!, small.Hist!, large.Hist!);

        var evaluate = new List<GrowNode>(children.Count);
        foreach (var child in children)
        {
            if (child.Hist is null)
                continue;
            if (CanSplit(child))
                evaluate.Add(child);
        }
        FindSplits(evaluate);
        return children;
    }

    private bool CanSplit(GrowNode node) =>
        (_options.MaxDepth == 0 || node.Depth < _options.MaxDepth) && node.Count >= 2 && node.H >= 2 * _options.MinChildWeight;

    private bool IsValid(in SplitCandidate s) =>
        s.Feature >= 0 && s.Change > MinLossChange && 0.5 * s.Change - _options.Gamma > 0;

    private GrowNode NewNode(int begin, int count, double g, double h, int depth)
    {
        var node = new GrowNode { Id = _nodes.Count, Begin = begin, Count = count, G = g, H = h, Depth = depth };
        _nodes.Add(node);
        _feature.Add(-1);
        _bin.Add(-1);
        _defaultLeft.Add(false);
        _left.Add(-1);
        _right.Add(-1);
        _value.Add(0);
        _gain.Add(0);
        _cover.Add(h);
        return node;
    }

    private double[] Rent() => _pool.Count > 0 ? _pool.Pop() : new double[2 * _data.TotalBins];

    internal double LeafWeight(double g, double h)
    {
        var denominator = h + _options.Lambda;
        return denominator > 0 ? -ThresholdL1(g, _options.Alpha) / denominator : 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double ThresholdL1(double g, double alpha) =>
        g > alpha ? g - alpha : g < -alpha ? g + alpha : 0;

    // ---- histograms ---------------------------------------------------------------------------------------------

    /// <summary>Fills the histograms of <paramref name="nodes"/> for the active features, in parallel over features.</summary>
    private void BuildHistograms(List<GrowNode> nodes)
    {
        var active = _active;
        var workers = Math.Min(_options.Threads, active.Length);
        Parallel.For(0, workers, _parallel, w =>
        {
            // Features k = w, w + workers, ..: numeric columns usually come first and one-hot dummies last, so an
            // interleave balances the work better than contiguous slices. Any assignment gives the same histograms.
            var lanes = _laneScratch[w] ??= new double[Lanes * 2 * _data.TotalBins];
            foreach (var node in nodes)
            {
                if (node.Count == _data.Rows)
                    BuildDense(node, w, workers, lanes);
                else
                    BuildScattered(node, w, workers, lanes);
            }
        });
    }

    /// <summary>
    /// Worker <paramref name="w"/>'s features of a node holding every row in order (the root without subsampling),
    /// from the columns: bins and pairs are read sequentially, in chunks of rows whose pairs stay in L1 while each
    /// of the worker's features goes over them.
    /// </summary>
    private void BuildDense(GrowNode node, int w, int workers, double[] lanes)
    {
        var active = _active;
        for (var k = w; k < active.Length; k += workers)
        {
            var f = active[k];
            var length = 2 * (_data.ValueBins[f] + 1);
            if (length <= MaxLaneBins * 2)
                lanes.AsSpan(Lanes * 2 * _data.HistOffset[f], Lanes * length).Clear();
            else
                node.Hist.AsSpan(2 * _data.HistOffset[f], length).Clear();
        }
        for (var start = 0; start < node.Count; start += HistogramChunk)
        {
            var count = Math.Min(HistogramChunk, node.Count - start);
            ReadOnlySpan<double> gh = _gh.AsSpan(2 * start, 2 * count);
            for (var k = w; k < active.Length; k += workers)
            {
                var f = active[k];
                var length = 2 * (_data.ValueBins[f] + 1);
                var column = (int)((long)f * _data.Rows) + start;
                if (length <= MaxLaneBins * 2)
                {
                    var lane = lanes.AsSpan(Lanes * 2 * _data.HistOffset[f], Lanes * length);
                    if (_data.Bins8 is { } b8)
                        AccumulateLanes(b8.AsSpan(column, count), gh, lane, length);
                    else
                        AccumulateLanes(_data.Bins16.AsSpan(column, count), gh, lane, length);
                }
                else
                {
                    var hist = node.Hist.AsSpan(2 * _data.HistOffset[f], length);
                    if (_data.Bins8 is { } b8)
                        Accumulate(b8.AsSpan(column, count), gh, hist);
                    else
                        Accumulate(_data.Bins16.AsSpan(column, count), gh, hist);
                }
            }
        }
        // Fold the lanes of few-bin features, always in lane order.
        for (var k = w; k < active.Length; k += workers)
        {
            var f = active[k];
            var length = 2 * (_data.ValueBins[f] + 1);
            if (length > MaxLaneBins * 2)
                continue;
            var lane = lanes.AsSpan(Lanes * 2 * _data.HistOffset[f], Lanes * length);
            var hist = node.Hist.AsSpan(2 * _data.HistOffset[f], length);
            for (var j = 0; j < length; j++)
                hist[j] = lane[j] + lane[length + j] + lane[2 * length + j] + lane[3 * length + j];
        }
    }

    /// <summary>
    /// Worker <paramref name="w"/>'s features of a node whose rows are scattered, read from the row-major bins: each
    /// row's codes share a cache line, where the columns would cost one miss per feature. Every feature still sees
    /// the node's rows in order, and few-bin features use the same lanes as the column path (row i of the node into
    /// lane i mod 4, the last <c>Count mod 4</c> rows into lane 0), so both paths give identical histograms.
    /// </summary>
    private void BuildScattered(GrowNode node, int w, int workers, double[] scratch)
    {
        var active = _active;
        var owned = (active.Length - w + workers - 1) / workers;
        var features = _ownedFeatures[w] ??= new int[active.Length];
        var offsets = _ownedOffsets[w] ??= new int[Lanes * active.Length];
        // Scratch layout: feature f's pairs start at Lanes * HistOffset[f]; a few-bin feature's lane j is j * bins
        // pairs further, other features use lane 0's place for every row.
        var j = 0;
        for (var k = w; k < active.Length; k += workers, j++)
        {
            var f = active[k];
            var bins = _data.ValueBins[f] + 1;
            var start = Lanes * _data.HistOffset[f];
            var laned = bins <= MaxLaneBins;
            features[j] = f;
            for (var lane = 0; lane < Lanes; lane++)
                offsets[Lanes * j + lane] = laned ? start + lane * bins : start;
            scratch.AsSpan(2 * start, 2 * (laned ? Lanes * bins : bins)).Clear();
        }

        var rows = _rowIndex.AsSpan(node.Begin, node.Count);
        if (_data.RowBins8 is { } b8)
            AccumulateRows(b8, _data.Features, rows, _gh, features.AsSpan(0, owned), offsets.AsSpan(0, Lanes * owned), scratch);
        else
            AccumulateRows(_data.RowBins16!, _data.Features, rows, _gh, features.AsSpan(0, owned), offsets.AsSpan(0, Lanes * owned), scratch);

        // Into the node's histogram: few-bin features fold their lanes in lane order, the others are copied.
        for (j = 0; j < owned; j++)
        {
            var f = features[j];
            var length = 2 * (_data.ValueBins[f] + 1);
            var hist = node.Hist.AsSpan(2 * _data.HistOffset[f], length);
            var lane = scratch.AsSpan(Lanes * 2 * _data.HistOffset[f], length <= MaxLaneBins * 2 ? Lanes * length : length);
            if (length > MaxLaneBins * 2)
            {
                lane.CopyTo(hist);
                continue;
            }
            for (var b = 0; b < length; b++)
                hist[b] = lane[b] + lane[length + b] + lane[2 * length + b] + lane[3 * length + b];
        }
    }

    /// <summary>
    /// Adds each row's (g, h) pair (read through its row id) into the bin of every feature in
    /// <paramref name="features"/>, reading the row's codes from the row-major <paramref name="matrix"/>. Rows go four
    /// at a time, row i + j using <c>offsets[4 * k + j]</c> (in pairs) for feature k; the remaining rows use lane
    /// 0's offsets.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AccumulateRows<TBin>(TBin[] matrix, int width, ReadOnlySpan<int> rows, double[] gh, ReadOnlySpan<int> features, ReadOnlySpan<int> offsets, Span<double> scratch)
        where TBin : unmanaged
    {
        ref var m = ref MemoryMarshal.GetArrayDataReference(matrix);
        ref var pairs = ref Unsafe.As<double, Vector128<double>>(ref MemoryMarshal.GetArrayDataReference(gh));
        ref var t = ref Unsafe.As<double, Vector128<double>>(ref MemoryMarshal.GetReference(scratch));
        ref var ids = ref MemoryMarshal.GetReference(rows);
        ref var fs = ref MemoryMarshal.GetReference(features);
        ref var o0 = ref MemoryMarshal.GetReference(offsets);
        var k = features.Length;
        var n = rows.Length;
        var i = 0;
        for (; i + 4 <= n; i += 4)
        {
            if (Sse.IsSupported && i + Ahead + 4 <= n)
            {
                for (var q = 0; q < 4; q++)
                {
                    var ahead = Unsafe.Add(ref ids, i + Ahead + q);
                    Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref m, (nint)ahead * width)));
                    Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref pairs, ahead)));
                }
            }
            var r0 = Unsafe.Add(ref ids, i);
            var r1 = Unsafe.Add(ref ids, i + 1);
            var r2 = Unsafe.Add(ref ids, i + 2);
            var r3 = Unsafe.Add(ref ids, i + 3);
            ref var row0 = ref Unsafe.Add(ref m, (nint)r0 * width);
            ref var row1 = ref Unsafe.Add(ref m, (nint)r1 * width);
            ref var row2 = ref Unsafe.Add(ref m, (nint)r2 * width);
            ref var row3 = ref Unsafe.Add(ref m, (nint)r3 * width);
            var p0 = Unsafe.Add(ref pairs, r0);
            var p1 = Unsafe.Add(ref pairs, r1);
            var p2 = Unsafe.Add(ref pairs, r2);
            var p3 = Unsafe.Add(ref pairs, r3);
            ref var o = ref MemoryMarshal.GetReference(offsets);
            ref var f = ref MemoryMarshal.GetReference(features);
            for (var j = 0; j < k; j++)
            {
                var c = Unsafe.Add(ref f, j);
                Unsafe.Add(ref t, Unsafe.Add(ref o, 0) + BinnedMatrix.ToInt(Unsafe.Add(ref row0, c))) += p0;
                Unsafe.Add(ref t, Unsafe.Add(ref o, 1) + BinnedMatrix.ToInt(Unsafe.Add(ref row1, c))) += p1;
                Unsafe.Add(ref t, Unsafe.Add(ref o, 2) + BinnedMatrix.ToInt(Unsafe.Add(ref row2, c))) += p2;
                Unsafe.Add(ref t, Unsafe.Add(ref o, 3) + BinnedMatrix.ToInt(Unsafe.Add(ref row3, c))) += p3;
                o = ref Unsafe.Add(ref o, Lanes);
            }
        }
        for (; i < n; i++)
        {
            var r = Unsafe.Add(ref ids, i);
            ref var row = ref Unsafe.Add(ref m, (nint)r * width);
            var p = Unsafe.Add(ref pairs, r);
            for (var j = 0; j < k; j++)
                Unsafe.Add(ref t, Unsafe.Add(ref o0, Lanes * j) + BinnedMatrix.ToInt(Unsafe.Add(ref row, Unsafe.Add(ref fs, j)))) += p;
        }
    }

    /// <summary>Adds pair i of <paramref name="gh"/> into the bin <paramref name="column"/>[i] of <paramref name="hist"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<TBin>(ReadOnlySpan<TBin> column, ReadOnlySpan<double> gh, Span<double> hist)
        where TBin : unmanaged
    {
        // (g, h) pairs are added as one 128-bit vector. Bin codes were checked against the histogram length when the
        // matrix was built, so the unchecked reads stay inside it.
        ref var bins = ref MemoryMarshal.GetReference(column);
        ref var h = ref Unsafe.As<double, Vector128<double>>(ref MemoryMarshal.GetReference(hist));
        ref var pairs = ref Unsafe.As<double, Vector128<double>>(ref MemoryMarshal.GetReference(gh));
        var n = column.Length;
        for (var i = 0; i < n; i++)
            Unsafe.Add(ref h, BinnedMatrix.ToInt(Unsafe.Add(ref bins, i))) += Unsafe.Add(ref pairs, i);
    }

    /// <summary>
    /// As <see cref="Accumulate"/>, but row i adds into lane i mod 4 (lanes are <paramref name="length"/> doubles
    /// apart) and the last <c>n mod 4</c> rows into lane 0: with few bins, consecutive rows often hit the same bin,
    /// and one accumulator would serialise on it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateLanes<TBin>(ReadOnlySpan<TBin> column, ReadOnlySpan<double> gh, Span<double> lanes, int length)
        where TBin : unmanaged
    {
        ref var bins = ref MemoryMarshal.GetReference(column);
        ref var h0 = ref Unsafe.As<double, Vector128<double>>(ref MemoryMarshal.GetReference(lanes));
        var pairsPerLane = length / 2;
        ref var h1 = ref Unsafe.Add(ref h0, pairsPerLane);
        ref var h2 = ref Unsafe.Add(ref h1, pairsPerLane);
        ref var h3 = ref Unsafe.Add(ref h2, pairsPerLane);
        ref var pairs = ref Unsafe.As<double, Vector128<double>>(ref MemoryMarshal.GetReference(gh));
        var n = column.Length;
        var i = 0;
        for (; i + 4 <= n; i += 4)
        {
            var b0 = BinnedMatrix.ToInt(Unsafe.Add(ref bins, i));
            var b1 = BinnedMatrix.ToInt(Unsafe.Add(ref bins, i + 1));
            var b2 = BinnedMatrix.ToInt(Unsafe.Add(ref bins, i + 2));
            var b3 = BinnedMatrix.ToInt(Unsafe.Add(ref bins, i + 3));
            Unsafe.Add(ref h0, b0) += Unsafe.Add(ref pairs, i);
            Unsafe.Add(ref h1, b1) += Unsafe.Add(ref pairs, i + 1);
            Unsafe.Add(ref h2, b2) += Unsafe.Add(ref pairs, i + 2);
            Unsafe.Add(ref h3, b3) += Unsafe.Add(ref pairs, i + 3);
        }
        for (; i < n; i++)
            Unsafe.Add(ref h0, BinnedMatrix.ToInt(Unsafe.Add(ref bins, i))) += Unsafe.Add(ref pairs, i);
    }

    // ---- split finding ------------------------------------------------------------------------------------------

    private void FindSplits(List<GrowNode> nodes)
    {
        if (nodes.Count == 0)
            return;
        var active = _active;
        var results = new SplitCandidate[nodes.Count * active.Length];
        Parallel.For(0, results.Length, _parallel, k =>
        {
            var node = nodes[k / active.Length];
            var f = active[k % active.Length];
            var best = SplitCandidate.None;
            var hist = node.Hist.AsSpan(2 * _data.HistOffset[f], 2 * (_data.ValueBins[f] + 1));
            EvaluateFeature(hist, f, node.G, node.H, ref best);
            results[k] = best;
        });
        // Reduce in feature order: the first feature reaching the largest loss change wins.
        for (var i = 0; i < nodes.Count; i++)
        {
            var best = SplitCandidate.None;
            for (var k = 0; k < active.Length; k++)
            {
                ref var c = ref results[i * active.Length + k];
                if (c.Feature >= 0 && (best.Feature < 0 || c.Change > best.Change))
                    best = c;
            }
            nodes[i].Best = best;
        }
    }

    /// <summary>
    /// Scans one feature's bins: missing values right (ascending bins, left sums accumulated), then, when the node has
    /// missing values, missing values left (descending bins, right sums accumulated), as XGBoost 1.7's hist evaluator.
    /// Only a strictly larger loss change replaces the best so far.
    /// </summary>
    internal void EvaluateFeature(ReadOnlySpan<double> hist, int feature, double g, double h, ref SplitCandidate best)
    {
        var lambda = _options.Lambda;
        var alpha = _options.Alpha;
        var mcw = _options.MinChildWeight;
        var bins = hist.Length / 2 - 1;
        var parent = Score(g, h, lambda, alpha);
        var bestChange = best.Feature >= 0 ? best.Change : 0;

        double gl = 0, hl = 0;
        for (var s = 0; s < bins; s++)
        {
            if (hist[2 * s + 1] == 0 && hist[2 * s] == 0)
                continue; // an empty bin repeats the previous candidate, which wins ties
            gl += hist[2 * s];
            hl += hist[2 * s + 1];
            if (hl < mcw || hl <= 0)
                continue;
            var gr = g - gl;
            var hr = h - hl;
            if (hr < mcw || hr <= 0)
                continue;
            var change = Score(gl, hl, lambda, alpha) + Score(gr, hr, lambda, alpha) - parent;
            if (change > bestChange)
            {
                bestChange = change;
                best = new SplitCandidate { Change = change, Feature = feature, Bin = s, DefaultLeft = false, GL = gl, HL = hl, GR = gr, HR = hr };
            }
        }

        var missingH = hist[2 * bins + 1];
        if (!(missingH > 1e-10 * Math.Abs(h)))
            return;
        double gr2 = 0, hr2 = 0;
        for (var s = bins - 1; s >= 1; s--)
        {
            if (hist[2 * s + 1] == 0 && hist[2 * s] == 0)
                continue;
            gr2 += hist[2 * s];
            hr2 += hist[2 * s + 1];
            if (hr2 < mcw || hr2 <= 0)
                continue;
            var gl2 = g - gr2;
            var hl2 = h - hr2;
            if (hl2 < mcw || hl2 <= 0)
                continue;
            var change = Score(gl2, hl2, lambda, alpha) + Score(gr2, hr2, lambda, alpha) - parent;
            if (change > bestChange)
            {
                bestChange = change;
                best = new SplitCandidate { Change = change, Feature = feature, Bin = s - 1, DefaultLeft = true, GL = gl2, HL = hl2, GR = gr2, HR = hr2 };
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Score(double g, double h, double lambda, double alpha)
    {
        var t = ThresholdL1(g, alpha);
        return t * t / (h + lambda);
    }

    // ---- partition ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Stable partition of each node's rows by its best split: left rows first, each side in ascending row order.
    /// Returns the left counts. Nodes are cut into blocks partitioned in parallel, each in place; then the blocks'
    /// left parts and right parts are concatenated in block order, which gives the same order as one pass.
    /// </summary>
    private int[] Partition(List<GrowNode> nodes)
    {
        var blocks = new List<(int Node, int Begin, int Count)>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            for (var start = 0; start < node.Count; start += PartitionBlock)
                blocks.Add((i, node.Begin + start, Math.Min(PartitionBlock, node.Count - start)));
        }
        var blockLefts = new int[blocks.Count];
        Parallel.For(0, blocks.Count, _parallel, b =>
        {
            var (i, begin, count) = blocks[b];
            blockLefts[b] = Partition(nodes[i].Best, begin, count);
        });

        var lefts = new int[nodes.Count];
        for (var b = 0; b < blocks.Count; b++)
            lefts[blocks[b].Node] += blockLefts[b];
        // Where each block's left and right parts go, for nodes of more than one block.
        var leftAt = new int[blocks.Count];
        var rightAt = new int[blocks.Count];
        int leftNext = 0, rightNext = 0;
        for (var b = 0; b < blocks.Count; b++)
        {
            var node = nodes[blocks[b].Node];
            if (blocks[b].Begin == node.Begin)
            {
                leftNext = node.Begin;
                rightNext = node.Begin + lefts[blocks[b].Node];
            }
            leftAt[b] = leftNext;
            rightAt[b] = rightNext;
            leftNext += blockLefts[b];
            rightNext += blocks[b].Count - blockLefts[b];
        }
        Parallel.For(0, blocks.Count, _parallel, b =>
        {
            var (i, begin, count) = blocks[b];
            if (nodes[i].Count <= PartitionBlock)
                return;
            var left = blockLefts[b];
            _rowIndex.AsSpan(begin, left).CopyTo(_tmpIndex.AsSpan(leftAt[b]));
            _rowIndex.AsSpan(begin + left, count - left).CopyTo(_tmpIndex.AsSpan(rightAt[b]));
        });
        Parallel.For(0, blocks.Count, _parallel, b =>
        {
            var (i, begin, count) = blocks[b];
            if (nodes[i].Count > PartitionBlock)
                _tmpIndex.AsSpan(begin, count).CopyTo(_rowIndex.AsSpan(begin));
        });
        return lefts;
    }

    /// <summary>Stable partition of the rows <c>[begin, begin + count)</c> of <c>_rowIndex</c> by a split. Returns the left count.</summary>
    private int Partition(in SplitCandidate s, int begin, int count)
    {
        var column = (int)((long)s.Feature * _data.Rows);
        return _data.Bins8 is { } b8
            ? Partition(b8.AsSpan(column, _data.Rows), begin, count, s.Bin, _data.ValueBins[s.Feature], s.DefaultLeft)
            : Partition(_data.Bins16.AsSpan(column, _data.Rows), begin, count, s.Bin, _data.ValueBins[s.Feature], s.DefaultLeft);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Partition<TBin>(ReadOnlySpan<TBin> column, int begin, int count, int splitBin, int missingBin, bool defaultLeft)
        where TBin : unmanaged
    {
        // Missing values go left when their bin is missingLeft: -1 never matches a code.
        var missingLeft = defaultLeft ? missingBin : -1;
        ref var bins = ref MemoryMarshal.GetReference(column);
        ref var idx = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_rowIndex), begin);
        ref var tmp = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tmpIndex), begin);
        int l = 0, r = 0;
        for (var p = 0; p < count; p++)
        {
            var row = Unsafe.Add(ref idx, p);
            var b = BinnedMatrix.ToInt(Unsafe.Add(ref bins, row));
            var step = (b <= splitBin ? 1 : 0) | (b == missingLeft ? 1 : 0);
            // Write both ways, advance one: no unpredictable branch. Left writes never pass the read position.
            Unsafe.Add(ref idx, l) = row;
            Unsafe.Add(ref tmp, r) = row;
            l += step;
            r += 1 - step;
        }
        _tmpIndex.AsSpan(begin, r).CopyTo(_rowIndex.AsSpan(begin + l, r));
        return l;
    }
}
