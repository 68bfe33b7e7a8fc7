using System.Diagnostics;
using System.Numerics.Tensors;

namespace Exania.Core;

/// <summary>
/// Dense Cholesky factorization A = L Lᵀ for the small symmetric positive definite systems of the linear models
/// (Newton steps of logistic regression, ridge normal equations). Row-major, lower triangle, dot products through
/// <see cref="TensorPrimitives"/>.
/// </summary>
public static class Cholesky
{
    /// <summary>Solves A x = b in place (b becomes x) for symmetric positive definite A (destroyed); false if A is not.</summary>
    public static bool Solve(Span<double> a, int n, Span<double> b)
    {
        Debug.Assert(n >= 0 && a.Length >= n * n && b.Length >= n, "Cholesky.Solve: a must hold n×n values and b n.");
        for (var j = 0; j < n; j++)
        {
            var rowJ = a.Slice(j * n, j);
            var diagonal = a[j * n + j] - TensorPrimitives.Dot<double>(rowJ, rowJ);
            if (!(diagonal > 0))
                return false;
            var l = Math.Sqrt(diagonal);
            a[j * n + j] = l;
            for (var i = j + 1; i < n; i++)
                a[i * n + j] = (a[i * n + j] - TensorPrimitives.Dot<double>(a.Slice(i * n, j), rowJ)) / l;
        }
        for (var i = 0; i < n; i++)
            b[i] = (b[i] - TensorPrimitives.Dot<double>(a.Slice(i * n, i), b[..i])) / a[i * n + i];
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = b[i];
            for (var k = i + 1; k < n; k++)
                sum -= a[k * n + i] * b[k];
            b[i] = sum / a[i * n + i];
        }
        return true;
    }
}
