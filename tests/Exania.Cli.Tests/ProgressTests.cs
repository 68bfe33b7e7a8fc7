using System.Text.Json.Nodes;
using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary>Issue #15, class 10: a long <c>--json</c> run reports progress on stderr, and stdout stays one JSON object.</summary>
[Collection("console")]
public class ProgressTests
{
    [Fact]
    public void JsonRun_ReportsProgressOnStderrAsJsonLines()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("e.csv");
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "200", "--seed", "4", "--out", events).Exit);
        var interval = CliOutput.ProgressInterval;
        CliOutput.ProgressInterval = TimeSpan.FromMilliseconds(20);
        try
        {
            var run = CliRunner.Run("train", "sequence", "--events", events, "--out", dir.File("m"), "--epochs", "3", "--emb", "8",
                "--hidden", "16", "--max-len", "20", "--json");
            Assert.Equal(0, run.Exit);
            Assert.NotNull(run.Json); // stdout: exactly the one result object
            var beats = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
            Assert.NotEmpty(beats);
            Assert.All(beats, beat => Assert.True((double)beat["elapsed_seconds"]! >= 0));
            var training = beats.Where(b => ((string)b["step"]!).StartsWith("training", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(training);
            var fractions = training.Select(b => b["fraction"]).OfType<JsonNode>().Select(f => (double)f).ToList();
            Assert.All(fractions, f => Assert.InRange(f, 0.0, 1.0));
            Assert.Equal(fractions.Order(), fractions); // progress never goes back
        }
        finally
        {
            CliOutput.ProgressInterval = interval;
        }
    }
}
