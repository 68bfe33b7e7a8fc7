using System.Diagnostics;
using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary>Issue #15, class 1, end to end: a far-off timestamp is a rejected row and costs nothing.</summary>
[Collection("console")]
public class RunawayTimeCliTests
{
    [Fact]
    public void Windows_1e300Timestamp_ReturnsWithinASecondWithThatRowRejected()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), "user_id,session_id,timestamp,action\nu1,s1,0,click\nu1,s1,1,hover\nu1,s1,1e300,click\n" +
                                             "u2,s2,1700000000,click\nu2,s2,1700000030,hover\n");
        CliRunner.Run("windows", "--help"); // the first run pays for JIT; the second is the one timed
        var watch = Stopwatch.StartNew();
        var run = CliRunner.Run("windows", "--events", dir.File("e.csv"), "--out", dir.File("w.csv"), "--on-bad-row", "skip", "--json");
        watch.Stop();
        Assert.Equal(0, run.Exit);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        var input = run.Json!["input"]!;
        Assert.Equal((5, 2, 3), ((int)input["rows_read"]!, (int)input["accepted"]!, (int)input["rejected"]!));
        var rejects = File.ReadAllLines(dir.File("w.rejects.csv"));
        Assert.Contains(rejects, line => line.StartsWith("e.csv,4,\"timestamp '1e300' is ", StringComparison.Ordinal));
        Assert.Contains(rejects, line => line.StartsWith("e.csv,2,\"timestamp '0' is 1970-01-01 00:00:00 UTC, outside", StringComparison.Ordinal));
    }

    [Fact]
    public void Windows_TimeRangeAny_ReadsRelativeTimes()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), "user_id,session_id,timestamp,action\nu1,s1,0,click\nu1,s1,1,hover\nu1,s1,200,click\n");
        var run = CliRunner.Run("windows", "--events", dir.File("e.csv"), "--out", dir.File("w.csv"), "--time-range", "any", "--json");
        Assert.Equal(0, run.Exit);
        Assert.Equal(3, (int)run.Json!["input"]!["accepted"]!);
    }

    [Fact]
    public void Windows_TimeRangeNotARange_IsAUsageErrorNamingTheFlag()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), "user_id,session_id,timestamp,action\nu1,s1,1700000000,click\n");
        var run = CliRunner.Run("windows", "--events", dir.File("e.csv"), "--out", dir.File("w.csv"), "--time-range", "2020..2019", "--json");
        Assert.Equal(2, run.Exit);
        Assert.Contains("--time-range", run.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("w.csv")));
    }
}
