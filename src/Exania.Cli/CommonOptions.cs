using System.CommandLine;

namespace Exania.Cli;

internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print exactly one JSON object with the figures on stdout (for scripts).",
    };

    public static Option<int> Seed(int defaultSeed = 1) => new("--seed")
    {
        Description = "Seed of every random step; the same seed gives the same result.",
        DefaultValueFactory = _ => defaultSeed,
    };
}
