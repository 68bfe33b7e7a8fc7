using System.Numerics.Tensors;
using Exania.Core;

namespace Exania.Learning;

/// <summary>
/// Centres and scales each column to zero mean and unit (population) variance, like scikit-learn's
/// <c>StandardScaler</c>: <c>z = (x - mean) / scale</c>, where <c>scale</c> is the population standard deviation,
/// or 1 for a constant column.
/// </summary>
public sealed class Standardizer
{
    private readonly double[] _means;
    private readonly double[] _scales;

    /// <summary>Creates a standardizer from known means and scales (for example, loaded from a model file).</summary>
    /// <exception cref="ArgumentException">Lengths differ, are zero, a value is not finite, or a scale is not positive.</exception>
    public Standardizer(double[] means, double[] scales)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(scales);
        if (means.Length == 0)
            ExaniaThrow.Argument("A standardizer needs at least one column.", nameof(means));
        if (means.Length != scales.Length)
            ExaniaThrow.LengthMismatch(nameof(scales), means.Length, scales.Length);
        for (var c = 0; c < means.Length; c++)
        {
            if (!double.IsFinite(means[c]))
                ExaniaThrow.Argument($"Mean of column {c} is {means[c]}; it must be finite.", nameof(means));
            if (!double.IsFinite(scales[c]) || scales[c] <= 0)
                ExaniaThrow.Argument($"Scale of column {c} is {scales[c]}; it must be finite and positive.", nameof(scales));
        }
        _means = means;
        _scales = scales;
    }

    public int Columns => _means.Length;

    public ReadOnlySpan<double> Means => _means;

    public ReadOnlySpan<double> Scales => _scales;

    /// <summary>Fits on all rows of a row-major matrix.</summary>
    public static Standardizer Fit(ReadOnlySpan<double> rowMajor, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (rowMajor.Length % columns != 0)
            ExaniaThrow.Argument($"{rowMajor.Length} values is not a whole number of rows of {columns} columns.", nameof(rowMajor));
        var rows = rowMajor.Length / columns;
        var all = new int[rows];
        for (var i = 0; i < all.Length; i++)
            all[i] = i;
        return Fit(rowMajor, columns, all);
    }

    /// <summary>Fits on the listed rows of a row-major matrix (for example, the training rows of a fold).</summary>
    /// <remarks>Two passes (mean, then squared deviations), so constant columns get exactly zero variance.</remarks>
    public static Standardizer Fit(ReadOnlySpan<double> rowMajor, int columns, ReadOnlySpan<int> rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (rows.Length == 0)
            ExaniaThrow.Argument("Cannot fit a standardizer on zero rows.", nameof(rows));
        var totalRows = rowMajor.Length / columns;
        var means = new double[columns];
        foreach (var r in rows)
        {
            if ((uint)r >= (uint)totalRows)
                ExaniaThrow.ArgumentOutOfRange(nameof(rows), r, $"Row index must be in [0, {totalRows}).");
            TensorPrimitives.Add(rowMajor.Slice(r * columns, columns), means, means);
        }
        TensorPrimitives.Divide(means, rows.Length, means);

        var squares = new double[columns];
        var deviation = new double[columns];
        foreach (var r in rows)
        {
            TensorPrimitives.Subtract(rowMajor.Slice(r * columns, columns), means, deviation);
            TensorPrimitives.MultiplyAdd(deviation, deviation, squares, squares);
        }

        var scales = new double[columns];
        double n = rows.Length;
        for (var c = 0; c < columns; c++)
        {
            var variance = squares[c] / n;
            // scikit-learn's _is_constant_feature: variance within rounding error of zero counts as constant.
            var bound = n * Eps * variance + Math.Pow(n * means[c] * Eps, 2);
            scales[c] = variance <= bound ? 1.0 : Math.Sqrt(variance);
        }
        return new Standardizer(means, scales);
    }

    private const double Eps = 2.220446049250313e-16;

    /// <summary>Writes <c>(x - mean) / scale</c> to <paramref name="destination"/>; in place is allowed.</summary>
    public void Transform(ReadOnlySpan<double> x, Span<double> destination)
    {
        if (x.Length != _means.Length)
            ExaniaThrow.LengthMismatch(nameof(x), _means.Length, x.Length);
        if (destination.Length < x.Length)
            ExaniaThrow.DestinationTooShort(nameof(destination), x.Length, destination.Length);
        destination = destination[..x.Length];
        TensorPrimitives.Subtract(x, _means, destination);
        TensorPrimitives.Divide(destination, _scales, destination);
    }
}
