using System.Text.Json.Nodes;
using Exania.Click;
using Exania.Learning;
using Exania.Learning.Tests;

namespace Exania.Click.Tests;

public class ClickModelTrainerTests
{
    private static readonly LabeledMatrix s_data = TestData.Interaction(8000, seed: 1);

    [Fact]
    public void Interaction_DataHasAboutSixPercentPositives() =>
        Assert.InRange((double)s_data.PositiveCount / s_data.Rows, 0.04, 0.09);

    [Fact]
    public void CrossValidate_Degree2_LearnsInteractionBetterThanDegree1()
    {
        var quadratic = ClickModelTrainer.CrossValidate(s_data);
        var linear = ClickModelTrainer.CrossValidate(s_data, ClickTrainingOptions.Default with { Degree = 1 });
        Assert.True(quadratic.AucMean > 0.75, $"degree-2 AUC {quadratic.AucMean}");
        Assert.True(quadratic.AucMean > linear.AucMean + 0.08, $"degree 2: {quadratic.AucMean}, degree 1: {linear.AucMean}");
        Assert.Equal(230, quadratic.ExpandedFeatures);
        Assert.Equal(20, linear.ExpandedFeatures);
        Assert.All(quadratic.FoldConverged, Assert.True);
    }

    [Fact]
    public void CrossValidate_PermutationImportance_RanksInteractingFeaturesFirst()
    {
        var report = ClickModelTrainer.CrossValidate(s_data);
        Assert.Equal(20, report.FeatureImportance.Count);
        Assert.Equal(["x0", "x1"], report.FeatureImportance.Take(2).Select(f => f.Feature).Order());
        Assert.True(report.FeatureImportance[0].AucDropMean > 0.05);
        for (var i = 1; i < report.FeatureImportance.Count; i++)
            Assert.True(report.FeatureImportance[i - 1].AucDropMean >= report.FeatureImportance[i].AucDropMean);
        Assert.Equal(report.FeatureImportance.Take(10).Select(f => f.Feature), report.TopFeatures);
    }

    [Fact]
    public void CrossValidate_SummaryStatisticsAreConsistent()
    {
        var report = ClickModelTrainer.CrossValidate(s_data);
        var aucs = report.FoldAucs;
        Assert.Equal(5, aucs.Count);
        var mean = aucs.Average();
        Assert.Equal(mean, report.AucMean, 1e-12);
        Assert.Equal(Math.Sqrt(aucs.Sum(a => (a - mean) * (a - mean)) / aucs.Count), report.AucStd, 1e-12);
        Assert.Equal((double)s_data.PositiveCount / s_data.Rows, report.PositiveRate);
        Assert.Equal(s_data.Rows, report.Rows);
        Assert.True(report.F1 >= report.AtHalf.F1, "the chosen threshold maximises F1, so it beats 0.5");
        Assert.Equal(0.5, report.AtHalf.Threshold);
        Assert.InRange(report.PrAuc, report.PositiveRate, 1.0);
        Assert.InRange(report.Threshold, 0.0, 1.0);
        Assert.All(report.FoldIterations, i => Assert.InRange(i, 1, ClickTrainingOptions.Defaults.MaxIterations));
        Assert.True(report.Seconds > 0);
    }

    [Fact]
    public void CrossValidate_SameSeed_GivesIdenticalReportAndModel()
    {
        var data = TestData.Interaction(3000, seed: 5);
        var options = ClickTrainingOptions.Default with { Seed = 12 };
        var a = ClickModelTrainer.CrossValidate(data, options);
        var b = ClickModelTrainer.CrossValidate(data, options);
        Assert.Equal((a with { Seconds = 0 }).ToJson(), (b with { Seconds = 0 }).ToJson());
        var modelA = ClickModelTrainer.Train(data, options, a);
        var modelB = ClickModelTrainer.Train(data, options, b);
        Assert.Equal(modelA.ToJson(), modelB.ToJson());

        var other = ClickModelTrainer.CrossValidate(data, options with { Seed = 13 });
        Assert.NotEqual(a.FoldAucs, other.FoldAucs);
    }

    [Fact]
    public void Train_UsesCrossValidatedThreshold()
    {
        var data = TestData.Interaction(2000, seed: 6);
        var options = ClickTrainingOptions.Default with { Folds = 3 };
        var report = ClickModelTrainer.CrossValidate(data, options);
        var model = ClickModelTrainer.Train(data, options, report);
        Assert.Equal(report.Threshold, model.Threshold);
        Assert.Equal(report.AucMean, model.Training!.CvAucMean);
        Assert.Equal(data.Rows, model.Training.Rows);
    }

    [Fact]
    public void Train_MismatchedReport_Throws()
    {
        var data = TestData.Interaction(2000, seed: 6);
        var report = ClickModelTrainer.CrossValidate(data, ClickTrainingOptions.Default with { Folds = 3, Degree = 1 });
        Assert.Throws<ArgumentException>(() => ClickModelTrainer.Train(data, ClickTrainingOptions.Default, report));
    }

    [Fact]
    public void Report_SerialisesWithSnakeCaseNames()
    {
        var report = ClickModelTrainer.CrossValidate(TestData.Interaction(2000, seed: 6), ClickTrainingOptions.Default with { Folds = 3 });
        var json = report.ToJson();
        var root = JsonNode.Parse(json)!.AsObject();
        foreach (var name in new[] { "auc_mean", "auc_std", "pr_auc", "oof_auc", "precision", "recall", "f1", "threshold",
            "positive_rate", "predicted_positive_rate", "seconds", "fold_aucs", "fold_iterations", "expanded_features", "rows", "at_half" })
        {
            Assert.True(root.ContainsKey(name), $"missing {name} in {json}");
        }
        var first = root["feature_importance"]![0]!.AsObject();
        Assert.Equal(["feature", "auc_drop_mean", "auc_drop_std"], first.Select(p => p.Key));
        Assert.Equal(json, ClickTrainingReport.FromJson(json).ToJson());
    }

    [Fact]
    public void CrossValidate_ReportsProgressPerFold()
    {
        var seen = new List<ClickTrainingProgress>();
        ClickModelTrainer.CrossValidate(TestData.Interaction(2000, seed: 6), ClickTrainingOptions.Default with { Folds = 4 },
            new ListProgress(seen));
        Assert.Equal([1, 2, 3, 4], seen.Select(p => p.Step));
        Assert.All(seen, p => Assert.Equal("fold", p.Stage));
    }

    [Theory]
    [InlineData("Folds")]
    [InlineData("Degree")]
    [InlineData("C")]
    [InlineData("Tolerance")]
    public void Options_Invalid_ThrowNamingTheOption(string option)
    {
        var options = option switch
        {
            "Folds" => ClickTrainingOptions.Default with { Folds = 1 },
            "Degree" => ClickTrainingOptions.Default with { Degree = 0 },
            "C" => ClickTrainingOptions.Default with { C = double.NaN },
            _ => ClickTrainingOptions.Default with { Tolerance = 0 },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClickModelTrainer.CrossValidate(s_data, options));
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void CrossValidate_TooFewPositivesForFolds_ThrowsClearly()
    {
        var labels = new byte[40];
        labels[3] = labels[9] = 1;
        var data = new LabeledMatrix(new double[40], 40, 1, ["a"], labels);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClickModelTrainer.CrossValidate(data));
        Assert.Contains("only 2", e.Message);
    }

    private sealed class ListProgress(List<ClickTrainingProgress> list) : IProgress<ClickTrainingProgress>
    {
        public void Report(ClickTrainingProgress value) => list.Add(value);
    }
}
