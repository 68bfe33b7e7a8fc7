using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>exania sessions</c> end to end: the table, the label counts, and clear errors for bad input.</summary>
[Collection("console")]
public class SessionsCliTests
{
    private const string Events =
        "user_id,session_id,timestamp,action,page\n" +
        "u1,s1,1700000000,view,/a\nu1,s1,1700000010,cart,/a\nu1,s1,1700000200,buy,/a\n" +
        "u2,s2,1700000000,view,/b\nu2,s2,1700000500,cart,/b\n" +
        "u3,s3,1700000000,view,/c\nu3,s3,1700000020,buy,/c\n";

    [Fact]
    public void Sessions_WritesTheTable_AndReportsEachLabelsCount()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("sessions", "--events", dir.File("e.csv"), "--observe", "1m", "--out", dir.File("s.csv"), "--json");
        Assert.Equal(0, run.Exit);
        var json = run.Json!;
        Assert.Equal("sessions", (string)json["command"]!);
        Assert.Equal((3, 2, 1), ((int)json["sessions"]!, (int)json["rows"]!, (int)json["converted_in_prefix"]!));
        Assert.Equal((1, 2, 1), ((int)json["conversions"]!, (int)json["clicked"]!, (int)json["dropoffs"]!));
        Assert.Equal("duration", (string)json["prefix_end"]!);
        var lines = File.ReadAllLines(dir.File("s.csv"));
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("session_id,user_id,prefix_events,", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(",clicked,conversion,dropoff", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("s1,u1,2,10,", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(",1,1,0", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(",1,0,1", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Sessions_ParquetOut_WritesParquet()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("sessions", "--events", dir.File("e.csv"), "--observe", "1m", "--out", dir.File("s.parquet"), "--json");
        Assert.Equal(0, run.Exit);
        Assert.Equal("parquet", (string)run.Json!["out_format"]!);
        var bytes = File.ReadAllBytes(dir.File("s.parquet"));
        Assert.Equal("PAR1"u8.ToArray(), bytes[..4]);
        Assert.Equal("PAR1"u8.ToArray(), bytes[^4..]);
    }

    [Fact]
    public void Sessions_ConversionThatNeverOccurs_IsAUsageErrorListingTheActions()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("sessions", "--events", dir.File("e.csv"), "--conversion", "order", "--out", dir.File("s.csv"), "--json");
        Assert.Equal(2, run.Exit);
        Assert.Contains("none of order occurs", run.Out, StringComparison.Ordinal);
        Assert.Contains("view, cart, buy", run.Out, StringComparison.Ordinal);
        Assert.Contains("--conversion", run.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("s.csv")));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("0")]
    public void Sessions_BadObserve_IsAUsageErrorNamingTheFlag(string observe)
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("sessions", "--events", dir.File("e.csv"), "--observe", observe, "--out", dir.File("s.csv"), "--json");
        Assert.Equal(2, run.Exit);
        Assert.Contains("--observe", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Sessions_FirstClick_EndsThePrefixAtTheFirstCart()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("sessions", "--events", dir.File("e.csv"), "--observe", "first-click", "--out", dir.File("s.csv"), "--json");
        Assert.Equal(0, run.Exit);
        Assert.Equal("first_click", (string)run.Json!["prefix_end"]!);
        Assert.Equal(1, (int)run.Json!["converted_in_prefix"]!); // s3 has no click: its prefix is all of it, buy included
    }
}
