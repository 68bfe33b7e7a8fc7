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
        Assert.Equal((4, 4, 0), ((int)first.Json!["events"]!["events"]!, (int)first.Json!["events"]!["inserted"]!, (int)first.Json!["events"]!["already_stored"]!));
        var second = CliRunner.Run("ingest", "--events", dir.File("e.csv"), "--db", dir.File("x.duckdb"), "--json");
        Assert.True(second.Exit == 0, second.Out);
        Assert.Equal((0, 4, 4), ((int)second.Json!["events"]!["inserted"]!, (int)second.Json!["events"]!["already_stored"]!, (int)second.Json!["events"]!["stored_after"]!));
    }

    [Fact]
    public void AnalysisCommands_ReadTheStore_AndCountAsFromTheFile()
    {
        using var dir = new TestData.TempDir();
        string[] rees46 = ["--events", TestData.Path("rees46_head6000.csv"),
            "--map", "timestamp=event_time,action=event_type,item_id=product_id,category=category_id,session_id=user_session,revenue=price"];
        Assert.Equal(0, CliRunner.Run(["ingest", .. rees46, "--db", dir.File("x.duckdb"), "--json"]).Exit);
        string[] funnel = ["funnel", "--stages", "view,cart,purchase", "--by", "session", "--window", "30m", "--json"];
        var fromFile = CliRunner.Run([.. funnel, .. rees46]);
        var fromStore = CliRunner.Run([.. funnel, "--db", dir.File("x.duckdb")]);
        Assert.True(fromStore.Exit == 0, fromStore.Out);
        Assert.Equal(fromFile.Json!["steps"]!.ToJsonString(), fromStore.Json!["steps"]!.ToJsonString());
        foreach (var command in new[] { "paths", "retention" })
        {
            var a = CliRunner.Run([command, .. rees46, "--json"]).Json!;
            var b = CliRunner.Run([command, "--db", dir.File("x.duckdb"), "--json"]).Json!;
            a.Remove("input");
            b.Remove("input");
            Assert.Equal(a.ToJsonString(), b.ToJsonString());
        }
        var both = CliRunner.Run([.. funnel, .. rees46, "--db", dir.File("x.duckdb")]);
        Assert.Equal(2, both.Exit);
        Assert.Contains("Give --events or --db, not both", both.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_SkipsBadRowsWhenAsked_AndReportsThem()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events + "u3,s3,not-a-time,view,/c\n");
        var run = CliRunner.Run("ingest", "--events", dir.File("e.csv"), "--db", dir.File("x.duckdb"), "--on-bad-row", "skip", "--json");
        Assert.True(run.Exit == 0, run.Out);
        Assert.Equal((4, 1), ((int)run.Json!["events"]!["inserted"]!, (int)run.Json!["input"]!["rejected"]!));
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

    [Fact]
    public void BenchDashboard_RefusesAPostgresOptionThatIsNoConnectionString_BeforeAnyWork()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        foreach (var given in new[] { "", "exania.duckdb", "Database=x;Username=postgres" })
        {
            var run = CliRunner.Run("bench", "dashboard", "--events", dir.File("e.csv"), "--postgres", given, "--work", dir.File("w"), "--json");
            Assert.Equal(2, run.Exit);
            Assert.Contains("--postgres needs a PostgreSQL connection string", run.Out + run.Error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(dir.File("w")));
        }
    }
}
