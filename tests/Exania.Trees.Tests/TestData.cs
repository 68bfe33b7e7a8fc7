using Exania.Core;

namespace Exania.Trees.Tests;

/// <summary>Seeded synthetic data sets and small helpers shared by the tests.</summary>
internal static class TestData
{
    /// <summary>
    /// Regression: y = 4·x0·x1 + 1(x2 &gt; 0.5) − 0.5·1(x3 &lt; −0.3) + N(0, 0.1²); x ~ U(−1, 1)⁶; 10% NaN in x2, x4 and x5
    /// (x4, x5 are noise). The interaction dominates, so a linear model explains little.
    /// </summary>
    public static GbtDataset Regression(int rows, int seed)
    {
        const int Columns = 6;
        var rng = new Random(seed);
        var x = new double[rows * Columns];
        var y = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * Columns, Columns);
            for (var c = 0; c < Columns; c++)
                row[c] = Math.Round(rng.NextDouble() * 2 - 1, 4);
            y[r] = 4 * row[0] * row[1] + (row[2] > 0.5 ? 1 : 0) - (row[3] < -0.3 ? 0.5 : 0) + 0.1 * Gaussian(rng);
            foreach (var c in (ReadOnlySpan<int>)[2, 4, 5])
            {
                if (rng.NextDouble() < 0.1)
                    row[c] = double.NaN;
            }
        }
        return new GbtDataset(x, rows, Columns, ["x0", "x1", "x2", "x3", "x4", "x5"], y);
    }

    /// <summary>Classification: P(y = 1) = σ(4·x0·x1 + 2·1(x2 &gt; 0) − 1), x ~ U(−1, 1)⁴, 10% NaN in x3 (noise).</summary>
    public static GbtDataset Classification(int rows, int seed)
    {
        const int Columns = 4;
        var rng = new Random(seed);
        var x = new double[rows * Columns];
        var y = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * Columns, Columns);
            for (var c = 0; c < Columns; c++)
                row[c] = Math.Round(rng.NextDouble() * 2 - 1, 4);
            var logit = 6 * row[0] * row[1] + 2 * (row[2] > 0 ? 1 : 0) - 1;
            y[r] = rng.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1 : 0;
            if (rng.NextDouble() < 0.1)
                row[3] = double.NaN;
        }
        return new GbtDataset(x, rows, Columns, ["x0", "x1", "x2", "x3"], y);
    }

    /// <summary>One feature and a target, as a data set.</summary>
    public static GbtDataset Column(double[] x, double[] y) => new(x, x.Length, 1, ["x"], y);

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>R² of ordinary least squares (with intercept; NaN imputed by the column mean) fitted on train, scored on test.</summary>
    public static double LinearR2(GbtDataset train, GbtDataset test)
    {
        var k = train.Columns + 1;
        var means = new double[train.Columns];
        for (var c = 0; c < train.Columns; c++)
        {
            double sum = 0;
            var count = 0;
            for (var r = 0; r < train.Rows; r++)
            {
                var v = train.Row(r)[c];
                if (!double.IsNaN(v))
                {
                    sum += v;
                    count++;
                }
            }
            means[c] = sum / count;
        }
        double[] Features(ReadOnlySpan<double> row)
        {
            var f = new double[k];
            f[0] = 1;
            for (var c = 0; c < row.Length; c++)
                f[c + 1] = double.IsNaN(row[c]) ? means[c] : row[c];
            return f;
        }
        var a = new double[k, k + 1];
        for (var r = 0; r < train.Rows; r++)
        {
            var f = Features(train.Row(r));
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++)
                    a[i, j] += f[i] * f[j];
                a[i, k] += f[i] * train.Target[r];
            }
        }
        // Gauss-Jordan with partial pivoting.
        for (var col = 0; col < k; col++)
        {
            var pivot = col;
            for (var i = col + 1; i < k; i++)
            {
                if (Math.Abs(a[i, col]) > Math.Abs(a[pivot, col]))
                    pivot = i;
            }
            for (var j = 0; j <= k; j++)
                (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            for (var i = 0; i < k; i++)
            {
                if (i == col)
                    continue;
                var factor = a[i, col] / a[col, col];
                for (var j = col; j <= k; j++)
                    a[i, j] -= factor * a[col, j];
            }
        }
        var predictions = new double[test.Rows];
        for (var r = 0; r < test.Rows; r++)
        {
            var f = Features(test.Row(r));
            for (var i = 0; i < k; i++)
                predictions[r] += f[i] * a[i, k] / a[i, i];
        }
        return Metrics.R2(predictions, test.Target);
    }

    public static byte[] Labels(double[] y)
    {
        var labels = new byte[y.Length];
        for (var i = 0; i < y.Length; i++)
            labels[i] = (byte)y[i];
        return labels;
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"exania-trees-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
