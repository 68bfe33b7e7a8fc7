namespace Exania.Trees.Tests;

/// <summary>
/// One-round, depth-1 trees checked against the formulas by hand. With squared error, the base score is the mean
/// target, g = base − y and h = 1; gain = ½[S_L + S_R − S] − γ with S = T_α(G)²/(H + λ); leaf w = −T_α(G)/(H + λ)·η.
/// </summary>
public class HandComputedSplitTests
{
    // x = 1..4, y = 1, 1, 5, 5: base 3, g = 2, 2, −2, −2, so the root has G = 0, H = 4 and the split x < 3 gives
    // G_L = 4, H_L = 2 and G_R = −4, H_R = 2.
    private static readonly double[] s_x = [1, 2, 3, 4];
    private static readonly double[] s_y = [1, 1, 5, 5];

    private static readonly GbtOptions s_stump = new()
    {
        Rounds = 1,
        MaxDepth = 1,
        LearningRate = 1,
        Lambda = 1,
        Threads = 1,
    };

    private static GbtTree Stump(GbtOptions options, double[]? x = null, double[]? y = null) =>
        Assert.Single(GbtTrainer.Train(TestData.Column(x ?? s_x, y ?? s_y), options).Trees);

    [Fact]
    public void SingleSplit_GainLeafValuesAndThreshold_MatchTheFormulas()
    {
        var model = GbtTrainer.Train(TestData.Column(s_x, s_y), s_stump);
        var tree = Assert.Single(model.Trees);

        Assert.Equal(3, model.BaseScore);
        Assert.Equal(3, tree.NodeCount);
        Assert.Equal(0, tree.Feature[0]);
        Assert.Equal(3, tree.Threshold[0]); // XGBoost convention: the first value of the right side, left when x < 3
        Assert.Equal(0.5 * (16.0 / 3 + 16.0 / 3 - 0), tree.Gain[0], 12);
        Assert.Equal(4, tree.Cover[0]);
        Assert.Equal(-4.0 / 3, tree.Value[tree.Left[0]], 12);
        Assert.Equal(4.0 / 3, tree.Value[tree.Right[0]], 12);
        Assert.Equal(3 - 4.0 / 3, model.Predict([2.999]), 12);
        Assert.Equal(3 + 4.0 / 3, model.Predict([3.0]), 12);
    }

    [Fact]
    public void SplitSearch_StepFunction_FindsTheStepAsThreshold()
    {
        double[] x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        double[] y = [0, 0, 0, 0, 0, 0, 0, 10, 10, 10];
        var tree = Stump(s_stump, x, y);

        Assert.Equal(7, tree.Threshold[0]);
        var model = GbtTrainer.Train(TestData.Column(x, y), s_stump);
        // Root G = 7·3 − 3·7 = 0; left G = 7·3 = 21, H = 7; w = −21/8 · 1 below the step, +21/4 above.
        Assert.Equal(3 - 21.0 / 8, model.Predict([6.99]), 12);
        Assert.Equal(3 + 21.0 / 4, model.Predict([7.0]), 12);
    }

    [Fact]
    public void MissingValues_BehavingLikeHighValues_GoRightByDefault()
    {
        double[] x = [1, 2, 3, 4, 5, 6, double.NaN, double.NaN];
        double[] y = [0, 0, 0, 10, 10, 10, 10, 10];
        var model = GbtTrainer.Train(TestData.Column(x, y), s_stump);
        var tree = model.Trees[0];

        Assert.Equal(4, tree.Threshold[0]);
        Assert.False(tree.DefaultLeft[0]);
        Assert.Equal(model.Predict([5.0]), model.Predict([double.NaN]));
        Assert.NotEqual(model.Predict([1.0]), model.Predict([double.NaN]));
    }

    [Fact]
    public void MissingValues_BehavingLikeLowValues_GoLeftByDefault()
    {
        double[] x = [1, 2, 3, 4, 5, 6, double.NaN, double.NaN];
        double[] y = [0, 0, 0, 10, 10, 10, 0, 0];
        var model = GbtTrainer.Train(TestData.Column(x, y), s_stump);
        var tree = model.Trees[0];

        Assert.Equal(4, tree.Threshold[0]);
        Assert.True(tree.DefaultLeft[0]);
        Assert.Equal(model.Predict([1.0]), model.Predict([double.NaN]));
        // The left leaf holds the five low rows: G = 5·(3.75 − 0) = 18.75, H = 5: w = −18.75/6.
        Assert.Equal(3.75 - 18.75 / 6, model.Predict([double.NaN]), 12);
    }

    [Fact]
    public void Lambda_ShrinksLeafWeights_ByTheHandFormula()
    {
        var tree = Stump(s_stump with { Lambda = 3 });

        Assert.Equal(-4.0 / (2 + 3), tree.Value[tree.Left[0]], 12);
        Assert.Equal(4.0 / (2 + 3), tree.Value[tree.Right[0]], 12);
        Assert.Equal(0.5 * (16.0 / 5 + 16.0 / 5), tree.Gain[0], 12);
    }

    [Fact]
    public void Gamma_AboveTheGain_PreventsTheSplit()
    {
        // The split's gain before γ is 16/3 ≈ 5.333.
        var below = Stump(s_stump with { Gamma = 5.3 });
        var above = Stump(s_stump with { Gamma = 5.4 });

        Assert.Equal(3, below.NodeCount);
        Assert.Equal(16.0 / 3 - 5.3, below.Gain[0], 12);
        Assert.Equal(1, above.NodeCount);
        Assert.True(above.IsLeaf(0));
        Assert.Equal(0, above.Value[0]); // root G = 0
    }

    [Fact]
    public void MinChildWeight_BlocksTheBestSplit_TheNextAllowedOneIsTaken()
    {
        // Best split x < 3 leaves 2 rows on the left; with min_child_weight 2.5 only x < 4 (3 | 3 rows) is allowed.
        double[] x = [1, 2, 3, 4, 5, 6];
        double[] y = [1, 1, 5, 5, 5, 5];
        Assert.Equal(3, Stump(s_stump with { MinChildWeight = 2 }, x, y).Threshold[0]);
        Assert.Equal(4, Stump(s_stump with { MinChildWeight = 2.5 }, x, y).Threshold[0]);
        Assert.Equal(1, Stump(s_stump with { MinChildWeight = 3.5 }, x, y).NodeCount);
    }

    [Fact]
    public void Alpha_SoftThresholdsTheGradientSums()
    {
        // T_1(4) = 3, T_1(−4) = −3: w = ∓3/(2 + 1), gain ½(9/3 + 9/3 − 0) = 3.
        var model = GbtTrainer.Train(TestData.Column(s_x, s_y), s_stump with { Alpha = 1 });
        var tree = model.Trees[0];
        Assert.Equal(-1, tree.Value[tree.Left[0]], 12);
        Assert.Equal(1, tree.Value[tree.Right[0]], 12);
        Assert.Equal(3, tree.Gain[0], 12);
        Assert.Equal(2, model.Predict([1.0]), 12);

        // α = 4 zeroes T(4): no split pays.
        Assert.Equal(1, Stump(s_stump with { Alpha = 4 }).NodeCount);
    }

    [Fact]
    public void LearningRate_ScalesLeafWeights()
    {
        var tree = Stump(s_stump with { LearningRate = 0.1 });
        Assert.Equal(-0.4 / 3, tree.Value[tree.Left[0]], 12);
    }

    [Fact]
    public void LogisticObjective_FirstTreeLeaves_MatchNewtonSteps()
    {
        // Labels 0, 0, 1, 1 at base logit 0 (p = 0.5): g = 0.5, 0.5, −0.5, −0.5; h = 0.25 each.
        // Left leaf: G = 1, H = 0.5: w = −1/(0.5 + 1).
        var model = GbtTrainer.Train(TestData.Column(s_x, [0, 0, 1, 1]), s_stump with { Objective = GbtObjective.Logistic, MinChildWeight = 0 });
        var tree = model.Trees[0];
        Assert.Equal(0, model.BaseScore, 12);
        Assert.Equal(-1 / 1.5, tree.Value[tree.Left[0]], 12);
        Assert.Equal(1 / (1 + Math.Exp(1 / 1.5)), model.Predict([1.0]), 12);
    }
}
