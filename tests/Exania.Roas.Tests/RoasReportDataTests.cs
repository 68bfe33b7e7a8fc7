using Exania.Campaigns;
using Exania.Core;
using Exania.Roas;
using Exania.Trees;

namespace Exania.Roas.Tests;

/// <summary>The figures the HTML report draws (held-out sample, loss by round, error by age), checked against the model's own predictions.</summary>
public class RoasReportDataTests
{
    private static readonly string[] s_generatedExclude = ["conversions", "conversion_rate", "campaign_id", "date", "start_date"];

    [Fact]
    public void ValidationLoss_AtTheBestRound_IsTheRmseOfTheKeptTreesOnTheValidationRows()
    {
        var table = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 3000, Seed = 4 });
        var options = RoasOptions.Default with { Exclude = s_generatedExclude, Trees = new GbtOptions { Rounds = 300, LearningRate = 0.3, EarlyStoppingRounds = 8 } };
        var (model, report) = RoasTrainer.Train(table, options);
        var loss = report.Loss!;
        Assert.NotNull(loss.Validation);
        Assert.True(loss.Validation.Count < 300, "eta 0.3 should stop early");
        Assert.Equal(loss.Training.Count, loss.Validation.Count);
        Assert.Equal(report.BestIteration, loss.BestIteration);
        Assert.Equal(report.RoundsTrained, loss.BestIteration + 1);

        // The trainer watches the last tenth of the training rows: rebuilt here from the split, scored by the saved trees.
        var data = RoasDataset.Prepare(table, options);
        var (train, _) = RoasSplit.Split(data, options);
        var cut = train.Length - Math.Max(1, train.Length / 10);
        Assert.Equal((cut, train.Length - cut), (loss.FitRows, loss.ValidationRows));
        var validationRows = train[cut..];
        var predicted = RoasTrainer.Predict(model, data.Rows.Select(validationRows));
        var truth = validationRows.Select(r => data.Target[r]).ToArray();
        Assert.Equal(Metrics.Rmse(predicted, truth), loss.Validation[loss.BestIteration!.Value], 9);
        var fitRows = train[..cut];
        Assert.Equal(Metrics.Rmse(RoasTrainer.Predict(model, data.Rows.Select(fitRows)), fitRows.Select(r => data.Target[r]).ToArray()),
            loss.Training[loss.BestIteration.Value], 9);
        Assert.Equal(loss.Validation.Min(), loss.Validation[loss.BestIteration.Value]);
    }

    [Fact]
    public void WithoutEarlyStopping_OnlyTheTrainingLossIsRecorded()
    {
        var table = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 800, Seed = 2 });
        var report = RoasTrainer.Train(table, RoasOptions.Default with { Trees = new GbtOptions { Rounds = 12 } }).Report;
        Assert.Equal(12, report.Loss!.Training.Count);
        Assert.Null(report.Loss.Validation);
        Assert.Null(report.Loss.BestIteration);
        Assert.Equal(0, report.Loss.ValidationRows);
    }

    [Fact]
    public void HeldOut_AllRowsWhenFew_AndTheirFiguresAreTheReportsFigures()
    {
        var table = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 2500, Seed = 5 });
        var options = RoasOptions.Default with { Exclude = s_generatedExclude, Trees = new GbtOptions { Rounds = 30 } };
        var (model, report) = RoasTrainer.Train(table, options);
        var sample = report.HeldOut!;
        Assert.True(report.TestRows <= RoasTrainer.MaxSampledRows);
        Assert.Equal(report.TestRows, sample.Actual.Count);
        Assert.Equal(Enumerable.Range(0, report.TestRows), sample.Rows);
        // Every held-out row is there, so the report's metrics follow from the sample alone.
        Assert.Equal(report.Rmse, Metrics.Rmse([.. sample.Predicted], [.. sample.Actual]), 12);
        Assert.Equal(report.LinearRmse, Metrics.Rmse([.. sample.LinearPredicted], [.. sample.Actual]), 12);
        Assert.Equal(report.LinearMae, Metrics.Mae([.. sample.LinearPredicted], [.. sample.Actual]), 12);
        foreach (var bucket in report.ByDaysActive)
        {
            var (low, high) = RoasTrainer.AgeBuckets.Single(b => b.Name == bucket.DaysActive) is var b ? (b.Low, b.High) : default;
            var inBucket = Enumerable.Range(0, sample.Actual.Count).Where(i => sample.DaysActive![i] >= low && sample.DaysActive[i] <= high).ToArray();
            Assert.Equal(bucket.Rows, inBucket.Length);
            Assert.Equal(bucket.LinearRmse!.Value, Metrics.Rmse([.. inBucket.Select(i => sample.LinearPredicted[i])], [.. inBucket.Select(i => sample.Actual[i])]), 12);
            Assert.Equal(bucket.Rmse, Metrics.Rmse([.. inBucket.Select(i => sample.Predicted[i])], [.. inBucket.Select(i => sample.Actual[i])]), 12);
        }
        var data = RoasDataset.Prepare(table, options);
        var (_, test) = RoasSplit.Split(data, options);
        Assert.Equal(RoasTrainer.Predict(model, data.Rows.Select(test)), sample.Predicted);
        Assert.Equal(test.Select(r => data.Rows.Get("days_active").Numbers![r]), sample.DaysActive!);
    }

    [Fact]
    public void HeldOut_ManyRows_AreASeededSampleOfAtMostTwoThousand()
    {
        var table = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 12_000, Seed = 3 });
        var options = RoasOptions.Default with { Exclude = s_generatedExclude, Seed = 7, Trees = new GbtOptions { Rounds = 5 } };
        var (model, report) = RoasTrainer.Train(table, options);
        var sample = report.HeldOut!;
        Assert.True(report.TestRows > RoasTrainer.MaxSampledRows);
        Assert.Equal((report.TestRows, 7), (sample.TestRows, sample.Seed));
        Assert.Equal(RoasTrainer.MaxSampledRows, sample.Rows.Count);
        Assert.Equal(sample.Rows.Count, sample.Rows.Distinct().Count());
        Assert.Equal(sample.Rows.Order(), sample.Rows);
        Assert.InRange(sample.Rows[^1], 0, report.TestRows - 1);

        var data = RoasDataset.Prepare(table, options);
        var (_, test) = RoasSplit.Split(data, options);
        var picked = sample.Rows.Select(p => test[p]).ToArray();
        Assert.Equal(RoasTrainer.Predict(model, data.Rows.Select(picked)), sample.Predicted);
        Assert.Equal(picked.Select(r => data.Target[r]), sample.Actual);

        var again = RoasTrainer.Train(table, options).Report.HeldOut!;
        Assert.Equal(sample.Rows, again.Rows);
        Assert.Equal(sample.LinearPredicted, again.LinearPredicted);
        var otherSeed = RoasTrainer.Train(table, options with { Seed = 8 }).Report.HeldOut!;
        Assert.NotEqual(sample.Rows, otherSeed.Rows);
    }

    [Fact]
    public void Results_RoundTripThroughReportJson_AndOlderResultsStillRead()
    {
        var table = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 600, Seed = 1 });
        var report = RoasTrainer.Train(table, RoasOptions.Default with { Seed = 3, Trees = new GbtOptions { Rounds = 8, MaxDepth = 4 } }).Report;
        var read = ReportJson.Deserialize<RoasReport>(ReportJson.Serialize(report));
        Assert.Equal(report.HeldOut!.Predicted, read.HeldOut!.Predicted);
        Assert.Equal(report.Loss!.Training, read.Loss!.Training);
        Assert.Equal(3, read.Seed);
        Assert.Equal(4, read.Trees!.MaxDepth);
        Assert.Equal(report.ByDaysActive[0].LinearRmse, read.ByDaysActive[0].LinearRmse);

        var node = ReportJson.ToNode(report);
        foreach (var key in new[] { "held_out", "loss", "seed", "trees", "test_fraction" })
            node.Remove(key);
        foreach (var bucket in node["by_days_active"]!.AsArray())
        {
            bucket!.AsObject().Remove("linear_rmse");
            bucket.AsObject().Remove("linear_r2");
        }
        var old = ReportJson.Deserialize<RoasReport>(node.ToJsonString());
        Assert.Null(old.HeldOut);
        Assert.Null(old.Loss);
        Assert.Null(old.ByDaysActive[0].LinearRmse);
    }
}
