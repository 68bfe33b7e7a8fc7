using System.Text.Json;
using Exania.Core;

namespace Exania.Click;

/// <summary>Progress of <see cref="ClickModelTrainer"/>: a fold finished (<see cref="Stage"/> "fold") or the final fit did ("final").</summary>
public sealed record ClickTrainingProgress(string Stage, int Step, int Steps, double? Auc, int Iterations, double Seconds);

/// <summary>
/// Cross-validation results of the click model. Serialises to JSON with snake_case names (<see cref="ToJson"/>).
/// </summary>
/// <remarks>
/// Fold AUCs are computed per held-out fold; <see cref="OofAuc"/>, <see cref="PrAuc"/> and every threshold metric use the
/// pooled out-of-fold predictions (each row scored by the model that did not see it). <see cref="AucStd"/> is the
/// population standard deviation (numpy's default).
/// </remarks>
public sealed record ClickTrainingReport
{
    public int Rows { get; init; }
    /// <summary>Number of base features.</summary>
    public int Features { get; init; }
    public int ExpandedFeatures { get; init; }
    public int Degree { get; init; }
    public int Folds { get; init; }
    public double C { get; init; }
    public bool ClassBalancing { get; init; }
    public int Seed { get; init; }
    /// <summary>Mean label (fraction of positive rows).</summary>
    public double PositiveRate { get; init; }
    public IReadOnlyList<double> FoldAucs { get; init; } = [];
    public double AucMean { get; init; }
    public double AucStd { get; init; }
    /// <summary>ROC AUC of the pooled out-of-fold predictions.</summary>
    public double OofAuc { get; init; }
    /// <summary>Average precision of the pooled out-of-fold predictions.</summary>
    public double PrAuc { get; init; }
    /// <summary>The probability threshold maximising F1 on the pooled out-of-fold predictions.</summary>
    public double Threshold { get; init; }
    public double Precision { get; init; }
    public double Recall { get; init; }
    public double F1 { get; init; }
    /// <summary>Fraction of rows predicted positive at <see cref="Threshold"/>.</summary>
    public double PredictedPositiveRate { get; init; }
    /// <summary>The same metrics at the conventional threshold 0.5.</summary>
    public ThresholdScores AtHalf { get; init; } = new(0.5, 0, 0, 0, 0);
    public IReadOnlyList<int> FoldIterations { get; init; } = [];
    public IReadOnlyList<bool> FoldConverged { get; init; } = [];
    /// <summary>Newton steps that finished each fold's fit after L-BFGS.</summary>
    public IReadOnlyList<int> FoldNewtonSteps { get; init; } = [];
    /// <summary>Base features ranked by mean permutation AUC drop, largest first.</summary>
    public IReadOnlyList<PermutationImportance> FeatureImportance { get; init; } = [];
    /// <summary>Names of the first <see cref="ClickTrainingOptions.TopFeatures"/> entries of <see cref="FeatureImportance"/>.</summary>
    public IReadOnlyList<string> TopFeatures { get; init; } = [];
    /// <summary>
    /// Curves, calibration, threshold table and confusion counts of the out-of-fold predictions (per fold and pooled),
    /// at <see cref="Threshold"/>: what <c>--report</c> draws. Null in results written before they were recorded.
    /// </summary>
    public BinaryDiagnostics? Diagnostics { get; init; }
    /// <summary>Wall-clock time of the cross-validation.</summary>
    public double Seconds { get; init; }

    /// <summary>Indented JSON with snake_case names (<c>auc_mean</c>, <c>pr_auc</c>, <c>feature_importance</c>, ...).</summary>
    public string ToJson() => ReportJson.Serialize(this);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not a report.</exception>
    public static ClickTrainingReport FromJson(string json) =>
        ReportJson.Deserialize<ClickTrainingReport>(json);
}
