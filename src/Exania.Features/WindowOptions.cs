namespace Exania.Features;

/// <summary>Sliding-window settings. Defaults live here, once.</summary>
public sealed record WindowOptions
{
    public const double DefaultWindowSeconds = 120;
    public const double DefaultStepSeconds = 10;
    public const int DefaultMinActions = 5;
    public const double DefaultHorizonSeconds = 30;

    public static WindowOptions Default { get; } = new();

    /// <summary>Window length: a window ending at t holds the events in (t - WindowSeconds, t].</summary>
    public double WindowSeconds { get; init; } = DefaultWindowSeconds;

    /// <summary>Distance between consecutive window ends; ends are session start + k * step, k = 1, 2, ...</summary>
    public double StepSeconds { get; init; } = DefaultStepSeconds;

    /// <summary>Windows with fewer events are skipped.</summary>
    public int MinActions { get; init; } = DefaultMinActions;

    /// <summary>Label horizon: label = 1 when a click_ad occurs in (t, t + HorizonSeconds].</summary>
    public double HorizonSeconds { get; init; } = DefaultHorizonSeconds;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the bad setting and the valid range.</summary>
    public WindowOptions Validate()
    {
        if (!(WindowSeconds > 0) || !double.IsFinite(WindowSeconds))
            throw new ArgumentOutOfRangeException(nameof(WindowSeconds), WindowSeconds, "The window must be a positive, finite number of seconds.");
        if (!(StepSeconds > 0) || !double.IsFinite(StepSeconds))
            throw new ArgumentOutOfRangeException(nameof(StepSeconds), StepSeconds, "The step must be a positive, finite number of seconds.");
        if (MinActions < 1)
            throw new ArgumentOutOfRangeException(nameof(MinActions), MinActions, "Minimum actions per window must be at least 1.");
        if (!(HorizonSeconds > 0) || !double.IsFinite(HorizonSeconds))
            throw new ArgumentOutOfRangeException(nameof(HorizonSeconds), HorizonSeconds, "The label horizon must be a positive, finite number of seconds.");
        return this;
    }
}
