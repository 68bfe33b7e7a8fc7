namespace Exania.Core;

/// <summary>
/// Permutation importance of one feature: the ROC AUC lost when its held-out column is shuffled, as the mean and the
/// population standard deviation over folds or repeats.
/// </summary>
public sealed record PermutationImportance(string Feature, double AucDropMean, double AucDropStd);

/// <summary>ROC and precision-recall curves of one set of scores, with the areas under them.</summary>
public sealed record BinaryCurves(RocCurve Roc, PrecisionRecallCurve PrecisionRecall, double RocAuc, double AveragePrecision)
{
    /// <summary>Both curves of <paramref name="scores"/> against <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">Inputs are invalid or only one class is present.</exception>
    public static BinaryCurves Of(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels) =>
        new(Metrics.Roc(scores, labels), Metrics.PrecisionRecall(scores, labels), Metrics.RocAuc(scores, labels), Metrics.AveragePrecision(scores, labels));
}

/// <summary>
/// What a report draws for a binary classifier's held-out probabilities: the curves per fold and pooled, the
/// reliability diagram and Brier score beside those of the constant prevalence forecast, the precision/recall/F1 of a
/// grid of thresholds with the chosen one among them, and the confusion counts at the chosen threshold.
/// </summary>
/// <remarks>Every figure is computed from the probabilities by <see cref="Metrics"/>; nothing is interpolated.</remarks>
public sealed record BinaryDiagnostics
{
    /// <summary>The thresholds of <see cref="Thresholds"/> besides the chosen one: 0.05, 0.10, ..., 0.95.</summary>
    public static IReadOnlyList<double> ThresholdGrid { get; } = [.. Enumerable.Range(1, 19).Select(k => k / 20.0)];

    public required int Rows { get; init; }
    public required int Positives { get; init; }
    /// <summary>Fraction of positive rows: the precision of a random ranking, drawn as the PR curve's baseline.</summary>
    public required double Prevalence { get; init; }
    /// <summary>Curves of all held-out probabilities together.</summary>
    public required BinaryCurves Pooled { get; init; }
    /// <summary>Curves of each fold's held-out rows (empty for a single split).</summary>
    public IReadOnlyList<BinaryCurves> Folds { get; init; } = [];
    /// <summary>Ten equal-width bins (empty bins left out).</summary>
    public required IReadOnlyList<CalibrationBin> Calibration { get; init; }
    public required double Brier { get; init; }
    /// <summary>Brier score of always forecasting <see cref="Prevalence"/>: p(1 - p); a model must be below it to be of use.</summary>
    public required double PrevalenceBrier { get; init; }
    /// <summary>The decision threshold the model uses.</summary>
    public required double ChosenThreshold { get; init; }
    /// <summary>Scores at each threshold of <see cref="ThresholdGrid"/> and at <see cref="ChosenThreshold"/>, ascending.</summary>
    public required IReadOnlyList<ThresholdScores> Thresholds { get; init; }
    /// <summary>Counts at <see cref="ChosenThreshold"/>.</summary>
    public required ConfusionCounts Confusion { get; init; }

    /// <summary>Diagnostics of held-out <paramref name="probabilities"/>, with the per-fold curves already computed.</summary>
    /// <exception cref="ArgumentException">Inputs are invalid, a probability is outside [0, 1], or only one class is present.</exception>
    public static BinaryDiagnostics Compute(ReadOnlySpan<double> probabilities, ReadOnlySpan<byte> labels, double chosenThreshold,
        IReadOnlyList<BinaryCurves>? folds = null)
    {
        var pooled = BinaryCurves.Of(probabilities, labels);
        var positives = 0;
        foreach (var label in labels)
            positives += label;
        var prevalence = positives / (double)labels.Length;
        var thresholds = new List<ThresholdScores>(ThresholdGrid.Count + 1);
        foreach (var t in ThresholdGrid.Append(chosenThreshold).Distinct().Order())
            thresholds.Add(Metrics.AtThreshold(probabilities, labels, t));
        return new BinaryDiagnostics
        {
            Rows = labels.Length,
            Positives = positives,
            Prevalence = prevalence,
            Pooled = pooled,
            Folds = folds ?? [],
            Calibration = Metrics.Calibration(probabilities, labels),
            Brier = Metrics.BrierScore(probabilities, labels),
            PrevalenceBrier = prevalence * (1 - prevalence),
            ChosenThreshold = chosenThreshold,
            Thresholds = thresholds,
            Confusion = Metrics.Confusion(probabilities, labels, chosenThreshold),
        };
    }
}
