using Exania.Core;

namespace Exania.Synthetic;

/// <summary>
/// Settings of an <see cref="InteractionGenerator"/>. Immutable: tweak with <c>with { ... }</c> starting from
/// <see cref="Defaults"/> (or <c>new GeneratorOptions()</c>, which is the same).
/// </summary>
/// <remarks>
/// The same options (seed included) always give byte-identical output on one machine. Session <c>i</c> depends only on
/// (<see cref="Seed"/>, <c>i</c>) and the options, never on how many sessions are generated.
/// </remarks>
public sealed record GeneratorOptions
{
    /// <summary>The defaults, in one place.</summary>
    public static GeneratorOptions Defaults { get; } = new();

    /// <summary>Seed of every random draw. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Number of sessions <see cref="InteractionGenerator.Generate()"/> and
    /// <see cref="InteractionGenerator.Sessions()"/> produce. Default 3,000.</summary>
    public int Sessions { get; init; } = 3_000;

    /// <summary>Size of the user pool; sessions pick users with a skew, so users have several sessions. Default 1,000.</summary>
    public int Users { get; init; } = 1_000;

    /// <summary>Number of days, from <see cref="StartUtc"/>, over which session starts are spread. Default 28.</summary>
    public int Days { get; init; } = 28;

    /// <summary>Midnight (UTC) of the first day. Default 2026-01-05 (a Monday).</summary>
    public DateTime StartUtc { get; init; } = new(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Number of distinct articles (<c>/article/1</c> .. <c>/article/N</c>). Default 500.</summary>
    public int Articles { get; init; } = 500;

    /// <summary>Number of ad campaigns (<c>cmp_001</c> ..). Default 24.</summary>
    public int Campaigns { get; init; } = 24;

    /// <summary>
    /// Multiplies every session's ad-click probability; 1 gives about 6% positive windows with the default window
    /// settings (120 s window, 10 s step, 30 s horizon). Default 1.
    /// </summary>
    public double AdClickScale { get; init; } = 1.0;

    /// <summary>Throws when a setting is out of range; the message names the setting, its value and the valid range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        Check(Sessions > 0, nameof(Sessions), Sessions, "must be positive");
        Check(Users > 0, nameof(Users), Users, "must be positive");
        Check(Days is > 0 and <= 3_650, nameof(Days), Days, "must be in 1..3650");
        Check(StartUtc.Kind == DateTimeKind.Utc, nameof(StartUtc), StartUtc, "must be a UTC time (DateTimeKind.Utc)");
        Check(StartUtc.Year is >= 1970 and <= 9000, nameof(StartUtc), StartUtc, "must be between 1970 and 9000");
        Check(Articles > 0, nameof(Articles), Articles, "must be positive");
        Check(Campaigns is > 0 and <= 999, nameof(Campaigns), Campaigns, "must be in 1..999");
        Check(AdClickScale >= 0 && double.IsFinite(AdClickScale), nameof(AdClickScale), AdClickScale,
            "must be a finite number >= 0");
    }

    private static void Check(bool ok, string name, object value, string rule)
    {
        if (!ok)
            ExaniaThrow.OptionOutOfRange("GeneratorOptions", name, value, rule);
    }
}
