using Exania.Events;
using Exania.Features;

namespace Exania.Scoring;

/// <summary>How live sessions are kept and what a batch may hold.</summary>
public sealed record LiveScoringOptions
{
    /// <summary>A session with no event for this long is forgotten (its next event starts a new session).</summary>
    public TimeSpan IdleTimeToLive { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Most live sessions held; past it the least recently used is evicted. About 4 KB each (the last window's events
    /// and the sequence history), so the default holds at most about 3 GB.
    /// </summary>
    public int MaxSessions { get; init; } = 1_000_000;

    /// <summary>Most events in one batch.</summary>
    public int MaxEventsPerBatch { get; init; } = 1000;

    /// <summary>Event times accepted (the readers' default: 1990 to 2100).</summary>
    public TimestampRange TimeRange { get; init; } = TimestampRange.Plausible;

    /// <summary>The sliding windows; they must be those the click model was trained on (<c>exania windows</c>' options).</summary>
    public WindowOptions Windows { get; init; } = WindowOptions.Default;

    /// <summary>Most recent events kept per session for the sequence model (it reads at most its own window length of them).</summary>
    public int HistoryLength { get; init; } = 50;

    public static LiveScoringOptions Default { get; } = new();

    /// <summary>Checks every field; returns this.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it.</exception>
    public LiveScoringOptions Validate()
    {
        if (IdleTimeToLive <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(IdleTimeToLive), IdleTimeToLive, "The idle time to live must be positive.");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSessions, 1, nameof(MaxSessions));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEventsPerBatch, 1, nameof(MaxEventsPerBatch));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxEventsPerBatch, 100_000, nameof(MaxEventsPerBatch));
        ArgumentOutOfRangeException.ThrowIfLessThan(HistoryLength, 1, nameof(HistoryLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(HistoryLength, 10_000, nameof(HistoryLength));
        Windows.Validate();
        return this;
    }
}
