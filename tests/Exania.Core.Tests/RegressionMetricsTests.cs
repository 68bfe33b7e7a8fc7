using Exania.Core;

namespace Exania.Core.Tests;

/// <summary>Hand-computed values (and scikit-learn's definitions for the edge cases).</summary>
public class RegressionMetricsTests
{
    private static readonly double[] s_predictions = [2.5, 0.0, 2.0, 8.0];
    private static readonly double[] s_targets = [3.0, -0.5, 2.0, 7.0];

    [Fact]
    public void Rmse_Mae_R2_MatchHandComputedValues()
    {
        // residuals 0.5, 0.5, 0, -1 → squares 0.25 0.25 0 1 (mean 0.375), absolutes mean 0.5;
        // mean target 2.875, SS_tot = 0.015625 + 11.390625 + 0.765625 + 17.015625 = 29.1875, SS_res = 1.5.
        Assert.Equal(Math.Sqrt(0.375), Metrics.Rmse(s_predictions, s_targets), 15);
        Assert.Equal(0.5, Metrics.Mae(s_predictions, s_targets), 15);
        Assert.Equal(1 - 1.5 / 29.1875, Metrics.R2(s_predictions, s_targets), 15); // sklearn r2_score: 0.948608...
    }

    [Fact]
    public void R2_ConstantTargets_OneForAnExactFitElseZero()
    {
        Assert.Equal(1.0, Metrics.R2([2, 2], [2, 2]));
        Assert.Equal(0.0, Metrics.R2([1, 3], [2, 2]));
    }

    [Fact]
    public void LogLoss_ClipsProbabilities()
    {
        Assert.Equal(-(Math.Log(0.8) + Math.Log(0.6)) / 2, Metrics.LogLoss([0.8, 0.4], [1, 0]), 15);
        Assert.True(double.IsFinite(Metrics.LogLoss([0.0], [1])));
    }

    [Fact]
    public void Metrics_MismatchedOrEmpty_Throw()
    {
        Assert.Throws<ArgumentException>(() => Metrics.Mae([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => Metrics.Rmse([], []));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(3, true)]
    public void Parallelism_ZeroMeansAllProcessors(int threads, bool exact)
    {
        Assert.Equal(exact ? threads : Environment.ProcessorCount, Parallelism.Resolve(threads));
        Parallelism.Validate("X", threads);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.Validate("ClickTrainingOptions", -1));
        Assert.Contains("ClickTrainingOptions.Threads must be 0 (all processors)", ex.Message, StringComparison.Ordinal);
    }
}
