using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>exania paths</c> end to end, and clear errors for bad input.</summary>
[Collection("console")]
public class PathsCliTests
{
    private const string Events =
        "user_id,session_id,timestamp,action,page\n" +
        "u1,s1,1700000000,view,/p/1\nu1,s1,1700000010,cart,/cart\nu1,s1,1700000200,buy,/done\n" +
        "u2,s2,1700000000,view,/p/2\nu2,s2,1700000500,cart,/cart\n" +
        "u3,s3,1700000000,view,/p/3\nu3,s3,1700000020,view,/p/4\n";

    [Fact]
    public void Paths_ReportsTheRankings_AsJson()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("paths", "--events", dir.File("e.csv"), "--field", "page", "--clean", "[0-9]+", "--json");
        Assert.True(run.Exit == 0, run.Out);
        var json = run.Json!;
        Assert.Equal("paths", (string)json["command"]!);
        Assert.Equal((3, 1, 2), ((int)json["with_path"]!, (int)json["converted"]!, (int)json["abandoned"]!));
        var top = json["top"]!.AsArray();
        Assert.Equal(["/p/*", "/cart"], top[0]!["steps"]!.AsArray().Select(s => (string)s!));
        Assert.Equal((2, 1), ((int)top[0]!["units"]!, (int)top[0]!["conversions"]!));
    }

    [Theory]
    [InlineData("--after", "checkout", "'checkout' is not an action")]
    [InlineData("--conversion", "order", "none of order occurs")]
    [InlineData("--clean", "([", "not a valid regular expression")]
    [InlineData("--length", "0", "Length")]
    public void Paths_BadOptions_AreUsageErrorsNamingTheProblem(string flag, string value, string message)
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("paths", "--events", dir.File("e.csv"), flag, value, "--json");
        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Out, StringComparison.Ordinal);
    }
}
