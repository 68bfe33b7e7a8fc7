using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>windows --stream</c> end to end: the batch bytes, chunk by chunk, and clear refusals.</summary>
[Collection("console")]
public class StreamingCliTests
{
    [Fact]
    public void Stream_GivesTheBatchFile_InManyChunks()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("e.csv");
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "300", "--seed", "12", "--out", events).Exit);
        Assert.Equal(0, CliRunner.Run("windows", "--events", events, "--out", dir.File("batch.csv")).Exit);
        var run = CliRunner.Run("windows", "--events", events, "--out", dir.File("stream.csv"), "--stream", "--chunk-events", "500", "--json");
        Assert.True(run.Exit == 0, run.Out + run.Error);
        Assert.True((int)run.Json!["chunks"]! > 5);
        Assert.True((bool)run.Json["stream"]!);
        Assert.Equal(File.ReadAllBytes(dir.File("batch.csv")), File.ReadAllBytes(dir.File("stream.csv")));
    }

    [Fact]
    public void Stream_UngroupedSessionsOrParquetOut_ExitTwoAndWriteNothing()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), "user_id,session_id,timestamp,action\nu,a,1700000000,click\nu,b,1700000001,click\nu,a,1700000002,click\n");
        var ungrouped = CliRunner.Run("windows", "--events", dir.File("e.csv"), "--out", dir.File("w.csv"), "--stream", "--chunk-events", "1", "--min-actions", "1", "--json");
        Assert.Equal(2, ungrouped.Exit);
        Assert.Contains("appears again after its rows were extracted", ungrouped.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("w.csv")));
        var parquet = CliRunner.Run("windows", "--events", dir.File("e.csv"), "--out", dir.File("w.parquet"), "--stream", "--json");
        Assert.Equal(2, parquet.Exit);
        Assert.Contains("--stream writes CSV", parquet.Out, StringComparison.Ordinal);
    }
}
