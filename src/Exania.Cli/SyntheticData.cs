using Exania.Events;
using Exania.Features;
using Exania.Synthetic;

namespace Exania.Cli;

/// <summary>Generated event logs sized by sessions or by the number of windows they yield.</summary>
internal static class SyntheticData
{
    /// <summary>
    /// Generates whole sessions, in seed order, until their windows (under <paramref name="windows"/>) number at least
    /// <paramref name="samples"/>. Sessions are never cut, so the count may exceed the target by one session's windows.
    /// </summary>
    public static (EventLog Log, int Sessions) ForSamples(GeneratorOptions options, int samples, WindowOptions windows,
        Action<double>? progress = null)
    {
        if (samples < 1)
            throw new ArgumentOutOfRangeException(nameof(samples), samples, "--samples must be at least 1.");
        var generator = new InteractionGenerator(options);
        var log = new EventLog();
        var extractor = new IncrementalWindowExtractor(windows);
        var produced = 0;
        var sessions = 0;
        WindowHandler count = (_, _) => produced++;
        foreach (var session in generator.Stream())
        {
            extractor.Reset();
            foreach (var e in session.Events)
            {
                log.Append(e);
                extractor.Push(e.Timestamp, log.Actions.IndexOf(e.Action), e.ScrollDepth, count);
            }
            extractor.Complete(count);
            sessions++;
            progress?.Invoke(Math.Min(1.0, produced / (double)samples));
            if (produced >= samples)
                break;
        }
        return (log, sessions);
    }

    /// <summary>Generates exactly <paramref name="sessions"/> sessions.</summary>
    public static EventLog ForSessions(GeneratorOptions options, int sessions) =>
        new InteractionGenerator(options with { Sessions = sessions }).Generate(sessions);
}
