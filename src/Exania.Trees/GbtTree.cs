using System.Runtime.CompilerServices;
using Exania.Core;

namespace Exania.Trees;

/// <summary>
/// One regression tree as parallel arrays indexed by node (the root is node 0, children have larger indices).
/// </summary>
/// <remarks>
/// A node is a leaf when <c>Left[i] == -1</c> (then <c>Right[i] == -1</c>, <c>Feature[i] == -1</c>). An internal node
/// sends a row to <c>Left[i]</c> when <c>(float)x[Feature[i]] &lt; Threshold[i]</c>, to <c>Right[i]</c> otherwise, and
/// a NaN to <c>Left[i]</c> when <c>DefaultLeft[i]</c>. Thresholds are float32 values stored as doubles, so the test
/// is the same in float32 (ONNX, XGBoost) and here. <c>Value</c> holds leaf weights (learning rate applied);
/// <c>Gain</c> and <c>Cover</c> (hessian sum of the training rows reaching the node) feed feature importance.
/// </remarks>
public sealed class GbtTree
{
    private readonly int[] _feature;
    private readonly double[] _threshold;
    private readonly float[] _thresholdF;
    private readonly bool[] _defaultLeft;
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly double[] _value;
    private readonly double[] _gain;
    private readonly double[] _cover;

    /// <summary>Wraps (does not copy) the node arrays after validating them.</summary>
    /// <exception cref="ArgumentException">Lengths differ, a child index does not point forward to a node with a single parent, a threshold is not a finite float32, or a leaf value is not finite.</exception>
    public GbtTree(int[] feature, double[] threshold, bool[] defaultLeft, int[] left, int[] right, double[] value,
        double[] gain, double[] cover)
    {
        ArgumentNullException.ThrowIfNull(feature);
        ArgumentNullException.ThrowIfNull(threshold);
        ArgumentNullException.ThrowIfNull(defaultLeft);
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(gain);
        ArgumentNullException.ThrowIfNull(cover);
        var n = feature.Length;
        if (n == 0)
            ExaniaThrow.Argument("A tree needs at least one node.", nameof(feature));
        if (threshold.Length != n || defaultLeft.Length != n || left.Length != n || right.Length != n ||
            value.Length != n || gain.Length != n || cover.Length != n)
            ExaniaThrow.Argument($"Node arrays differ in length: feature {n}, threshold {threshold.Length}, default_left {defaultLeft.Length}, left {left.Length}, right {right.Length}, value {value.Length}, gain {gain.Length}, cover {cover.Length}.", nameof(feature));
        var parents = new int[n];
        _thresholdF = new float[n];
        for (var i = 0; i < n; i++)
        {
            if (left[i] == -1 || right[i] == -1)
            {
                if (left[i] != -1 || right[i] != -1 || feature[i] != -1)
                    ExaniaThrow.Argument($"Node {i} is half a leaf: left {left[i]}, right {right[i]}, feature {feature[i]} (a leaf has all three -1).", nameof(left));
                if (!double.IsFinite(value[i]))
                    ExaniaThrow.Argument($"Leaf {i} has value {value[i]}; it must be finite.", nameof(value));
                continue;
            }
            if (feature[i] < 0)
                ExaniaThrow.Argument($"Node {i} splits on feature {feature[i]}.", nameof(feature));
            if (left[i] <= i || left[i] >= n || right[i] <= i || right[i] >= n || left[i] == right[i])
                ExaniaThrow.Argument($"Node {i} has children {left[i]} and {right[i]}; they must be distinct nodes after it, below {n}.", nameof(left));
            var t = (float)threshold[i];
            if (!float.IsFinite(t) || t != threshold[i])
                ExaniaThrow.Argument($"Node {i} has threshold {threshold[i]}; it must be a finite float32 value.", nameof(threshold));
            _thresholdF[i] = t;
            parents[left[i]]++;
            parents[right[i]]++;
        }
        for (var i = 1; i < n; i++)
        {
            if (parents[i] != 1)
                ExaniaThrow.Argument($"Node {i} has {parents[i]} parents; every node but the root needs exactly one.", nameof(left));
        }
        _feature = feature;
        _threshold = threshold;
        _defaultLeft = defaultLeft;
        _left = left;
        _right = right;
        _value = value;
        _gain = gain;
        _cover = cover;
    }

    public int NodeCount => _feature.Length;

    /// <summary>Split feature per node (-1 for leaves).</summary>
    public ReadOnlySpan<int> Feature => _feature;

    /// <summary>Split threshold per node (float32-representable; 0 for leaves). Left when <c>(float)x &lt; threshold</c>.</summary>
    public ReadOnlySpan<double> Threshold => _threshold;

    /// <summary>Where a missing value goes, per node.</summary>
    public ReadOnlySpan<bool> DefaultLeft => _defaultLeft;

    public ReadOnlySpan<int> Left => _left;

    public ReadOnlySpan<int> Right => _right;

    /// <summary>Leaf weight per node (0 for internal nodes), learning rate included.</summary>
    public ReadOnlySpan<double> Value => _value;

    /// <summary>Split gain per node (0 for leaves).</summary>
    public ReadOnlySpan<double> Gain => _gain;

    /// <summary>Hessian sum of the training rows that reached the node.</summary>
    public ReadOnlySpan<double> Cover => _cover;

    public bool IsLeaf(int node) => _left[node] < 0;

    public int LeafCount
    {
        get
        {
            var count = 0;
            foreach (var l in _left)
            {
                if (l < 0)
                    count++;
            }
            return count;
        }
    }

    /// <summary>Depth of the deepest leaf (a single leaf has depth 0).</summary>
    public int Depth => DepthOf(0);

    /// <summary>The leaf <paramref name="row"/> lands in. The row must have every feature the tree uses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int LeafIndex(ReadOnlySpan<double> row)
    {
        var feature = _feature;
        var left = _left;
        var node = 0;
        while (left[node] >= 0)
        {
            var x = row[feature[node]];
            bool goLeft = double.IsNaN(x) ? _defaultLeft[node] : (float)x < _thresholdF[node];
            node = goLeft ? left[node] : _right[node];
        }
        return node;
    }

    /// <summary>The leaf weight of <paramref name="row"/>.</summary>
    public double Predict(ReadOnlySpan<double> row) => _value[LeafIndex(row)];

    internal int MaxFeature()
    {
        var max = -1;
        foreach (var f in _feature)
            max = Math.Max(max, f);
        return max;
    }

    internal int[] FeatureArray => _feature;

    internal double[] ThresholdArray => _threshold;

    internal bool[] DefaultLeftArray => _defaultLeft;

    internal int[] LeftArray => _left;

    internal int[] RightArray => _right;

    internal double[] ValueArray => _value;

    internal double[] GainArray => _gain;

    internal double[] CoverArray => _cover;

    private int DepthOf(int node) => _left[node] < 0 ? 0 : 1 + Math.Max(DepthOf(_left[node]), DepthOf(_right[node]));
}
