using Exania.Core;

namespace Exania.Trees.Tests;

public class LearningTests
{
    private static readonly GbtOptions s_options = new() { Rounds = 200, MaxDepth = 6, LearningRate = 0.1, Threads = 2 };

    [Fact]
    public void Regression_InteractionStepsAndMissing_FarAboveALinearBaseline()
    {
        var train = TestData.Regression(5000, 1);
        var test = TestData.Regression(2000, 2);
        var model = GbtTrainer.Train(train, s_options);

        var r2 = Metrics.R2(model.Predict(test), test.Target);
        var linear = TestData.LinearR2(train, test);
        Assert.True(r2 > 0.9, $"tree R2 {r2}");
        Assert.True(linear < 0.5, $"linear R2 {linear}");
    }

    [Fact]
    public void Logistic_SyntheticClassification_HighAuc()
    {
        var train = TestData.Classification(5000, 3);
        var test = TestData.Classification(2000, 4);
        var model = GbtTrainer.Train(train, s_options with { Objective = GbtObjective.Logistic });

        var p = model.Predict(test);
        Assert.All(p, v => Assert.InRange(v, 0, 1));
        var auc = Metrics.RocAuc(p, TestData.Labels(test.Target));
        Assert.True(auc > 0.85, $"AUC {auc}");
        // The base score is the log-odds of the positive rate.
        var rate = train.Target.Average();
        Assert.Equal(Math.Log(rate / (1 - rate)), model.BaseScore, 10);
    }

    [Fact]
    public void LossGuided_MaxLeaves_BoundsEveryTreeAndStillLearns()
    {
        var train = TestData.Regression(3000, 5);
        var test = TestData.Regression(1000, 6);
        var model = GbtTrainer.Train(train, s_options with { Growth = GbtGrowth.LossGuided, MaxLeaves = 8, MaxDepth = 0 });

        Assert.All(model.Trees, t => Assert.InRange(t.LeafCount, 1, 8));
        Assert.Contains(model.Trees, t => t.LeafCount == 8);
        Assert.Contains(model.Trees, t => t.Depth > 3); // loss-guided trees are not balanced
        Assert.True(Metrics.R2(model.Predict(test), test.Target) > 0.85);
    }

    [Fact]
    public void DepthWise_MaxDepth_BoundsEveryTree()
    {
        var model = GbtTrainer.Train(TestData.Regression(2000, 7), s_options with { Rounds = 20, MaxDepth = 3 });
        Assert.All(model.Trees, t => Assert.InRange(t.Depth, 0, 3));
        Assert.Contains(model.Trees, t => t.Depth == 3);
    }

    [Fact]
    public void EarlyStopping_KeepsTheBestIteration()
    {
        var train = TestData.Regression(600, 8);
        var validation = TestData.Regression(600, 9);
        var model = GbtTrainer.Train(train, s_options with { Rounds = 1000, LearningRate = 0.5, EarlyStoppingRounds = 15 }, validation);
        var info = model.Training!;
        var history = info.ValidationHistory!;

        Assert.Equal("rmse", info.Metric);
        Assert.True(info.RoundsTrained < 1000, "it should stop early with eta 0.5 on 600 rows");
        Assert.Equal(info.BestIteration + 1 + 15, info.RoundsTrained);
        Assert.Equal(history.Length, info.RoundsTrained);
        var best = Array.IndexOf(history, history.Min());
        Assert.Equal(best, info.BestIteration);
        Assert.Equal(info.BestIteration + 1, model.Trees.Count);
        Assert.Equal(history[best], Metrics.Rmse(model.Predict(validation), validation.Target), 9);
    }

    [Fact]
    public void Validation_WithoutEarlyStopping_RecordsTheMetricEveryRound()
    {
        var train = TestData.Classification(500, 10);
        var validation = TestData.Classification(300, 11);
        var model = GbtTrainer.Train(train, s_options with { Rounds = 30, Objective = GbtObjective.Logistic }, validation);

        Assert.Equal(30, model.Trees.Count);
        Assert.Equal("logloss", model.Training!.Metric);
        Assert.Equal(30, model.Training.ValidationHistory!.Length);
        Assert.Equal(Metrics.LogLoss(model.Predict(validation), validation.Target), model.Training.ValidationHistory[^1], 9);
    }

    [Fact]
    public void TrainingHistory_IsTheTrainingLossOfTheFirstTrees_EveryRound()
    {
        var train = TestData.Regression(600, 8);
        var validation = TestData.Regression(600, 9);
        var model = GbtTrainer.Train(train, s_options with { Rounds = 1000, LearningRate = 0.5, EarlyStoppingRounds = 15 }, validation);
        var info = model.Training!;
        var history = info.TrainingHistory!;

        // Every round run is recorded, also the ones early stopping cut; the kept trees' loss is the one at the best round.
        Assert.Equal(info.RoundsTrained, history.Length);
        Assert.Equal(Metrics.Rmse(model.Predict(train), train.Target), history[info.BestIteration], 9);
        var firstTree = model.Truncate(1);
        Assert.Equal(Metrics.Rmse(firstTree.Predict(train), train.Target), history[0], 9);
        // Newton steps on squared error without sampling never raise the training loss.
        for (var r = 1; r < history.Length; r++)
            Assert.True(history[r] <= history[r - 1] + 1e-12, $"round {r}: {history[r]} after {history[r - 1]}");
    }

    [Fact]
    public void TrainingHistory_Logistic_WithRowSampling_IsTheLogLossOnAllTrainingRows()
    {
        var train = TestData.Classification(500, 10);
        var model = GbtTrainer.Train(train, s_options with { Rounds = 25, Objective = GbtObjective.Logistic, Subsample = 0.6 });

        var history = model.Training!.TrainingHistory!;
        Assert.Null(model.Training.ValidationHistory);
        Assert.Equal(25, history.Length);
        Assert.Equal(Metrics.LogLoss(model.Predict(train), train.Target), history[^1], 9);
    }

    [Fact]
    public void Importance_InformativeFeaturesRankFirstByGain()
    {
        var model = GbtTrainer.Train(TestData.Regression(3000, 12), s_options with { Rounds = 50 });

        foreach (var type in new[] { GbtImportanceType.Gain, GbtImportanceType.TotalGain })
        {
            var ranked = model.Importance(type);
            Assert.Equal(["x0", "x1"], ranked.Take(2).Select(i => i.Feature).Order());
            Assert.Equal("x2", ranked[2].Feature);
            for (var i = 1; i < ranked.Count; i++)
                Assert.True(ranked[i - 1].Value >= ranked[i].Value);
        }
        var weight = model.Importance(GbtImportanceType.Weight);
        Assert.Equal(model.Trees.Sum(t => t.NodeCount - t.LeafCount), weight.Sum(i => i.Value));
        var totalCover = model.Importance(GbtImportanceType.TotalCover).Single(i => i.Feature == "x0").Value;
        var cover = model.Importance(GbtImportanceType.Cover).Single(i => i.Feature == "x0").Value;
        var splits = weight.Single(i => i.Feature == "x0").Value;
        Assert.Equal(totalCover / splits, cover, 9);
    }

    [Fact]
    public void Determinism_SameSeedWithSampling_IdenticalModelJsonWhateverTheThreads()
    {
        var data = TestData.Regression(2000, 13);
        var options = s_options with { Rounds = 40, Subsample = 0.7, ColsampleByTree = 0.6, Seed = 42 };
        var a = GbtTrainer.Train(data, options with { Threads = 1 }).ToJson();
        var b = GbtTrainer.Train(data, options with { Threads = 2 }).ToJson();
        var c = GbtTrainer.Train(data, options with { Threads = 2 }).ToJson();
        var other = GbtTrainer.Train(data, options with { Seed = 43 }).ToJson();

        Assert.Equal(a, b);
        Assert.Equal(b, c);
        Assert.NotEqual(a, other);
    }

    [Fact]
    public void ColumnSampling_UsesAtMostTheSampledFeaturesPerTree()
    {
        var model = GbtTrainer.Train(TestData.Regression(1000, 14), s_options with { Rounds = 30, ColsampleByTree = 0.34, Seed = 1 });
        // floor(0.34 · 6) = 2 features per tree.
        Assert.All(model.Trees, t =>
        {
            var used = new HashSet<int>();
            foreach (var f in t.Feature)
            {
                if (f >= 0)
                    used.Add(f);
            }
            Assert.InRange(used.Count, 0, 2);
        });
    }
}
