using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Exania.Learning;

/// <summary>
/// The L2-regularised, sample-weighted logistic loss of scikit-learn's <c>LogisticRegression(C)</c>:
/// <c>f(w, b) = C * sum_i s_i * log(1 + exp(-y_i (x_i . w + b))) + 0.5 * ||w||^2</c> with <c>y_i</c> in {-1, +1};
/// the intercept <c>b</c> is not penalised.
/// </summary>
/// <remarks>
/// <para>Parameters are laid out as <c>[w_0 .. w_{d-1}, b]</c>. One evaluation is one pass over the rows:
/// <c>z = x . w + b</c> by <c>TensorPrimitives.Dot</c>, then <c>grad += r x</c> by <c>TensorPrimitives.MultiplyAdd</c>
/// while the row is still in cache.</para>
/// <para>Rows are cut into fixed chunks of <see cref="ChunkRows"/>; chunks run in parallel and each writes its own
/// partial sums, which are then added in chunk order. The result therefore does not depend on thread scheduling
/// or on the number of cores.</para>
/// <para>Numerically stable form: <c>log(1 + exp(-m)) = max(-m, 0) + log1p(exp(-|m|))</c>, and the sigmoid reuses the
/// same <c>exp(-|z|)</c>, so no exponential can overflow.</para>
/// </remarks>
public sealed class LogisticLoss : IDifferentiableFunction
{
    /// <summary>Rows per parallel work item; fixed so the reduction order never changes.</summary>
    public const int ChunkRows = 2048;

    private readonly ReadOnlyMemory<double> _features;
    private readonly ReadOnlyMemory<byte> _labels;
    private readonly ReadOnlyMemory<double> _weights;
    private readonly int _rows;
    private readonly int _columns;
    private readonly double _c;
    private readonly int _chunks;
    private readonly double[] _parameters;
    private readonly double[] _chunkGradients; // _chunks x (columns + 1)
    private readonly double[] _chunkLosses;
    private readonly Action<int> _chunkBody;
    private readonly ParallelOptions _parallel;

    /// <param name="features">Row-major, <paramref name="rows"/> x <paramref name="columns"/>; not copied.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of features per row.</param>
    /// <param name="labels">0/1 per row.</param>
    /// <param name="sampleWeights">Non-negative weight per row, or empty for all ones.</param>
    /// <param name="c">Inverse regularisation strength, as scikit-learn's <c>C</c>.</param>
    public LogisticLoss(ReadOnlyMemory<double> features, int rows, int columns, ReadOnlyMemory<byte> labels,
        ReadOnlyMemory<double> sampleWeights, double c)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (features.Length < (long)rows * columns)
            LearningThrow.Argument($"Features has {features.Length} values; {rows} rows x {columns} columns need {(long)rows * columns}.", nameof(features));
        if (labels.Length != rows)
            LearningThrow.LengthMismatch(nameof(labels), rows, labels.Length);
        if (!sampleWeights.IsEmpty && sampleWeights.Length != rows)
            LearningThrow.LengthMismatch(nameof(sampleWeights), rows, sampleWeights.Length);
        if (!(c > 0) || double.IsInfinity(c))
            LearningThrow.ArgumentOutOfRange(nameof(c), c, "C must be finite and positive.");
        foreach (var label in labels.Span)
        {
            if (label > 1)
                LearningThrow.Argument($"Labels must be 0 or 1; found {label}.", nameof(labels));
        }
        var weightSum = 0.0;
        if (sampleWeights.IsEmpty)
        {
            weightSum = rows;
        }
        else
        {
            foreach (var w in sampleWeights.Span)
            {
                if (!(w >= 0) || double.IsInfinity(w))
                    LearningThrow.Argument($"Sample weights must be finite and non-negative; found {w}.", nameof(sampleWeights));
                weightSum += w;
            }
        }

        _features = features[..(rows * columns)];
        _labels = labels;
        _weights = sampleWeights;
        _rows = rows;
        _columns = columns;
        _c = c;
        WeightSum = weightSum;
        _chunks = (rows + ChunkRows - 1) / ChunkRows;
        _parameters = new double[columns + 1];
        _chunkGradients = new double[_chunks * (columns + 1)];
        _chunkLosses = new double[_chunks];
        _chunkBody = EvaluateChunk;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
    }

    /// <summary>Coefficients plus the intercept.</summary>
    public int Dimension => _columns + 1;

    public int Rows => _rows;

    public int Columns => _columns;

    public double C => _c;

    /// <summary>Sum of the sample weights (the row count when unweighted).</summary>
    public double WeightSum { get; }

    /// <summary>Returns f and writes its gradient; <paramref name="parameters"/> is <c>[w..., b]</c>.</summary>
    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        var dimension = _columns + 1;
        if (parameters.Length != dimension)
            LearningThrow.LengthMismatch(nameof(parameters), dimension, parameters.Length);
        if (gradient.Length < dimension)
            LearningThrow.DestinationTooShort(nameof(gradient), dimension, gradient.Length);

        parameters.CopyTo(_parameters);
        if (_chunks == 1 || _parallel.MaxDegreeOfParallelism == 1)
        {
            for (var chunk = 0; chunk < _chunks; chunk++)
                EvaluateChunk(chunk);
        }
        else
        {
            Parallel.For(0, _chunks, _parallel, _chunkBody);
        }

        // Fixed-order reduction.
        gradient = gradient[..dimension];
        gradient.Clear();
        var loss = 0.0;
        for (var chunk = 0; chunk < _chunks; chunk++)
        {
            loss += _chunkLosses[chunk];
            TensorPrimitives.Add(gradient, _chunkGradients.AsSpan(chunk * dimension, dimension), gradient);
        }
        TensorPrimitives.Multiply(gradient, _c, gradient);
        var coefficients = parameters[.._columns];
        // The L2 term: + 0.5 ||w||^2 in f and + w in the gradient (intercept excluded).
        TensorPrimitives.Add(gradient[.._columns], coefficients, gradient[.._columns]);
        return _c * loss + 0.5 * TensorPrimitives.Dot(coefficients, coefficients);
    }

    // Fully optimised from the first call: a fit runs this loop a few dozen times, too few for tiering to pay off.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EvaluateChunk(int chunk)
    {
        var columns = _columns;
        var dimension = columns + 1;
        var first = chunk * ChunkRows;
        var last = Math.Min(first + ChunkRows, _rows);
        var features = _features.Span;
        var labels = _labels.Span;
        var weights = _weights.Span;
        var weighted = !weights.IsEmpty;
        ReadOnlySpan<double> w = _parameters.AsSpan(0, columns);
        var b = _parameters[columns];
        var gradient = _chunkGradients.AsSpan(chunk * dimension, columns);
        gradient.Clear();
        var interceptGradient = 0.0;
        var loss = 0.0;
        for (var i = first; i < last; i++)
        {
            var row = features.Slice(i * columns, columns);
            var z = TensorPrimitives.Dot(row, w) + b;
            var t = labels[i];
            var s = weighted ? weights[i] : 1.0;
            var e = Math.Exp(-Math.Abs(z));
            var margin = t == 1 ? z : -z;
            loss += s * (Math.Max(-margin, 0) + LogisticRegression.Log1P(e));
            var p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
            var r = s * (p - t);
            if (r != 0)
                TensorPrimitives.MultiplyAdd(row, r, gradient, gradient);
            interceptGradient += r;
        }
        _chunkGradients[chunk * dimension + columns] = interceptGradient;
        _chunkLosses[chunk] = loss;
    }
}

/// <summary>A fitted logistic regression: coefficients, intercept and how the optimiser finished.</summary>
public sealed record LogisticRegressionFit(double[] Coefficients, double Intercept, LbfgsResult Optimization);

/// <summary>Fits scikit-learn-compatible L2 logistic regression with <see cref="Lbfgs"/>.</summary>
public static class LogisticRegression
{
    /// <summary>
    /// Minimises <see cref="LogisticLoss"/> from zero. The optimiser sees the objective divided by <c>C * sum(s)</c>
    /// (the same minimiser, as scikit-learn does), so <see cref="LbfgsOptions.Tolerance"/> bounds the gradient of the
    /// mean weighted loss and does not grow with the row count.
    /// </summary>
    public static LogisticRegressionFit Fit(ReadOnlyMemory<double> features, int rows, int columns, ReadOnlyMemory<byte> labels,
        ReadOnlyMemory<double> sampleWeights, double c, LbfgsOptions? options = null)
    {
        var loss = new LogisticLoss(features, rows, columns, labels, sampleWeights, c);
        var parameters = new double[columns + 1];
        var result = Lbfgs.Minimize(new Scaled(loss, 1.0 / (c * loss.WeightSum)), parameters, options);
        var coefficients = parameters.AsSpan(0, columns).ToArray();
        return new LogisticRegressionFit(coefficients, parameters[columns], result);
    }

    /// <summary>
    /// Per-row weights for scikit-learn's <c>class_weight='balanced'</c>: a row of class k weighs <c>n / (2 n_k)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Only one class is present, or a label is not 0/1.</exception>
    public static double[] BalancedSampleWeights(ReadOnlySpan<byte> labels)
    {
        var positives = 0;
        foreach (var label in labels)
        {
            if (label > 1)
                LearningThrow.Argument($"Labels must be 0 or 1; found {label}.", nameof(labels));
            positives += label;
        }
        var negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
            LearningThrow.SingleClass("Class balancing", positives, negatives);
        var positiveWeight = labels.Length / (2.0 * positives);
        var negativeWeight = labels.Length / (2.0 * negatives);
        var weights = new double[labels.Length];
        for (var i = 0; i < weights.Length; i++)
            weights[i] = labels[i] == 1 ? positiveWeight : negativeWeight;
        return weights;
    }

    /// <summary>
    /// Accurate <c>log(1 + x)</c> for small <paramref name="x"/> (.NET's <c>double.LogP1</c> computes <c>Log(x + 1)</c>,
    /// which loses the low bits): the correction <c>x / (u - 1)</c> cancels the rounding of <c>u = 1 + x</c> (Goldberg, 1991).
    /// </summary>
    public static double Log1P(double x)
    {
        var u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * (x / (u - 1.0));
    }

    /// <summary>Numerically stable logistic function 1 / (1 + exp(-z)).</summary>
    public static double Sigmoid(double z)
    {
        var e = Math.Exp(-Math.Abs(z));
        return z >= 0 ? 1 / (1 + e) : e / (1 + e);
    }

    private sealed class Scaled(IDifferentiableFunction inner, double scale) : IDifferentiableFunction
    {
        public int Dimension => inner.Dimension;

        public double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient)
        {
            var f = inner.Evaluate(parameters, gradient);
            TensorPrimitives.Multiply(gradient[..Dimension], scale, gradient[..Dimension]);
            return f * scale;
        }
    }
}
