using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>exania ingest</c> end to end: stored once however often it runs, bad rows reported, bad databases refused.</summary>
[Collection("console")]
public class IngestCliTests
{
    private const string Events =
        "user_id,session_id,timestamp,action,page\n" +
        "u1,s1,1700000000,view,/a\nu1,s1,1700000010,cart,/a\nu1,s1,1700000200,buy,/a\n" +
        "u2,s2,1700000000,view,/b\n";

    [Fact]
    public void Ingest_StoresTheEventsOnce_HoweverOftenItRuns()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var first = CliRunner.Run("ingest", "--events", dir.File("e.csv"), "--db", dir.File("x.duckdb"), "--json");
        Assert.True(first.Exit == 0, first.Out);
        Assert.Equal((4, 4, 0), ((int)first.Json!["events"]!, (int)first.Json!["inserted"]!, (int)first.Json!["already_stored"]!));
        var second = CliRunner.Run("ingest", "--events", dir.File("e.csv"), "--db", dir.File("x.duckdb"), "--json");
        Assert.True(second.Exit == 0, second.Out);
        Assert.Equal((0, 4, 4), ((int)second.Json!["inserted"]!, (int)second.Json!["already_stored"]!, (int)second.Json!["stored_after"]!));
    }

    [Fact]
    public void Ingest_SkipsBadRowsWhenAsked_AndReportsThem()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events + "u3,s3,not-a-time,view,/c\n");
        var run = CliRunner.Run("ingest", "--events", dir.File("e.csv"), "--db", dir.File("x.duckdb"), "--on-bad-row", "skip", "--json");
        Assert.True(run.Exit == 0, run.Out);
        Assert.Equal((4, 1), ((int)run.Json!["inserted"]!, (int)run.Json!["input"]!["rejected"]!));
        Assert.True(File.Exists(dir.File("x.duckdb.rejects.csv")));
    }

    [Fact]
    public void Ingest_IntoAFileThatIsNotADatabase_IsRefused_AndLeavesItAlone()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        File.WriteAllText(dir.File("x.duckdb"), "notes, not a database");
        var run = CliRunner.Run("ingest", "--events", dir.File("e.csv"), "--db", dir.File("x.duckdb"), "--json");
        Assert.NotEqual(0, run.Exit);
        Assert.Contains("could not be opened as a DuckDB database", run.Out + run.Error, StringComparison.Ordinal);
        Assert.Equal("notes, not a database", File.ReadAllText(dir.File("x.duckdb")));
    }
}
