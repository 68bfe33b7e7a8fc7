using Exania.Core;
using Exania.Trees;

namespace Exania.Roas;

/// <summary>How the held-out rows are chosen.</summary>
public enum RoasSplitMode
{
    /// <summary>scikit-learn's <c>train_test_split</c> (the same rows as the Python peer for the same seed).</summary>
    Random,

    /// <summary>The rows of the latest dates are held out: new campaigns with little history, the cold-start view.</summary>
    Date,
}

/// <summary>Options of a ROAS training run. Defaults live here, once; <see cref="Validate"/> names a bad field.</summary>
public sealed record RoasOptions
{
    /// <summary>The defaults: roas = revenue / spend, random 80/20 split with seed 0, <see cref="GbtOptions"/> defaults.</summary>
    public static RoasOptions Default { get; } = new();

    /// <summary><c>roas</c> (revenue / spend) or any numeric column.</summary>
    public string Target { get; init; } = RoasTarget.Roas;

    /// <summary>Numerator of roas.</summary>
    public string RevenueColumn { get; init; } = RoasTarget.DefaultRevenueColumn;

    /// <summary>Denominator of roas.</summary>
    public string SpendColumn { get; init; } = RoasTarget.DefaultSpendColumn;

    /// <summary>Columns the user leaves out of the features (on top of the leakage rule, <see cref="RoasDataset.Excluded"/>).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    public RoasSplitMode Split { get; init; } = RoasSplitMode.Random;

    /// <summary>Column that orders rows for <see cref="RoasSplitMode.Date"/>: numbers, or dates in ISO-8601 or another invariant form.</summary>
    public string DateColumn { get; init; } = "start_date";

    /// <summary>Held-out fraction, in (0, 1).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>
    /// Seed of the random split. The trees' own sampling uses <see cref="GbtOptions.Seed"/> of <see cref="Trees"/>;
    /// the CLI sets both from one <c>--seed</c>.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>The trees' hyperparameters, early stopping and <see cref="GbtOptions.Threads"/>.</summary>
    public GbtOptions Trees { get; init; } = new();

    /// <summary>Fewest rows with a target that training accepts.</summary>
    public const int MinimumRows = 10;

    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it, its value and the range.</exception>
    /// <exception cref="ArgumentException">A column name is empty.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Target))
            ExaniaThrow.Argument("RoasOptions.Target must name a column or be 'roas'.", nameof(Target));
        if (string.IsNullOrWhiteSpace(RevenueColumn))
            ExaniaThrow.Argument("RoasOptions.RevenueColumn must name a column.", nameof(RevenueColumn));
        if (string.IsNullOrWhiteSpace(SpendColumn))
            ExaniaThrow.Argument("RoasOptions.SpendColumn must name a column.", nameof(SpendColumn));
        if (Split == RoasSplitMode.Date && string.IsNullOrWhiteSpace(DateColumn))
            ExaniaThrow.Argument("RoasOptions.DateColumn must name a column for the date split.", nameof(DateColumn));
        if (Split is not (RoasSplitMode.Random or RoasSplitMode.Date))
            ExaniaThrow.OptionOutOfRange(nameof(RoasOptions), nameof(Split), Split, "must be Random or Date");
        if (!(TestFraction > 0 && TestFraction < 1))
            ExaniaThrow.OptionOutOfRange(nameof(RoasOptions), nameof(TestFraction), TestFraction, "must be in (0, 1)");
        ArgumentNullException.ThrowIfNull(Trees);
        Trees.Validate();
    }
}
