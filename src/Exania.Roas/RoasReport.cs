using Exania.Trees;

namespace Exania.Roas;

/// <summary>A feature's share of one importance measure.</summary>
public sealed record RoasFeatureImportance(string Feature, double Value);

/// <summary>Importance of every feature by gain, weight (split count) and cover, each ranked highest first.</summary>
public sealed record RoasImportance(IReadOnlyList<RoasFeatureImportance> Gain, IReadOnlyList<RoasFeatureImportance> Weight, IReadOnlyList<RoasFeatureImportance> Cover);

/// <summary>
/// Held-out error of the rows whose campaign had run <see cref="DaysActive"/> days (a bucket such as <c>1-3</c>), for
/// the trees and for the ridge baseline on the same rows (<see cref="LinearRmse"/> and <see cref="LinearR2"/> are null
/// in results written before they were recorded).
/// </summary>
public sealed record RoasAgeBucket(string DaysActive, int Rows, double Rmse, double R2, double? LinearRmse = null, double? LinearR2 = null);

/// <summary>
/// A bounded sample of the held-out rows with their actual target and both models' predictions, as the report plots
/// them. Every held-out row when there are at most <see cref="RoasTrainer.MaxSampledRows"/>; otherwise that many drawn
/// without replacement with <see cref="Seed"/>, kept in held-out order.
/// </summary>
/// <param name="TestRows">Held-out rows the sample was drawn from.</param>
/// <param name="Seed">Seed of the draw (the run's seed); the draw happens only when <paramref name="TestRows"/> exceeds the bound.</param>
/// <param name="Rows">Position of each sampled row among the held-out rows, ascending.</param>
/// <param name="Actual">The row's target.</param>
/// <param name="Predicted">The trees' prediction.</param>
/// <param name="LinearPredicted">The ridge baseline's prediction.</param>
/// <param name="DaysActive">The row's <c>days_active</c>; null when the table has no such numeric column.</param>
public sealed record RoasPredictionSample(int TestRows, int Seed, IReadOnlyList<int> Rows, IReadOnlyList<double> Actual,
    IReadOnlyList<double> Predicted, IReadOnlyList<double> LinearPredicted, IReadOnlyList<double>? DaysActive);

/// <summary>
/// The boosting loss after each round, as <see cref="GbtTrainingInfo"/> recorded it: index r is the loss of the first
/// r + 1 trees, over every round run (early stopping runs past the best round before it stops).
/// </summary>
/// <param name="Metric"><c>rmse</c> (squared error).</param>
/// <param name="Training">On the rows the trees were fitted to.</param>
/// <param name="Validation">On the validation tenth of the training rows; null without early stopping.</param>
/// <param name="BestIteration">0-based round with the lowest validation loss, the last tree kept; null without early stopping.</param>
/// <param name="FitRows">Rows the trees were fitted to.</param>
/// <param name="ValidationRows">Rows of the validation tenth (0 without early stopping).</param>
public sealed record RoasLossByRound(string Metric, IReadOnlyList<double> Training, IReadOnlyList<double>? Validation, int? BestIteration,
    int FitRows, int ValidationRows);

/// <summary>How many rows the target kept and why the others were dropped.</summary>
public sealed record RoasTargetRows(int TargetRows, int DroppedZeroSpend, int DroppedMissing, int DroppedNegative);

/// <summary>
/// The figures of one ROAS run, all on the held-out rows: the trees and the ridge baseline with the same metrics on
/// the same rows, importance, and error by campaign age. Serialised by <c>ReportJson</c> (snake_case).
/// </summary>
public sealed record RoasReport
{
    public required string Target { get; init; }

    /// <summary><c>random</c> or <c>date</c>.</summary>
    public required string Split { get; init; }

    public required IReadOnlyList<string> Excluded { get; init; }

    public required double Rmse { get; init; }

    public required double R2 { get; init; }

    public required double Mae { get; init; }

    /// <summary>Seconds spent growing trees (not encoding or evaluation).</summary>
    public required double Seconds { get; init; }

    public required double LinearRmse { get; init; }

    public required double LinearR2 { get; init; }

    public required double LinearMae { get; init; }

    public required int TrainRows { get; init; }

    public required int TestRows { get; init; }

    /// <summary>Encoded feature columns.</summary>
    public required int Features { get; init; }

    public required int RoundsTrained { get; init; }

    /// <summary>The best validation round under early stopping; null without it.</summary>
    public int? BestIteration { get; init; }

    public required RoasImportance Importance { get; init; }

    /// <summary>Error by <c>days_active</c>; empty when the table has no such column.</summary>
    public required IReadOnlyList<RoasAgeBucket> ByDaysActive { get; init; }

    public required RoasTargetRows TargetRows { get; init; }

    /// <summary>Seed of the random split and of the trees' sampling; null in results written before it was recorded.</summary>
    public int? Seed { get; init; }

    /// <summary>Held-out fraction; null in results written before it was recorded.</summary>
    public double? TestFraction { get; init; }

    /// <summary>The trees' hyperparameters (threads left out: they do not change the model); null in older results.</summary>
    public GbtOptions? Trees { get; init; }

    /// <summary>Held-out rows with actual and predicted target for both models (at most 2,000); null in older results.</summary>
    public RoasPredictionSample? HeldOut { get; init; }

    /// <summary>Training and validation loss by boosting round; null in older results.</summary>
    public RoasLossByRound? Loss { get; init; }
}
