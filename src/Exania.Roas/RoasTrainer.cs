using System.Diagnostics;
using Exania.Core;
using Exania.Learning;
using Exania.Trees;

namespace Exania.Roas;

/// <summary>A trained ROAS model with its report.</summary>
public sealed record RoasTrainingResult(GbtModel Model, RoasReport Report);

/// <summary>
/// Trains the ROAS model: target and leakage rule, split, encoding fitted on the training rows only, gradient-boosted
/// trees (early stopping on a validation tenth of the training rows, never the test rows), the ridge baseline on the
/// same encoded columns, and error by campaign age.
/// </summary>
public static class RoasTrainer
{
    /// <summary>The <c>days_active</c> buckets of <see cref="RoasReport.ByDaysActive"/>.</summary>
    public static IReadOnlyList<(string Name, double Low, double High)> AgeBuckets { get; } =
        [("1-3", 1, 3), ("4-7", 4, 7), ("8-14", 8, 14), ("15+", 15, double.PositiveInfinity)];

    /// <summary>Most held-out rows <see cref="RoasReport.HeldOut"/> keeps (a seeded sample beyond it).</summary>
    public const int MaxSampledRows = 2_000;

    /// <summary>The column that tells a campaign's age.</summary>
    public const string DaysActiveColumn = "days_active";

    /// <summary>Prepares, splits and trains as <paramref name="options"/> say.</summary>
    /// <exception cref="ArgumentException">Options out of range, a named column missing, too few rows, or an empty split side.</exception>
    public static RoasTrainingResult Train(Exania.Campaigns.CampaignTable table, RoasOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var data = RoasDataset.Prepare(table, options);
        var (train, test) = RoasSplit.Split(data, options);
        return Train(data, train, test, options);
    }

    /// <summary>Trains on <paramref name="trainRows"/> and evaluates on <paramref name="testRows"/> (indices into <paramref name="data"/>).</summary>
    /// <exception cref="ArgumentException">Options out of range or a side empty.</exception>
    public static RoasTrainingResult Train(RoasDataset data, int[] trainRows, int[] testRows, RoasOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(trainRows);
        ArgumentNullException.ThrowIfNull(testRows);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (trainRows.Length == 0 || testRows.Length == 0)
            throw new ArgumentException($"Both sides of the split need rows (train {trainRows.Length}, test {testRows.Length}).");
        var train = data.Features.Select(trainRows);
        var test = data.Features.Select(testRows);
        var trainTarget = Gather(data.Target, trainRows);
        var testTarget = Gather(data.Target, testRows);
        var encoder = FeatureEncoder.Fit(RoasDataset.RawColumns(train));
        var trainSet = encoder.TransformDataset(RoasDataset.RawColumns(train), trainTarget);
        var testValues = encoder.Transform(RoasDataset.RawColumns(test));

        GbtDataset? validation = null;
        var fitSet = trainSet;
        if (options.Trees.EarlyStoppingRounds > 0)
        {
            // The held-out test rows never steer training: early stopping watches the last tenth of the training rows.
            var cut = trainSet.Rows - Math.Max(1, trainSet.Rows / 10);
            fitSet = trainSet.Subset(Range(0, cut));
            validation = trainSet.Subset(Range(cut, trainSet.Rows - cut));
        }
        var watch = Stopwatch.StartNew();
        var model = GbtTrainer.Train(fitSet, options.Trees, validation, encoder);
        var seconds = Math.Round(watch.Elapsed.TotalSeconds, 3);

        var predictions = new double[testTarget.Length];
        model.Predict(testValues, predictions);
        var ridge = RidgeRegression.Fit(trainSet.Values, trainSet.Columns, trainTarget);
        var linear = ridge.Predict(testValues);

        var report = new RoasReport
        {
            Target = options.Target,
            Split = options.Split == RoasSplitMode.Date ? "date" : "random",
            Excluded = data.Excluded,
            Rmse = Metrics.Rmse(predictions, testTarget),
            R2 = Metrics.R2(predictions, testTarget),
            Mae = Metrics.Mae(predictions, testTarget),
            Seconds = seconds,
            LinearRmse = Metrics.Rmse(linear, testTarget),
            LinearR2 = Metrics.R2(linear, testTarget),
            LinearMae = Metrics.Mae(linear, testTarget),
            TrainRows = trainRows.Length,
            TestRows = testRows.Length,
            Features = trainSet.Columns,
            RoundsTrained = model.Trees.Count,
            BestIteration = model.Training?.BestIteration,
            Importance = new RoasImportance(Ranked(model, GbtImportanceType.Gain), Ranked(model, GbtImportanceType.Weight), Ranked(model, GbtImportanceType.Cover)),
            ByDaysActive = ByAge(data, testRows, predictions, linear, testTarget),
            TargetRows = new RoasTargetRows(data.Target.Length, data.TargetInfo.ZeroSpendRows, data.TargetInfo.MissingRows, data.TargetInfo.NegativeRows),
            Seed = options.Seed,
            TestFraction = options.Split == RoasSplitMode.Random ? options.TestFraction : null,
            Trees = options.Trees,
            HeldOut = Sample(data, testRows, testTarget, predictions, linear, options.Seed),
            Loss = LossOf(model, fitSet.Rows, validation?.Rows ?? 0),
        };
        return new RoasTrainingResult(model, report);
    }

    /// <summary>Predicted ROAS for every row of <paramref name="table"/> (columns by name, as in training; extra columns ignored).</summary>
    public static double[] Predict(GbtModel model, Exania.Campaigns.CampaignTable table)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Predict(RoasDataset.RawColumns(table));
    }

    /// <summary>
    /// Held-out error by how long the campaign had been running (<c>days_active</c>): how well the model does for
    /// campaigns with little history, the seed system's known weakness. Buckets with fewer than two rows are left out.
    /// </summary>
    private static List<RoasAgeBucket> ByAge(RoasDataset data, int[] testRows, double[] predictions, double[] linear, double[] testTarget)
    {
        var buckets = new List<RoasAgeBucket>();
        if (data.Rows.Find(DaysActiveColumn)?.Numbers is not { } daysActive)
            return buckets;
        foreach (var (name, low, high) in AgeBuckets)
        {
            var p = new List<double>();
            var l = new List<double>();
            var y = new List<double>();
            for (var i = 0; i < testRows.Length; i++)
            {
                var d = daysActive[testRows[i]];
                if (d >= low && d <= high)
                {
                    p.Add(predictions[i]);
                    l.Add(linear[i]);
                    y.Add(testTarget[i]);
                }
            }
            if (p.Count < 2) continue;
            double[] trees = [.. p], ridge = [.. l], truth = [.. y];
            buckets.Add(new RoasAgeBucket(name, p.Count, Metrics.Rmse(trees, truth), Metrics.R2(trees, truth), Metrics.Rmse(ridge, truth), Metrics.R2(ridge, truth)));
        }
        return buckets;
    }

    /// <summary>
    /// Every held-out row when there are at most <see cref="MaxSampledRows"/>, else that many drawn without replacement
    /// (a seeded partial Fisher-Yates shuffle) and put back in held-out order, so the report stays small and repeatable.
    /// </summary>
    private static RoasPredictionSample Sample(RoasDataset data, int[] testRows, double[] testTarget, double[] predictions, double[] linear, int seed)
    {
        var positions = new int[testRows.Length];
        for (var i = 0; i < positions.Length; i++) positions[i] = i;
        var take = Math.Min(MaxSampledRows, positions.Length);
        if (take < positions.Length)
        {
            var rng = new Random(seed);
            for (var i = 0; i < take; i++)
            {
                var j = rng.Next(i, positions.Length);
                (positions[i], positions[j]) = (positions[j], positions[i]);
            }
            Array.Sort(positions, 0, take);
        }
        var rows = positions[..take];
        var daysActive = data.Rows.Find(DaysActiveColumn)?.Numbers;
        var actual = new double[take];
        var predicted = new double[take];
        var ridge = new double[take];
        var days = daysActive is null ? null : new double[take];
        for (var i = 0; i < take; i++)
        {
            var p = rows[i];
            actual[i] = testTarget[p];
            predicted[i] = predictions[p];
            ridge[i] = linear[p];
            if (days is not null) days[i] = daysActive![testRows[p]];
        }
        return new RoasPredictionSample(testRows.Length, seed, rows, actual, predicted, ridge, days);
    }

    private static RoasLossByRound? LossOf(GbtModel model, int fitRows, int validationRows)
    {
        if (model.Training is not { TrainingHistory: { } training } info)
            return null;
        var validation = info.ValidationHistory;
        return new RoasLossByRound(info.Metric ?? GbtTrainer.MetricName(model.Objective), training, validation,
            validation is null ? null : info.BestIteration, fitRows, validationRows);
    }

    private static List<RoasFeatureImportance> Ranked(GbtModel model, GbtImportanceType type) =>
        model.Importance(type).Select(f => new RoasFeatureImportance(f.Feature, f.Value)).ToList();

    private static double[] Gather(double[] values, int[] rows)
    {
        var result = new double[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            Debug.Assert((uint)rows[i] < (uint)values.Length, "Split rows index the kept rows.");
            result[i] = values[rows[i]];
        }
        return result;
    }

    private static int[] Range(int start, int count)
    {
        var result = new int[count];
        for (var i = 0; i < count; i++) result[i] = start + i;
        return result;
    }
}
