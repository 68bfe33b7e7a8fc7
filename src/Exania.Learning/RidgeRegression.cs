using System.Numerics.Tensors;
using Exania.Core;

namespace Exania.Learning;

/// <summary>
/// Ridge regression on standardized columns with missing values imputed by the training mean: the linear baseline
/// that non-linear models (the gradient-boosted trees) are compared against. Solved exactly by the normal equations
/// (XᵀX + λI) β = Xᵀy with a Cholesky factorization; the intercept is not penalized.
/// </summary>
public sealed class RidgeRegression
{
    private readonly double[] _means;
    private readonly double[] _scales;
    private readonly double[] _coefficients;
    private readonly double _intercept;

    private RidgeRegression(double[] means, double[] scales, double[] coefficients, double intercept)
    {
        _means = means;
        _scales = scales;
        _coefficients = coefficients;
        _intercept = intercept;
    }

    /// <summary>Fits on row-major <paramref name="values"/> (NaN = missing) and targets <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a target is not finite.</exception>
    public static RidgeRegression Fit(ReadOnlySpan<double> values, int columns, ReadOnlySpan<double> y, double lambda = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (values.Length != y.Length * columns)
            throw new ArgumentException($"{values.Length} values are not {y.Length} rows of {columns} columns.", nameof(values));
        var rows = y.Length;
        var means = new double[columns];
        var counts = new int[columns];
        for (var r = 0; r < rows; r++)
        {
            if (!double.IsFinite(y[r]))
                throw new ArgumentException($"Target {r} is {y[r]}.", nameof(y));
            for (var c = 0; c < columns; c++)
            {
                var v = values[r * columns + c];
                if (double.IsNaN(v)) continue;
                means[c] += v;
                counts[c]++;
            }
        }
        for (var c = 0; c < columns; c++)
            means[c] = counts[c] > 0 ? means[c] / counts[c] : 0;
        var scales = new double[columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
            {
                var v = values[r * columns + c];
                var d = (double.IsNaN(v) ? means[c] : v) - means[c];
                scales[c] += d * d;
            }
        for (var c = 0; c < columns; c++)
        {
            var s = Math.Sqrt(scales[c] / Math.Max(1, rows));
            scales[c] = s > 0 ? s : 1;
        }

        var yMean = 0.0;
        foreach (var t in y) yMean += t;
        yMean /= rows;
        var gram = new double[columns * columns];
        var rhs = new double[columns];
        var z = new double[columns];
        for (var r = 0; r < rows; r++)
        {
            Standardize(values.Slice(r * columns, columns), means, scales, z);
            var target = y[r] - yMean;
            for (var j = 0; j < columns; j++)
            {
                rhs[j] += z[j] * target;
                TensorPrimitives.MultiplyAdd(z.AsSpan(j), z[j], gram.AsSpan(j * columns + j, columns - j), gram.AsSpan(j * columns + j, columns - j));
            }
        }
        for (var j = 0; j < columns; j++)
        {
            for (var k = 0; k < j; k++)
                gram[j * columns + k] = gram[k * columns + j];
            gram[j * columns + j] += lambda;
        }
        if (!Cholesky.Solve(gram, columns, rhs))
            throw new ArgumentException("The normal equations are not positive definite; raise lambda.", nameof(lambda));
        return new RidgeRegression(means, scales, rhs, yMean);
    }

    /// <summary>Predictions for row-major <paramref name="values"/>.</summary>
    public double[] Predict(ReadOnlySpan<double> values)
    {
        var columns = _means.Length;
        var rows = values.Length / columns;
        var result = new double[rows];
        var z = new double[columns];
        for (var r = 0; r < rows; r++)
        {
            Standardize(values.Slice(r * columns, columns), _means, _scales, z);
            result[r] = _intercept + TensorPrimitives.Dot<double>(z, _coefficients);
        }
        return result;
    }

    private static void Standardize(ReadOnlySpan<double> row, double[] means, double[] scales, Span<double> destination)
    {
        for (var c = 0; c < row.Length; c++)
            destination[c] = double.IsNaN(row[c]) ? 0 : (row[c] - means[c]) / scales[c];
    }
}
