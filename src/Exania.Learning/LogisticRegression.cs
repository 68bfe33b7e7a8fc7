using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Exania.Core;

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
    /// <param name="threads">Worker threads (0 = all processors); the value does not depend on it (ordered chunk reduction).</param>
    public LogisticLoss(ReadOnlyMemory<double> features, int rows, int columns, ReadOnlyMemory<byte> labels,
        ReadOnlyMemory<double> sampleWeights, double c, int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (features.Length < (long)rows * columns)
            ExaniaThrow.Argument($"Features has {features.Length} values; {rows} rows x {columns} columns need {(long)rows * columns}.", nameof(features));
        if (labels.Length != rows)
            ExaniaThrow.LengthMismatch(nameof(labels), rows, labels.Length);
        if (!sampleWeights.IsEmpty && sampleWeights.Length != rows)
            ExaniaThrow.LengthMismatch(nameof(sampleWeights), rows, sampleWeights.Length);
        if (!(c > 0) || double.IsInfinity(c))
            ExaniaThrow.ArgumentOutOfRange(nameof(c), c, "C must be finite and positive.");
        foreach (var label in labels.Span)
        {
            if (label > 1)
                ExaniaThrow.Argument($"Labels must be 0 or 1; found {label}.", nameof(labels));
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
                    ExaniaThrow.Argument($"Sample weights must be finite and non-negative; found {w}.", nameof(sampleWeights));
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
        _parallel = Parallelism.Options(threads);
    }

    /// <summary>Coefficients plus the intercept.</summary>
    public int Dimension => _columns + 1;

    /// <summary>
    /// Diagonal of the objective's Hessian at zero parameters (every probability 1/2):
    /// C·Σᵢ wᵢ·xᵢⱼ²/4 + 1 for a coefficient, C·Σᵢ wᵢ/4 for the intercept. A cheap, fixed preconditioner for L-BFGS.
    /// </summary>
    public double[] HessianDiagonalAtZero()
    {
        var diagonal = new double[_columns + 1];
        var sums = diagonal.AsSpan(0, _columns);
        var square = new double[_columns];
        var features = _features.Span;
        var weights = _weights.Span;
        for (var i = 0; i < _rows; i++)
        {
            var row = features.Slice(i * _columns, _columns);
            TensorPrimitives.Multiply(row, row, square);
            TensorPrimitives.MultiplyAdd(square, weights.IsEmpty ? 1.0 : weights[i], sums, sums);
        }
        for (var j = 0; j < _columns; j++)
            diagonal[j] = 0.25 * _c * diagonal[j] + 1;
        diagonal[_columns] = Math.Max(0.25 * _c * WeightSum, 1e-12);
        return diagonal;
    }

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
            ExaniaThrow.LengthMismatch(nameof(parameters), dimension, parameters.Length);
        if (gradient.Length < dimension)
            ExaniaThrow.DestinationTooShort(nameof(gradient), dimension, gradient.Length);

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

    private double[]? _chunkHessians;

    /// <summary>
    /// Writes the Hessian of f at <paramref name="parameters"/> into <paramref name="destination"/> (row-major,
    /// (columns + 1)²): C·Σᵢ wᵢ pᵢ(1 − pᵢ) x̃ᵢx̃ᵢᵀ + diag(1, …, 1, 0), with x̃ = [x, 1]. Chunks are summed in a fixed order.
    /// </summary>
    public void Hessian(ReadOnlySpan<double> parameters, Span<double> destination)
    {
        var dimension = _columns + 1;
        if (parameters.Length != dimension)
            ExaniaThrow.LengthMismatch(nameof(parameters), dimension, parameters.Length);
        if (destination.Length < dimension * dimension)
            ExaniaThrow.DestinationTooShort(nameof(destination), dimension * dimension, destination.Length);
        parameters.CopyTo(_parameters);
        _chunkHessians ??= new double[(long)_chunks * dimension * dimension];
        Parallel.For(0, _chunks, _parallel, HessianChunk);
        destination = destination[..(dimension * dimension)];
        destination.Clear();
        for (var chunk = 0; chunk < _chunks; chunk++)
            TensorPrimitives.Add(destination, _chunkHessians.AsSpan(chunk * dimension * dimension, dimension * dimension), destination);
        TensorPrimitives.Multiply(destination, _c, destination);
        for (var j = 0; j < dimension; j++)
        {
            for (var k = 0; k < j; k++)
                destination[j * dimension + k] = destination[k * dimension + j]; // mirror the upper triangle
            if (j < _columns)
                destination[j * dimension + j] += 1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void HessianChunk(int chunk)
    {
        var columns = _columns;
        var dimension = columns + 1;
        var hessian = _chunkHessians.AsSpan(chunk * dimension * dimension, dimension * dimension);
        hessian.Clear();
        var first = chunk * ChunkRows;
        var last = Math.Min(first + ChunkRows, _rows);
        var features = _features.Span;
        var weights = _weights.Span;
        ReadOnlySpan<double> w = _parameters.AsSpan(0, columns);
        var intercept = _parameters[columns];
        Span<double> extended = dimension <= 1024 ? stackalloc double[dimension] : new double[dimension];
        extended[columns] = 1;
        for (var i = first; i < last; i++)
        {
            var row = features.Slice(i * columns, columns);
            var probability = LogisticRegression.Sigmoid(TensorPrimitives.Dot(row, w) + intercept);
            var h = probability * (1 - probability) * (weights.IsEmpty ? 1.0 : weights[i]);
            if (h == 0) continue;
            row.CopyTo(extended);
            for (var j = 0; j < dimension; j++)
            {
                var tail = extended[j..];
                TensorPrimitives.MultiplyAdd(tail, h * extended[j], hessian.Slice(j * dimension + j, dimension - j), hessian.Slice(j * dimension + j, dimension - j));
            }
        }
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
public sealed record LogisticRegressionFit(double[] Coefficients, double Intercept, LbfgsResult Optimization, int NewtonSteps = 0);

/// <summary>Fits scikit-learn-compatible L2 logistic regression with <see cref="Lbfgs"/>.</summary>
public static class LogisticRegression
{
    /// <summary>
    /// Minimises <see cref="LogisticLoss"/> from zero. The optimiser sees the objective divided by <c>C * sum(s)</c>
    /// (the same minimiser, as scikit-learn does), so <see cref="LbfgsOptions.Tolerance"/> bounds the gradient of the
    /// mean weighted loss and does not grow with the row count.
    /// </summary>
    public static LogisticRegressionFit Fit(ReadOnlyMemory<double> features, int rows, int columns, ReadOnlyMemory<byte> labels,
        ReadOnlyMemory<double> sampleWeights, double c, LbfgsOptions? options = null, int threads = 0)
    {
        var loss = new LogisticLoss(features, rows, columns, labels, sampleWeights, c, threads);
        var parameters = new double[columns + 1];
        // The expanded polynomial columns differ in scale by orders of magnitude; preconditioning L-BFGS with the inverse
        // Hessian diagonal at the start (same objective, better-conditioned steps) lets it converge in far fewer iterations.
        var scale = 1.0 / (c * loss.WeightSum);
        var preconditioner = loss.HessianDiagonalAtZero();
        for (var j = 0; j < preconditioner.Length; j++)
            preconditioner[j] = 1.0 / (preconditioner[j] * scale);
        var objective = new Scaled(loss, scale);
        var result = Lbfgs.Minimize(objective, parameters, options, preconditioner);
        var newtonSteps = 0;
        if (!(result.GradientMaxNorm <= (options ?? LbfgsOptions.Default).Tolerance))
            (result, newtonSteps) = NewtonPolish(loss, scale, parameters, result, options ?? LbfgsOptions.Default);
        var coefficients = parameters.AsSpan(0, columns).ToArray();
        return new LogisticRegressionFit(coefficients, parameters[columns], result, newtonSteps);
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
                ExaniaThrow.Argument($"Labels must be 0 or 1; found {label}.", nameof(labels));
            positives += label;
        }
        var negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
            ExaniaThrow.SingleClass("Class balancing", positives, negatives);
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

    /// <summary>Newton steps with the exact Hessian, at most.</summary>
    public const int MaxNewtonSteps = 10;

    /// <summary>
    /// Finishes a fit that L-BFGS left short of the gradient tolerance. The expanded polynomial features make the problem
    /// badly conditioned, so L-BFGS creeps; near the optimum Newton's method (exact Hessian, Cholesky, Armijo
    /// backtracking) converges quadratically, and with a few hundred parameters a Hessian costs about two hundred
    /// gradients.
    /// </summary>
    private static (LbfgsResult Result, int Steps) NewtonPolish(LogisticLoss loss, double scale, Span<double> parameters,
        LbfgsResult start, LbfgsOptions options)
    {
        var d = loss.Dimension;
        var gradient = new double[d];
        var hessian = new double[d * d];
        var step = new double[d];
        var trial = new double[d];
        var trialGradient = new double[d];
        var value = scale * loss.Evaluate(parameters, gradient);
        TensorPrimitives.Multiply(gradient, scale, gradient);
        var evaluations = start.Evaluations + 1;
        var steps = 0;
        var stop = start.Stop;
        var gmax = Math.Abs(TensorPrimitives.MaxMagnitude<double>(gradient));
        while (steps < MaxNewtonSteps && gmax > options.Tolerance)
        {
            loss.Hessian(parameters, hessian);
            TensorPrimitives.Multiply(hessian, scale, hessian);
            TensorPrimitives.Negate<double>(gradient, step);
            if (!Cholesky.Solve(hessian, d, step))
                break;
            var slope = TensorPrimitives.Dot<double>(step, gradient);
            if (!(slope < 0))
                break;
            var t = 1.0;
            var accepted = false;
            for (var k = 0; k < 30 && !accepted; k++, t *= 0.5)
            {
                TensorPrimitives.MultiplyAdd<double>(step, t, parameters, trial);
                var trialValue = scale * loss.Evaluate(trial, trialGradient);
                evaluations++;
                if (trialValue <= value + 1e-4 * t * slope)
                {
                    accepted = true;
                    value = trialValue;
                    trial.CopyTo(parameters);
                    TensorPrimitives.Multiply(trialGradient, scale, gradient);
                }
            }
            if (!accepted)
                break;
            steps++;
            gmax = Math.Abs(TensorPrimitives.MaxMagnitude<double>(gradient));
        }
        if (gmax <= options.Tolerance)
            stop = LbfgsStop.GradientTolerance;
        return (start with { Value = value, GradientMaxNorm = gmax, Evaluations = evaluations, Stop = stop }, steps);
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
