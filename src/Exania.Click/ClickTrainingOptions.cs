using Exania.Core;
using Exania.Learning;

namespace Exania.Click;

/// <summary>
/// Options of <see cref="ClickModelTrainer"/>. Immutable: tweak with <c>with { ... }</c>; defaults live in <see cref="Defaults"/>.
/// </summary>
public sealed record ClickTrainingOptions
{
    /// <summary>The one home of the default values.</summary>
    public static class Defaults
    {
        public const int Degree = 2;
        public const int Folds = 5;
        public const double C = 1.0;
        public const bool ClassBalancing = true;
        public const int Seed = 0;
        public const int MaxIterations = 100;
        public const double Tolerance = 1e-5;
        public const int History = 10;
        public const int TopFeatures = 10;
        public const int Threads = 0;
    }

    public static ClickTrainingOptions Default { get; } = new();

    /// <summary>Polynomial degree of the feature expansion (1 = plain logistic regression).</summary>
    public int Degree { get; init; } = Defaults.Degree;

    /// <summary>Number of stratified cross-validation folds.</summary>
    public int Folds { get; init; } = Defaults.Folds;

    /// <summary>Inverse L2 regularisation strength, as scikit-learn's <c>C</c>; larger means weaker regularisation.</summary>
    public double C { get; init; } = Defaults.C;

    /// <summary>Weight rows as scikit-learn's <c>class_weight='balanced'</c>: class k weighs <c>n / (2 n_k)</c>.</summary>
    /// <remarks>With ~6% positives this raises recall at 0.5 a lot; the F1-optimal threshold compensates either way.</remarks>
    public bool ClassBalancing { get; init; } = Defaults.ClassBalancing;

    /// <summary>Worker threads (0 = all processors). The model and report do not depend on it.</summary>
    public int Threads { get; init; } = Defaults.Threads;

    /// <summary>Seed of the fold shuffle and of the permutation-importance shuffles.</summary>
    public int Seed { get; init; } = Defaults.Seed;

    /// <summary>L-BFGS iteration limit per fit; a fit still short of <see cref="Tolerance"/> then finishes with Newton steps.</summary>
    public int MaxIterations { get; init; } = Defaults.MaxIterations;

    /// <summary>L-BFGS stops when the largest gradient component of the mean weighted loss is at most this.</summary>
    /// <remarks>scikit-learn's default is 1e-4; a tighter value costs a few iterations and makes fits more reproducible.</remarks>
    public double Tolerance { get; init; } = Defaults.Tolerance;

    /// <summary>L-BFGS memory (correction pairs).</summary>
    public int History { get; init; } = Defaults.History;

    /// <summary>How many of the most important base features the report names in <c>top_features</c>.</summary>
    public int TopFeatures { get; init; } = Defaults.TopFeatures;

    /// <summary>The L-BFGS options these settings imply.</summary>
    public LbfgsOptions ToLbfgsOptions() => new() { MaxIterations = MaxIterations, Tolerance = Tolerance, History = History };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option, its value and the valid range.</summary>
    public void Validate()
    {
        if (Degree is < 1 or > 4)
            ExaniaThrow.ArgumentOutOfRange(nameof(Degree), Degree, "Degree must be in 1..4.");
        if (Folds < 2)
            ExaniaThrow.ArgumentOutOfRange(nameof(Folds), Folds, "Folds must be at least 2.");
        if (!(C > 0) || double.IsInfinity(C))
            ExaniaThrow.ArgumentOutOfRange(nameof(C), C, "C must be finite and positive.");
        if (MaxIterations < 1)
            ExaniaThrow.ArgumentOutOfRange(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1.");
        if (!(Tolerance > 0) || double.IsInfinity(Tolerance))
            ExaniaThrow.ArgumentOutOfRange(nameof(Tolerance), Tolerance, "Tolerance must be finite and positive.");
        if (History < 1)
            ExaniaThrow.ArgumentOutOfRange(nameof(History), History, "History must be at least 1.");
        Parallelism.Validate(nameof(ClickTrainingOptions), Threads);
        if (TopFeatures < 0)
            ExaniaThrow.ArgumentOutOfRange(nameof(TopFeatures), TopFeatures, "TopFeatures must be zero or positive.");
    }
}
