namespace Exania.Roas;

/// <summary>A feature's share of one importance measure.</summary>
public sealed record RoasFeatureImportance(string Feature, double Value);

/// <summary>Importance of every feature by gain, weight (split count) and cover, each ranked highest first.</summary>
public sealed record RoasImportance(IReadOnlyList<RoasFeatureImportance> Gain, IReadOnlyList<RoasFeatureImportance> Weight, IReadOnlyList<RoasFeatureImportance> Cover);

/// <summary>Held-out error of the rows whose campaign had run <see cref="DaysActive"/> days (a bucket such as <c>1-3</c>).</summary>
public sealed record RoasAgeBucket(string DaysActive, int Rows, double Rmse, double R2);

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
}
