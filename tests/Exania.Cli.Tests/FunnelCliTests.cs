using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>exania funnel</c> end to end: the counts per step in JSON, and clear errors for bad stages.</summary>
[Collection("console")]
public class FunnelCliTests
{
    private const string Events =
        "user_id,session_id,timestamp,action\n" +
        "u1,s1,1700000000,view\nu1,s1,1700000010,cart\nu1,s1,1700000200,purchase\n" +
        "u2,s2,1700000000,view\nu2,s2,1700000500,cart\nu2,s2,1700000600,remove\n" +
        "u3,s3,1700000000,view\nu3,s3,1700090000,hover\n";

    [Fact]
    public void Funnel_ReportsEachStep()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("funnel", "--events", dir.File("e.csv"), "--stages", "view,cart,purchase", "--window", "1d", "--json");
        Assert.Equal(0, run.Exit);
        var steps = run.Json!["steps"]!.AsArray();
        Assert.Equal([3, 2, 1], steps.Select(s => (int)s!["count"]!));
        Assert.Equal(1, (int)steps[1]!["dropped_off"]!);
        Assert.Equal("user", (string)run.Json!["count_by"]!);
        Assert.Equal(86_400.0, (double)run.Json!["window_seconds"]!);
    }

    [Fact]
    public void Funnel_OptionalStepAndBreakdown_AreReported()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), "user_id,session_id,timestamp,action,page\n" +
            "u1,s1,1700000000,view,/shoes/1\nu1,s1,1700000200,purchase,/done\n" +
            "u2,s2,1700000000,view,/shoes/2\nu2,s2,1700000010,cart,/cart\nu2,s2,1700000200,purchase,/done\n" +
            "u3,s3,1700000000,view,/hats/3\n");
        var run = CliRunner.Run("funnel", "--events", dir.File("e.csv"), "--stages", "view,cart?,purchase", "--window", "1d",
            "--breakdown", "page", "--clean", "[0-9]+", "--attribution", "first", "--json");
        Assert.True(run.Exit == 0, run.Out);
        var steps = run.Json!["steps"]!.AsArray();
        Assert.Equal([3, 1, 2], steps.Select(s => (int)s!["count"]!));
        Assert.True((bool)steps[1]!["optional"]!);
        var groups = run.Json!["breakdown"]!["shown"]!.AsArray();
        Assert.Equal(["/shoes/*", "/hats/*"], groups.Select(g => (string)g!["value"]!));
        Assert.Equal([2, 1, 2], groups[0]!["steps"]!.AsArray().Select(s => (int)s!["count"]!));

        var bad = CliRunner.Run("funnel", "--events", dir.File("e.csv"), "--stages", "view,purchase", "--breakdown", "page", "--attribution", "checkout", "--json");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("--attribution: 'checkout' is not first, last or one of the stages", bad.Out, StringComparison.Ordinal);
        var badField = CliRunner.Run("funnel", "--events", dir.File("e.csv"), "--stages", "view,purchase", "--breakdown", "scroll_depth", "--json");
        Assert.Equal(2, badField.Exit);
        Assert.Contains("--breakdown: 'scroll_depth' is not one of", badField.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Funnel_BreakdownBySegment_ReadsTheAssignmentsOfSegment()
    {
        using var dir = new TestData.TempDir();
        string[] taobao = ["--events", TestData.Path("taobao_head3000.csv"), "--no-header", "--columns", "user_id,item_id,category,action,timestamp"];
        var segment = CliRunner.Run(["segment", .. taobao, "--k", "3", "--out", dir.File("seg"), "--json"]);
        Assert.True(segment.Exit == 0, segment.Out);
        var run = CliRunner.Run(["funnel", .. taobao, "--stages", "pv,cart,buy", "--window", "1d", "--breakdown", "segment",
            "--segments", dir.File("seg/segment_assignments.csv"), "--json"]);
        Assert.True(run.Exit == 0, run.Out);
        var breakdown = run.Json!["breakdown"]!;
        Assert.Null(breakdown["property"]);
        var names = segment.Json!["segments"]!.AsArray().Select(s => (string)s!["name"]!).ToHashSet();
        var groups = breakdown["shown"]!.AsArray();
        Assert.Equal(3, groups.Count);
        Assert.All(groups, g => Assert.Contains((string)g!["value"]!, names));
        var steps = run.Json!["steps"]!.AsArray();
        for (var k = 0; k < 3; k++)
            Assert.Equal((int)steps[k]!["count"]!, groups.Sum(g => (int)g!["steps"]![k]!["count"]!));

        var missing = CliRunner.Run(["funnel", .. taobao, "--stages", "pv,buy", "--breakdown", "segment", "--json"]);
        Assert.Equal(2, missing.Exit);
        Assert.Contains("--breakdown segment needs --segments", missing.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Funnel_UnknownStage_IsAUsageErrorListingTheActions()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("funnel", "--events", dir.File("e.csv"), "--stages", "view,checkout", "--json");
        Assert.Equal(2, run.Exit);
        Assert.Contains("'checkout' is not an action of any event", run.Out, StringComparison.Ordinal);
        Assert.Contains("--stages", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--exclude", "remove:purchase")]
    [InlineData("--window", "soon")]
    [InlineData("--from", "yesterday")]
    public void Funnel_BadOption_IsAUsageErrorNamingTheFlag(string flag, string value)
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("funnel", "--events", dir.File("e.csv"), "--stages", "view,cart,purchase", flag, value, "--json");
        Assert.Equal(2, run.Exit);
        Assert.Contains(flag, run.Out, StringComparison.Ordinal);
    }
}
