using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>exania retention</c> end to end: cohorts and rates in JSON, and clear errors.</summary>
[Collection("console")]
public class RetentionCliTests
{
    // 2023-11-14 is day 19,675; u1 comes back the next day, u2 does not.
    private const string Events =
        "user_id,session_id,timestamp,action\n" +
        "u1,s1,1700000000,view\nu1,s2,1700090000,view\nu2,s3,1700000100,view\nu3,s4,1700400000,hover\n";

    [Fact]
    public void Retention_ReportsCohortsAndRates()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("retention", "--events", dir.File("e.csv"), "--start", "view", "--periods", "2", "--json");
        Assert.Equal(0, run.Exit);
        var cohort = run.Json!["cohorts"]!.AsArray()[0]!;
        Assert.Equal(2, (int)cohort["users"]!);
        Assert.Equal([0, 1, 0], cohort["retained"]!.AsArray().Select(n => (int)n!));
        Assert.Equal(0.5, (double)run.Json!["rate"]![1]!);
        Assert.Equal("day", (string)run.Json!["period"]!);
    }

    [Theory]
    [InlineData("--return", "buy")]
    [InlineData("--periods", "-2")]
    [InlineData("--as-of", "later")]
    public void Retention_BadOption_IsAUsageErrorNamingTheFlag(string flag, string value)
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("retention", "--events", dir.File("e.csv"), flag, value, "--json");
        Assert.Equal(2, run.Exit);
        Assert.Contains(flag, run.Out, StringComparison.Ordinal);
    }
}
