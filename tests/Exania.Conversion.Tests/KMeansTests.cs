using Exania.Conversion;

namespace Exania.Conversion.Tests;

/// <summary>The k-means kernel against naive references, hand-computed seedings and silhouettes, and its guarantees.</summary>
public class KMeansTests
{
    private static double[] RandomMatrix(int rows, int columns, int seed, double scale = 1)
    {
        var random = new Random(seed);
        var values = new double[rows * columns];
        for (var i = 0; i < values.Length; i++)
            values[i] = (random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    /// <summary>Three well separated blobs in <paramref name="columns"/> dimensions.</summary>
    private static double[] Blobs(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        var values = new double[rows * columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                values[r * columns + c] = (r % 3) * 4 * (c % 2 == 0 ? 1 : -1) + random.NextDouble() - 0.5;
        return values;
    }

    [Theory]
    [InlineData(1, 3, 1)]
    [InlineData(7, 2, 3)]
    [InlineData(511, 6, 4)]
    [InlineData(512, 6, 5)]
    [InlineData(513, 1, 2)]
    [InlineData(1100, 7, 8)]
    public void Assign_MatchesANaiveDoubleLoop(int rows, int columns, int k)
    {
        // Points away from the origin, so the norm expansion and the direct sum differ in rounding but not in the argmin.
        var data = RandomMatrix(rows, columns, seed: rows + k);
        for (var i = 0; i < data.Length; i++) data[i] += 3;
        var centroids = RandomMatrix(k, columns, seed: 99);
        for (var i = 0; i < centroids.Length; i++) centroids[i] += 3;
        var points = new PointMatrix(data, columns);
        var labels = new int[rows];
        var distances = new double[rows];
        KMeans.Assign(points, centroids, k, KMeans.CentroidNorms(centroids, k, columns), labels, distances);

        var naiveInertia = 0.0;
        for (var i = 0; i < rows; i++)
        {
            var best = double.PositiveInfinity;
            var bestLabel = -1;
            var second = double.PositiveInfinity;
            for (var j = 0; j < k; j++)
            {
                var sum = 0.0;
                for (var c = 0; c < columns; c++)
                {
                    var diff = data[i * columns + c] - centroids[j * columns + c];
                    sum += diff * diff;
                }
                if (sum < best) { second = best; best = sum; bestLabel = j; }
                else if (sum < second) second = sum;
            }
            Assert.Equal(best, distances[i], 1e-9);
            if (second - best > 1e-9)
                Assert.Equal(bestLabel, labels[i]);
            naiveInertia += best;
        }
        Assert.Equal(naiveInertia, KMeans.Inertia(points, centroids, labels), 1e-9 * Math.Max(1, naiveInertia));
    }

    [Fact]
    public void RunningMinimum_TakesStrictlySmaller_SoTiesKeepTheLowerLabel()
    {
        // Nine values: a full vector or two and a scalar tail on every width.
        double[] best = [5, 5, 5, 5, 5, 5, 5, 5, 5];
        double[] label = [0, 0, 0, 0, 0, 0, 0, 0, 0];
        KMeans.RunningMinimum([5, 4, 6, 5, 1, 5, 9, 5, 4.5], best, label, 3);
        Assert.Equal([5, 4, 5, 5, 1, 5, 5, 5, 4.5], best);
        Assert.Equal([0, 3, 0, 0, 3, 0, 0, 0, 3], label);
    }

    /// <summary>Draws fixed by the test: <see cref="Next(int)"/> gives <c>first</c>, <see cref="NextDouble"/> the listed values.</summary>
    private sealed class ScriptedRandom(int first, params double[] draws) : Random
    {
        private int _next;

        public override int Next(int maxValue) => first;

        public override double NextDouble() => draws[_next++];
    }

    [Theory]
    // 1-D points 0, 1, 3 with the first centre on 0: D² = [0, 1, 9], running sums [0, 1, 10], total 10.
    [InlineData(0.05, 1)] // draw 0.5: the first running sum above it is row 1's
    [InlineData(0.15, 2)] // draw 1.5: row 2
    [InlineData(0.0, 1)]  // draw 0: row 0 (already a centre, D² = 0) is never taken
    [InlineData(0.99, 2)]
    public void SeedPlusPlus_OneTrial_DrawsByD2(double draw, int expected)
    {
        var points = new PointMatrix([0.0, 1, 3], 1);
        var chosen = KMeans.SeedPlusPlusIndices(points, 2, 1, new ScriptedRandom(0, draw));
        Assert.Equal([0, expected], chosen);
    }

    [Fact]
    public void SeedPlusPlus_GreedyTrials_KeepTheCandidateWithTheLeastPotential()
    {
        // Candidates row 1 (draw 0.5) and row 2 (draw 1.5). With row 1 the D² become min([0,1,9],[1,0,4]) = [0,0,4], total 4;
        // with row 2 min([0,1,9],[9,4,0]) = [0,1,0], total 1: row 2 wins although it was drawn second.
        var points = new PointMatrix([0.0, 1, 3], 1);
        Assert.Equal([0, 2], KMeans.SeedPlusPlusIndices(points, 2, 2, new ScriptedRandom(0, 0.05, 0.15)));
        // The first row comes from Next(n).
        Assert.Equal([2, 0], KMeans.SeedPlusPlusIndices(points, 2, 1, new ScriptedRandom(2, 0.5)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SeedPlusPlus_WithAsManyClustersAsDistinctPoints_TakesEachOnce(int seed)
    {
        double[] values = [0, 0, 5, 5, 5, 9, 0];
        var chosen = KMeans.SeedPlusPlusIndices(new PointMatrix(values, 1), 3, 3, new Random(seed));
        Assert.Equal([0.0, 5, 9], chosen.Select(r => values[r]).Order());
    }

    [Fact]
    public void Lloyd_InertiaNeverIncreases()
    {
        var data = RandomMatrix(2000, 4, seed: 3);
        var result = KMeans.Fit(data, 4, new KMeansOptions { K = 9, Restarts = 1, Tolerance = 0, Seed = 5 });
        Assert.True(result.InertiaTrace.Count >= 3, "expected several Lloyd steps");
        for (var t = 1; t < result.InertiaTrace.Count; t++)
            Assert.True(result.InertiaTrace[t] <= result.InertiaTrace[t - 1] * (1 + 1e-12), $"step {t}: {result.InertiaTrace[t]} > {result.InertiaTrace[t - 1]}");
        Assert.Equal(result.Inertia, result.InertiaTrace[^1]);
        Assert.True(result.Converged);
    }

    [Fact]
    public void Fit_IsDeterministicForASeed_AndIndependentOfThreads()
    {
        var data = RandomMatrix(3000, 5, seed: 11);
        var one = KMeans.Fit(data, 5, new KMeansOptions { K = 6, Seed = 42, Threads = 1 });
        var again = KMeans.Fit(data, 5, new KMeansOptions { K = 6, Seed = 42, Threads = 1 });
        var two = KMeans.Fit(data, 5, new KMeansOptions { K = 6, Seed = 42, Threads = 2 });
        var four = KMeans.Fit(data, 5, new KMeansOptions { K = 6, Seed = 42, Threads = 4 });
        foreach (var other in new[] { again, two, four })
        {
            Assert.Equal(one.Centroids, other.Centroids);
            Assert.Equal(one.Assignments, other.Assignments);
            Assert.Equal(one.RestartInertias, other.RestartInertias);
        }
        var silhouette1 = KMeans.Silhouette(data, 5, one.Assignments, 6, sample: 1000, seed: 3, threads: 1);
        var silhouette2 = KMeans.Silhouette(data, 5, one.Assignments, 6, sample: 1000, seed: 3, threads: 2);
        Assert.Equal(silhouette1, silhouette2);
        // The restarts differ, and the kept one is the least.
        Assert.True(one.RestartInertias.Distinct().Count() > 1);
        Assert.Equal(one.RestartInertias.Min(), one.Inertia);
    }

    [Fact]
    public void Fit_FindsSeparatedBlobs()
    {
        var data = Blobs(300, 2, seed: 1);
        var result = KMeans.Fit(data, 2, new KMeansOptions { K = 3, Seed = 1 });
        Assert.Equal([100, 100, 100], result.Sizes.Order());
        for (var r = 3; r < 300; r++)
            Assert.Equal(result.Assignments[r % 3], result.Assignments[r]);
        Assert.Equal(result.Assignments, KMeans.Predict(data, 2, result.Centroids, 3));
    }

    [Fact]
    public void Silhouette_MatchesHandComputedValues()
    {
        // 0, 1 | 4, 5: a = 1 everywhere; b = 4.5 for 0 and 5, 3.5 for 1 and 4; s = 1 - a/b; mean (7/9 + 5/7) / 2 = 47/63.
        Assert.Equal(47.0 / 63, KMeans.Silhouette([0.0, 1, 4, 5], 1, [0, 0, 1, 1], 2), 1e-12);
        // A row alone in its cluster scores 0: 0, 1 | 10 gives (1 - 1/10 + 1 - 1/9 + 0) / 3.
        Assert.Equal((0.9 + 8.0 / 9) / 3, KMeans.Silhouette([0.0, 1, 10], 1, [0, 0, 1], 2), 1e-12);
        // 2-D: (0,0), (0,2) | (3,0), (3,2), using Euclidean distances.
        var a = 2.0;
        var b = (3 + Math.Sqrt(13)) / 2;
        Assert.Equal(1 - a / b, KMeans.Silhouette([0.0, 0, 0, 2, 3, 0, 3, 2], 2, [0, 0, 1, 1], 2), 1e-12);
        // One cluster: undefined.
        Assert.True(double.IsNaN(KMeans.Silhouette([0.0, 1, 2], 1, [0, 0, 0], 2)));
    }

    /// <summary>
    /// <c>sklearn.metrics.silhouette_score(X, labels)</c> (scikit-learn 1.2.1) on a fixed 10 × 3 matrix and three
    /// clusters, one of them of two rows: 0.22364515329224233.
    /// </summary>
    [Fact]
    public void Silhouette_MatchesScikitLearn_OnThreeClustersIn3D()
    {
        double[] x =
        [
            2.5, 2.4, 1.0, 0.5, 0.7, 2.1, 2.2, 2.9, 0.3, 1.9, 2.2, 1.7, 3.1, 3.0, 0.2,
            2.3, 2.7, 1.1, 2.0, 1.6, 2.5, 1.0, 1.1, 0.4, 1.5, 1.6, 1.9, 1.1, 0.9, 3.0,
        ];
        Assert.Equal(0.22364515329224233, KMeans.Silhouette(x, 3, [0, 1, 0, 1, 0, 0, 1, 2, 1, 2], 3), 1e-12);
    }

    [Fact]
    public void Silhouette_Sample_IsSeededAndBounded()
    {
        Assert.Equal(KMeans.SampleRows(100, 10, 4), KMeans.SampleRows(100, 10, 4));
        Assert.Equal(10, KMeans.SampleRows(100, 10, 4).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 8), KMeans.SampleRows(8, 10, 4));
    }

    [Fact]
    public void BadInput_GetsAMessageNamingTheField()
    {
        var k = Assert.Throws<ArgumentOutOfRangeException>(() => KMeans.Fit([0.0, 1, 2], 1, new KMeansOptions { K = 4 }));
        Assert.Equal("K", k.ParamName);
        Assert.Contains("number of rows (3)", k.Message, StringComparison.Ordinal);
        var distinct = Assert.Throws<ArgumentOutOfRangeException>(() => KMeans.Fit([1.0, 1, 1, 2], 1, new KMeansOptions { K = 3 }));
        Assert.Contains("2 of 4 rows are distinct", distinct.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => KMeans.Fit([0.0, double.NaN], 1, new KMeansOptions { K = 1 }));
        Assert.Throws<ArgumentException>(() => KMeans.Fit([], 1, new KMeansOptions { K = 1 }));
        Assert.Equal("Restarts", Assert.Throws<ArgumentOutOfRangeException>(() => new KMeansOptions { Restarts = 0 }.Validate()).ParamName);
        Assert.Equal("Tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new KMeansOptions { Tolerance = double.NaN }.Validate()).ParamName);
    }
}
