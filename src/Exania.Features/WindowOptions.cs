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

    /// <summary>
    /// Most windows one event can fall into (<see cref="WindowSeconds"/> / <see cref="StepSeconds"/>): bounds the output
    /// of a dense session, so a tiny step cannot turn a small file into an endless run.
    /// </summary>
    public const double MaxWindowsPerEvent = 10_000;

    /// <summary>Longest window or horizon: a year, in seconds.</summary>
    public const double MaxSeconds = 366 * 24 * 3600;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the bad setting and the valid range.</summary>
    public WindowOptions Validate()
    {
        if (!(WindowSeconds > 0) || !(WindowSeconds <= MaxSeconds))
            throw new ArgumentOutOfRangeException(nameof(WindowSeconds), WindowSeconds, $"The window must be a positive number of seconds, at most {MaxSeconds} (a year).");
        if (!(StepSeconds > 0) || !double.IsFinite(StepSeconds))
            throw new ArgumentOutOfRangeException(nameof(StepSeconds), StepSeconds, "The step must be a positive, finite number of seconds.");
        if (!(StepSeconds >= WindowSeconds / MaxWindowsPerEvent))
            throw new ArgumentOutOfRangeException(nameof(StepSeconds), StepSeconds,
                $"The step must be at least window / {MaxWindowsPerEvent} = {WindowSeconds / MaxWindowsPerEvent} seconds, so that one event falls into at most {MaxWindowsPerEvent} windows.");
        if (MinActions < 1)
            throw new ArgumentOutOfRangeException(nameof(MinActions), MinActions, "Minimum actions per window must be at least 1.");
        if (!(HorizonSeconds > 0) || !(HorizonSeconds <= MaxSeconds))
            throw new ArgumentOutOfRangeException(nameof(HorizonSeconds), HorizonSeconds, $"The label horizon must be a positive number of seconds, at most {MaxSeconds} (a year).");
        return this;
    }
}
