using System.Globalization;

namespace Exania.Synthetic;

/// <summary>
/// A Beta distribution scaled to a range: a draw is <c>Min + (Max - Min) * X</c> with <c>X ~ Beta(Alpha, Beta)</c>,
/// so its mean is <c>Min + (Max - Min) * Alpha / (Alpha + Beta)</c>.
/// </summary>
/// <param name="Alpha">First shape parameter (&gt; 0).</param>
/// <param name="Beta">Second shape parameter (&gt; 0).</param>
/// <param name="Min">Value of a Beta draw of 0.</param>
/// <param name="Max">Value of a Beta draw of 1.</param>
public readonly record struct ScaledBeta(double Alpha, double Beta, double Min, double Max)
{
    /// <summary>Mean of the scaled distribution.</summary>
    public double Mean => Min + (Max - Min) * Alpha / (Alpha + Beta);

    /// <summary>One draw, using MathNet's <see cref="MathNet.Numerics.Distributions.Beta"/> sampler on <paramref name="random"/>.</summary>
    public double Sample(Random random) =>
        Min + (Max - Min) * MathNet.Numerics.Distributions.Beta.Sample(random, Alpha, Beta);

    /// <summary>Compact form, e.g. <c>Beta(4, 7) on [20, 600], mean 231</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Beta({Alpha}, {Beta}) on [{Min}, {Max}], mean {Mean:G3}");
}

/// <summary>
/// A kind of user. Every session of a user of this profile draws its <see cref="SessionTraits"/> from these five
/// scaled Beta distributions.
/// </summary>
/// <param name="Name">Profile name, e.g. <c>careful_reader</c>.</param>
/// <param name="Weight">Share of the user pool with this profile (the six weights sum to 1).</param>
/// <param name="SessionLength">Planned session duration, seconds (range 20..600).</param>
/// <param name="InteractionRate">Actions per minute while active (range 4..60).</param>
/// <param name="PauseProbability">Chance that a gap is a long pause rather than a normal gap (range 0..0.25).</param>
/// <param name="ClickProbability">Weight of <c>click</c> among in-page actions (range 0.01..0.4).</param>
/// <param name="AdClickMultiplier">Multiplier of the ad-click probability (range 0.1..4).</param>
/// <param name="HoverWeight">Weight of <c>hover</c> among in-page actions (fixed per profile: touch screens hardly hover).</param>
public sealed record UserProfile(
    string Name,
    double Weight,
    ScaledBeta SessionLength,
    ScaledBeta InteractionRate,
    ScaledBeta PauseProbability,
    ScaledBeta ClickProbability,
    ScaledBeta AdClickMultiplier,
    double HoverWeight)
{
    /// <summary>Draws one session's traits (five Beta draws, in the parameter order above).</summary>
    public SessionTraits SampleTraits(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return new SessionTraits(
            SessionLength.Sample(random),
            InteractionRate.Sample(random),
            PauseProbability.Sample(random),
            ClickProbability.Sample(random),
            AdClickMultiplier.Sample(random));
    }
}

/// <summary>The traits of one session, drawn from its user's <see cref="UserProfile"/>.</summary>
/// <param name="PlannedSeconds">How long the user means to stay; past it, closing the tab becomes likely.</param>
/// <param name="ActionsPerMinute">Pace of actions while active (mean gap = 60 / this, outside pauses).</param>
/// <param name="PauseProbability">Chance that a gap is a long pause.</param>
/// <param name="ClickProbability">Weight of <c>click</c> among in-page actions.</param>
/// <param name="AdClickMultiplier">Multiplier of the ad-click probability.</param>
public readonly record struct SessionTraits(
    double PlannedSeconds,
    double ActionsPerMinute,
    double PauseProbability,
    double ClickProbability,
    double AdClickMultiplier);

/// <summary>The six user profiles, their Beta parameters and their mix weights.</summary>
public static class ProfileCatalog
{
    /// <summary>Range of <see cref="UserProfile.SessionLength"/>, seconds.</summary>
    public const double SessionSecondsMin = 20, SessionSecondsMax = 600;
    /// <summary>Range of <see cref="UserProfile.InteractionRate"/>, actions per minute.</summary>
    public const double RateMin = 4, RateMax = 60;
    /// <summary>Range of <see cref="UserProfile.PauseProbability"/>.</summary>
    public const double PauseMin = 0, PauseMax = 0.25;
    /// <summary>Range of <see cref="UserProfile.ClickProbability"/>.</summary>
    public const double ClickMin = 0.01, ClickMax = 0.4;
    /// <summary>Range of <see cref="UserProfile.AdClickMultiplier"/>.</summary>
    public const double AdMultiplierMin = 0.1, AdMultiplierMax = 4;

    private static ScaledBeta Length(double a, double b) => new(a, b, SessionSecondsMin, SessionSecondsMax);
    private static ScaledBeta Rate(double a, double b) => new(a, b, RateMin, RateMax);
    private static ScaledBeta Pause(double a, double b) => new(a, b, PauseMin, PauseMax);
    private static ScaledBeta Click(double a, double b) => new(a, b, ClickMin, ClickMax);
    private static ScaledBeta Ad(double a, double b) => new(a, b, AdMultiplierMin, AdMultiplierMax);

    /// <summary>Skims quickly: short, fast sessions, few clicks, rarely clicks ads.</summary>
    public static UserProfile RushedReader { get; } = new("rushed_reader", 0.20,
        Length(2, 18), Rate(6, 6), Pause(1.5, 13.5), Click(2, 20), Ad(2, 14), 0.10);

    /// <summary>Reads slowly and thoroughly: long sessions, a slow pace, some pauses.</summary>
    public static UserProfile CarefulReader { get; } = new("careful_reader", 0.15,
        Length(4, 7), Rate(3, 16), Pause(3, 7), Click(3, 20), Ad(3, 10), 0.14);

    /// <summary>Switches away often: many pauses and blurs, middling everything else.</summary>
    public static UserProfile DistractedUser { get; } = new("distracted_user", 0.20,
        Length(3, 10), Rate(3, 10), Pause(6, 4), Click(2, 16), Ad(2, 12), 0.10);

    /// <summary>Reads attentively without distraction: long-ish sessions, few pauses, steady pace.</summary>
    public static UserProfile FocusedReader { get; } = new("focused_reader", 0.15,
        Length(4, 10), Rate(4, 14), Pause(2, 10.5), Click(3, 18), Ad(3, 11), 0.14);

    /// <summary>Clicks everything, ads included: short fast sessions, high click and ad-click propensity.</summary>
    public static UserProfile ClickHappy { get; } = new("click_happy", 0.10,
        Length(3, 18), Rate(5, 6), Pause(2, 8), Click(6, 6), Ad(5, 3), 0.16);

    /// <summary>On a phone: mostly scrolling, almost no hover, frequent app switches (blur).</summary>
    public static UserProfile MobileUser { get; } = new("mobile_user", 0.20,
        Length(2, 16), Rate(5, 7), Pause(4, 6), Click(3, 18), Ad(3, 7), 0.01);

    /// <summary>All six profiles, in a fixed order.</summary>
    public static IReadOnlyList<UserProfile> All { get; } =
        [RushedReader, CarefulReader, DistractedUser, FocusedReader, ClickHappy, MobileUser];

    /// <summary>The profile named <paramref name="name"/>, or null.</summary>
    public static UserProfile? Find(string name)
    {
        foreach (var p in All)
            if (string.Equals(p.Name, name, StringComparison.Ordinal))
                return p;
        return null;
    }

    /// <summary>Picks a profile by the mix weights.</summary>
    internal static UserProfile Pick(Random random)
    {
        var u = random.NextDouble();
        var acc = 0.0;
        foreach (var p in All)
        {
            acc += p.Weight;
            if (u < acc)
                return p;
        }
        return All[^1];
    }
}
