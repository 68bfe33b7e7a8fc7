using Exania.Core;

namespace Exania.Conversion;

/// <summary>
/// Principal components of a row-major matrix: the leading eigenvectors of its covariance (n − 1 denominator, as
/// scikit-learn's <c>PCA</c>), each with the largest-magnitude loading made positive so the signs are deterministic.
/// </summary>
/// <param name="Columns">Features per row.</param>
/// <param name="Mean">The column means subtracted before projecting.</param>
/// <param name="Components">Component-major loadings: component c's loading on feature f at <c>c · Columns + f</c>.</param>
/// <param name="ExplainedVariance">Variance along each component (the covariance's eigenvalue).</param>
/// <param name="ExplainedVarianceRatio">Each component's share of the total variance (the covariance's trace).</param>
public sealed record PcaResult(int Columns, double[] Mean, double[] Components, double[] ExplainedVariance, double[] ExplainedVarianceRatio)
{
    /// <summary>Components kept.</summary>
    public int Count => ExplainedVariance.Length;

    /// <summary>The coordinates of <paramref name="row"/> on the components.</summary>
    public void Project(ReadOnlySpan<double> row, Span<double> destination)
    {
        if (row.Length != Columns)
            ExaniaThrow.Argument($"The row has {row.Length} values; the components are over {Columns} features.", nameof(row));
        if (destination.Length < Count)
            ExaniaThrow.Argument($"The destination holds {destination.Length} values; {Count} are needed.", nameof(destination));
        for (var c = 0; c < Count; c++)
        {
            var sum = 0.0;
            var loadings = Components.AsSpan(c * Columns, Columns);
            for (var f = 0; f < Columns; f++)
                sum += (row[f] - Mean[f]) * loadings[f];
            destination[c] = sum;
        }
    }
}

/// <summary>Principal component analysis by the cyclic Jacobi eigenvalue method on the covariance matrix.</summary>
/// <remarks>
/// The covariance is d × d for d features (a handful for segments), so a full symmetric eigen-decomposition is cheap and
/// exact to rounding, with no power-iteration convergence to tune. Results equal scikit-learn's
/// <c>PCA(n_components).fit</c> up to each component's sign, which here is fixed by the largest-|loading| rule.
/// </remarks>
public static class Pca
{
    private const int MaxSweeps = 100;

    /// <summary>Fits the <paramref name="components"/> leading components of <paramref name="rowMajor"/>.</summary>
    /// <exception cref="ArgumentException">The matrix is ragged, has fewer than two rows, or fewer columns than components.</exception>
    public static PcaResult Fit(ReadOnlySpan<double> rowMajor, int columns, int components = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        if (rowMajor.Length % columns != 0)
            ExaniaThrow.Argument($"{rowMajor.Length} values are not rows of {columns} columns.", nameof(rowMajor));
        var rows = rowMajor.Length / columns;
        if (rows < 2)
            ExaniaThrow.Argument("PCA needs at least two rows.", nameof(rowMajor));
        if (components > columns)
            ExaniaThrow.Argument($"{components} components asked of {columns} features.", nameof(components));

        var mean = new double[columns];
        for (var r = 0; r < rows; r++)
            for (var f = 0; f < columns; f++)
                mean[f] += rowMajor[r * columns + f];
        for (var f = 0; f < columns; f++)
            mean[f] /= rows;
        var covariance = new double[columns * columns];
        var centered = new double[columns];
        for (var r = 0; r < rows; r++)
        {
            for (var f = 0; f < columns; f++)
                centered[f] = rowMajor[r * columns + f] - mean[f];
            for (var i = 0; i < columns; i++)
                for (var j = i; j < columns; j++)
                    covariance[i * columns + j] += centered[i] * centered[j];
        }
        for (var i = 0; i < columns; i++)
            for (var j = i; j < columns; j++)
                covariance[j * columns + i] = covariance[i * columns + j] /= rows - 1;

        var (values, vectors) = SymmetricEigen(covariance, columns);
        var order = Enumerable.Range(0, columns).OrderByDescending(i => values[i]).ThenBy(i => i).ToArray();
        var total = 0.0;
        for (var i = 0; i < columns; i++)
            total += Math.Max(values[i], 0);
        var loadings = new double[components * columns];
        var variance = new double[components];
        var ratio = new double[components];
        for (var c = 0; c < components; c++)
        {
            var e = order[c];
            variance[c] = Math.Max(values[e], 0);
            ratio[c] = total > 0 ? variance[c] / total : 0;
            var largest = 0;
            for (var f = 1; f < columns; f++)
                if (Math.Abs(vectors[f * columns + e]) > Math.Abs(vectors[largest * columns + e])) largest = f;
            var sign = vectors[largest * columns + e] < 0 ? -1.0 : 1.0;
            for (var f = 0; f < columns; f++)
                loadings[c * columns + f] = sign * vectors[f * columns + e];
        }
        return new PcaResult(columns, mean, loadings, variance, ratio);
    }

    /// <summary>
    /// Eigenvalues and eigenvectors (as the columns of a row-major n × n matrix) of the symmetric
    /// <paramref name="matrix"/>, by cyclic Jacobi rotations until the off-diagonal part vanishes.
    /// </summary>
    internal static (double[] Values, double[] Vectors) SymmetricEigen(ReadOnlySpan<double> matrix, int n)
    {
        var a = matrix.ToArray();
        var v = new double[n * n];
        for (var i = 0; i < n; i++)
            v[i * n + i] = 1;
        var scale = 0.0;
        foreach (var x in a)
            scale += x * x;
        for (var sweep = 0; sweep < MaxSweeps; sweep++)
        {
            var off = 0.0;
            for (var p = 0; p < n; p++)
                for (var q = p + 1; q < n; q++)
                    off += a[p * n + q] * a[p * n + q];
            if (off <= 1e-30 * Math.Max(scale, double.Epsilon))
                break;
            for (var p = 0; p < n; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    var apq = a[p * n + q];
                    if (apq == 0)
                        continue;
                    // The rotation that zeroes a[p, q] (Golub & Van Loan, Algorithm 8.4.2, the smaller angle).
                    var theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    var c = 1 / Math.Sqrt(t * t + 1);
                    var s = t * c;
                    for (var k = 0; k < n; k++)
                    {
                        var akp = a[k * n + p];
                        var akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (var k = 0; k < n; k++)
                    {
                        var apk = a[p * n + k];
                        var aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                    for (var k = 0; k < n; k++)
                    {
                        var vkp = v[k * n + p];
                        var vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        var values = new double[n];
        for (var i = 0; i < n; i++)
            values[i] = a[i * n + i];
        return (values, v);
    }
}
