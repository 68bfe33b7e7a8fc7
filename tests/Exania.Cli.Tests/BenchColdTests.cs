using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>bench cold</c> at a tiny size: real child processes of the built CLI, figures from their own JSON.</summary>
[Collection("console")]
public class BenchColdTests
{
    [Fact]
    public void BenchCold_TimesChildProcesses_AndSplitsTheirTime()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("e.csv");
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "40", "--seed", "8", "--out", events).Exit);
        // The CLI's own executable, built beside this test assembly.
        var exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "exania.exe" : "exania");
        Assert.SkipUnless(File.Exists(exe), $"{exe} was not built");
        var run = CliRunner.Run("bench", "cold", "--events", events, "--exe", exe, "--runs", "2", "--work", dir.Root, "--json");
        Assert.True(run.Exit == 0, run.Out + run.Error);
        var json = run.Json!;
        var exania = json["exania"]!;
        Assert.Equal(2, (int)json["runs"]!);
        Assert.True((int)json["windows"]! > 0);
        var wall = (double)exania["wall_seconds_median"]!;
        // The command's own clock runs inside the process: the wall time around it is longer.
        Assert.True((double)exania["startup_and_exit_seconds"]! > 0, $"wall {wall}");
        foreach (var part in new[] { "read_seconds", "extract_seconds", "write_seconds" })
            Assert.True((double)exania[part]! > 0, part);
        Assert.True((double)exania["wall_seconds_best"]! <= wall);
        Assert.True(File.Exists(Path.Combine(dir.Root, "windows.csv")));
    }
}
