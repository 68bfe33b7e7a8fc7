using Exania.Events;

namespace Exania.Synthetic.Tests;

/// <summary>Shared generated samples, built once per test run.</summary>
internal static class Sample
{
    private static readonly Lazy<IReadOnlyList<GeneratedSession>> s_small =
        new(() => new InteractionGenerator(GeneratorOptions.Defaults with { Seed = 7, Sessions = 500 }).Sessions().ToList());

    private static readonly Lazy<IReadOnlyList<GeneratedSession>> s_large =
        new(() => new InteractionGenerator(GeneratorOptions.Defaults with { Seed = 11, Sessions = 4_000 }).Sessions().ToList());

    /// <summary>500 sessions, seed 7.</summary>
    public static IReadOnlyList<GeneratedSession> Small => s_small.Value;

    /// <summary>4,000 sessions, seed 11 (for statistics).</summary>
    public static IReadOnlyList<GeneratedSession> Large => s_large.Value;

    public static string Csv(EventLog log)
    {
        using var writer = new StringWriter();
        EventCsvWriter.Write(log, writer);
        return writer.ToString();
    }
}
