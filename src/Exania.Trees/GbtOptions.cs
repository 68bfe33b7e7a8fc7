using System.Text.Json.Serialization;
using Exania.Core;

namespace Exania.Trees;

/// <summary>How trees grow.</summary>
public enum GbtGrowth
{
    /// <summary>Level by level down to <see cref="GbtOptions.MaxDepth"/> (XGBoost <c>grow_policy=depthwise</c>).</summary>
    DepthWise,

    /// <summary>
    /// Always split the leaf with the largest gain, up to <see cref="GbtOptions.MaxLeaves"/> leaves and
    /// <see cref="GbtOptions.MaxDepth"/> levels (0 = no depth limit); XGBoost <c>grow_policy=lossguide</c>.
    /// </summary>
    LossGuided,
}

/// <summary>The loss the trees minimise.</summary>
public enum GbtObjective
{
    /// <summary>½(f − y)²: gradient f − y, hessian 1; predictions are f. Early-stopping metric: RMSE.</summary>
    SquaredError,

    /// <summary>Log-loss on logits f with 0/1 labels: gradient σ(f) − y, hessian max(σ(f)(1 − σ(f)), 1e-16); predictions are σ(f). Early-stopping metric: log-loss.</summary>
    Logistic,
}

/// <summary>The defaults of <see cref="GbtOptions"/>, in one place (XGBoost 1.7's, except where noted).</summary>
public static class GbtDefaults
{
    public const int Rounds = 200;
    public const int MaxDepth = 6;
    public const double LearningRate = 0.1;
    public const double MinChildWeight = 1;
    public const double Lambda = 1;
    public const double Alpha = 0;
    public const double Gamma = 0;
    public const double Subsample = 1;
    public const double ColsampleByTree = 1;
    public const int MaxBins = 256;
    public const GbtGrowth Growth = GbtGrowth.DepthWise;
    public const int MaxLeaves = 0;
    public const int EarlyStoppingRounds = 0;
    public const GbtObjective Objective = GbtObjective.SquaredError;
    public const int Seed = 0;

    /// <summary>The default thread count: every processor.</summary>
    public const int Threads = 0;
}

/// <summary>Hyper-parameters of <see cref="GbtTrainer"/>; tweak with <c>with { ... }</c>. Defaults live in <see cref="GbtDefaults"/>.</summary>
public sealed record GbtOptions
{
    /// <summary>Boosting rounds (trees), at least 1.</summary>
    public int Rounds { get; init; } = GbtDefaults.Rounds;

    /// <summary>Maximum depth of a tree (the root is depth 0). At least 1 for <see cref="GbtGrowth.DepthWise"/>; 0 means unlimited for <see cref="GbtGrowth.LossGuided"/>.</summary>
    public int MaxDepth { get; init; } = GbtDefaults.MaxDepth;

    /// <summary>Shrinkage η in (0, 1]: each leaf weight is multiplied by it.</summary>
    public double LearningRate { get; init; } = GbtDefaults.LearningRate;

    /// <summary>Minimum hessian sum H of each child of a split (with squared error: a row count).</summary>
    public double MinChildWeight { get; init; } = GbtDefaults.MinChildWeight;

    /// <summary>L2 regularisation λ ≥ 0 on leaf weights.</summary>
    public double Lambda { get; init; } = GbtDefaults.Lambda;

    /// <summary>L1 regularisation α ≥ 0 on leaf weights (soft-thresholds the gradient sum G).</summary>
    public double Alpha { get; init; } = GbtDefaults.Alpha;

    /// <summary>Minimum split gain γ ≥ 0, subtracted from every split's gain.</summary>
    /// <remarks>
    /// The gain here is the paper's ½[S_L + S_R − S] − γ, so a split needs S_L + S_R − S &gt; 2γ. XGBoost 1.7's code
    /// compares the un-halved S_L + S_R − S with <c>gamma</c>: XGBoost's <c>gamma = g</c> equals <c>Gamma = g / 2</c> here.
    /// </remarks>
    public double Gamma { get; init; } = GbtDefaults.Gamma;

    /// <summary>Fraction of rows, in (0, 1], drawn (Bernoulli, seeded) for each tree.</summary>
    public double Subsample { get; init; } = GbtDefaults.Subsample;

    /// <summary>Fraction of features, in (0, 1], drawn (seeded, without replacement) for each tree; at least one feature.</summary>
    public double ColsampleByTree { get; init; } = GbtDefaults.ColsampleByTree;

    /// <summary>Histogram bins per feature, 2..65536, counting the bin of missing values (so at most MaxBins − 1 value bins).</summary>
    /// <remarks>Up to 256 the binned matrix holds one byte per value, above it two.</remarks>
    public int MaxBins { get; init; } = GbtDefaults.MaxBins;

    public GbtGrowth Growth { get; init; } = GbtDefaults.Growth;

    /// <summary>Maximum leaves per tree for <see cref="GbtGrowth.LossGuided"/> (0 = unlimited, then MaxDepth must be positive). Ignored by depth-wise growth.</summary>
    public int MaxLeaves { get; init; } = GbtDefaults.MaxLeaves;

    /// <summary>With a validation set: stop after this many rounds without improvement of the metric and keep the best iteration (0 = never stop early).</summary>
    public int EarlyStoppingRounds { get; init; } = GbtDefaults.EarlyStoppingRounds;

    public GbtObjective Objective { get; init; } = GbtDefaults.Objective;

    /// <summary>Seed of the row and column sampling. Training is deterministic for a seed, whatever <see cref="Threads"/>.</summary>
    public int Seed { get; init; } = GbtDefaults.Seed;

    /// <summary>Worker threads, at least 1. Not stored in model files: it does not change the model.</summary>
    [JsonIgnore]
    public int Threads { get; init; } = GbtDefaults.Threads;

    /// <summary>
    /// The initial prediction (in target units for squared error, a probability for logistic); null (the default)
    /// uses the mean target, i.e. the log-odds of the positive rate for logistic. XGBoost 1.7 uses 0.5 unless told.
    /// </summary>
    public double? BaseScore { get; init; }

    /// <summary>Throws when a value is out of range; the message names the option, the value and the valid range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (Rounds < 1)
            ExaniaThrow.ArgumentOutOfRange(nameof(Rounds), Rounds, "Rounds must be at least 1.");
        if (MaxDepth < 0 || MaxDepth > 30)
            ExaniaThrow.ArgumentOutOfRange(nameof(MaxDepth), MaxDepth, "MaxDepth must be in 0..30.");
        if (Growth == GbtGrowth.DepthWise && MaxDepth == 0)
            ExaniaThrow.ArgumentOutOfRange(nameof(MaxDepth), MaxDepth, "Depth-wise growth needs MaxDepth of at least 1.");
        if (Growth == GbtGrowth.LossGuided && MaxDepth == 0 && MaxLeaves == 0)
            ExaniaThrow.ArgumentOutOfRange(nameof(MaxLeaves), MaxLeaves, "Loss-guided growth needs MaxLeaves > 0 or MaxDepth > 0, or trees are unbounded.");
        if (!(LearningRate > 0 && LearningRate <= 1))
            ExaniaThrow.ArgumentOutOfRange(nameof(LearningRate), LearningRate, "LearningRate (eta) must be in (0, 1].");
        if (!(MinChildWeight >= 0) || double.IsInfinity(MinChildWeight))
            ExaniaThrow.ArgumentOutOfRange(nameof(MinChildWeight), MinChildWeight, "MinChildWeight must be finite and >= 0.");
        if (!(Lambda >= 0) || double.IsInfinity(Lambda))
            ExaniaThrow.ArgumentOutOfRange(nameof(Lambda), Lambda, "Lambda must be finite and >= 0.");
        if (!(Alpha >= 0) || double.IsInfinity(Alpha))
            ExaniaThrow.ArgumentOutOfRange(nameof(Alpha), Alpha, "Alpha must be finite and >= 0.");
        if (!(Gamma >= 0) || double.IsInfinity(Gamma))
            ExaniaThrow.ArgumentOutOfRange(nameof(Gamma), Gamma, "Gamma must be finite and >= 0.");
        if (!(Subsample > 0 && Subsample <= 1))
            ExaniaThrow.ArgumentOutOfRange(nameof(Subsample), Subsample, "Subsample must be in (0, 1].");
        if (!(ColsampleByTree > 0 && ColsampleByTree <= 1))
            ExaniaThrow.ArgumentOutOfRange(nameof(ColsampleByTree), ColsampleByTree, "ColsampleByTree must be in (0, 1].");
        if (MaxBins < 2 || MaxBins > 65536)
            ExaniaThrow.ArgumentOutOfRange(nameof(MaxBins), MaxBins, "MaxBins must be in 2..65536 (it counts the missing-value bin).");
        if (Growth is not (GbtGrowth.DepthWise or GbtGrowth.LossGuided))
            ExaniaThrow.ArgumentOutOfRange(nameof(Growth), Growth, "Growth must be DepthWise or LossGuided.");
        if (MaxLeaves < 0 || MaxLeaves == 1)
            ExaniaThrow.ArgumentOutOfRange(nameof(MaxLeaves), MaxLeaves, "MaxLeaves must be 0 (unlimited) or at least 2.");
        if (EarlyStoppingRounds < 0)
            ExaniaThrow.ArgumentOutOfRange(nameof(EarlyStoppingRounds), EarlyStoppingRounds, "EarlyStoppingRounds must be >= 0 (0 = off).");
        if (Objective is not (GbtObjective.SquaredError or GbtObjective.Logistic))
            ExaniaThrow.ArgumentOutOfRange(nameof(Objective), Objective, "Objective must be SquaredError or Logistic.");
        Parallelism.Validate(nameof(GbtOptions), Threads);
        if (BaseScore is { } b)
        {
            if (!double.IsFinite(b))
                ExaniaThrow.ArgumentOutOfRange(nameof(BaseScore), b, "BaseScore must be finite.");
            if (Objective == GbtObjective.Logistic && !(b > 0 && b < 1))
                ExaniaThrow.ArgumentOutOfRange(nameof(BaseScore), b, "With the logistic objective BaseScore is a probability in (0, 1).");
        }
    }
}
