using System.CommandLine;
using Exania.Core;

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

    /// <summary>The value of <c>--on-bad-row</c>.</summary>
    /// <exception cref="ArgumentException">Neither fail nor skip.</exception>
    public static BadRowPolicy ParseBadRowPolicy(string text) => text switch
    {
        "fail" => BadRowPolicy.Fail,
        "skip" => BadRowPolicy.Skip,
        _ => throw new ArgumentException($"--on-bad-row '{text}' is not one of fail, skip."),
    };
}
