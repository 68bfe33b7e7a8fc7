using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary>Issue #15, class 6 (in part): an output never replaces an input, and a rerun leaves no stale rejects file.</summary>
[Collection("console")]
public class OutputSafetyTests
{
    private const string Events = "user_id,session_id,timestamp,action\nu1,s1,1700000000,click\nu1,s1,1700000005,hover\n";

    [Fact]
    public void Windows_OutIsTheEventsFile_IsRefusedAndTheFileIsUntouched()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("e.csv");
        File.WriteAllText(events, Events);
        var run = CliRunner.Run("windows", "--events", events, "--out", events);
        Assert.Equal(2, run.Exit);
        Assert.Contains("is the --events input; exania never writes over a file it reads", run.Error, StringComparison.Ordinal);
        Assert.Equal(Events, File.ReadAllText(events));
    }

    [Fact]
    public void Windows_OutIsASymlinkToTheEventsFile_IsRefused()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("e.csv");
        File.WriteAllText(events, Events);
        var link = dir.File("link.csv");
        File.CreateSymbolicLink(link, events);
        var run = CliRunner.Run("windows", "--events", events, "--out", link);
        Assert.Equal(2, run.Exit);
        Assert.Equal(Events, File.ReadAllText(events));
    }

    [Fact]
    public void ExportOnnx_OutIsTheModelFile_IsRefusedAndTheModelIsUntouched()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("e.csv");
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "200", "--seed", "3", "--out", events).Exit);
        Assert.Equal(0, CliRunner.Run("windows", "--events", events, "--out", dir.File("w.csv")).Exit);
        Assert.Equal(0, CliRunner.Run("train", "click", "--features", dir.File("w.csv"), "--out", dir.File("m"), "--folds", "2").Exit);
        var model = Path.Combine(dir.File("m"), "click_model.json");
        var before = File.ReadAllBytes(model);
        var export = CliRunner.Run("export", "onnx", "--model", model, "--out", model);
        Assert.Equal(2, export.Exit);
        Assert.Equal(before, File.ReadAllBytes(model));
        var predict = CliRunner.Run("predict", "click", "--model", dir.File("m"), "--features", dir.File("w.csv"), "--out", dir.File("w.csv"));
        Assert.Equal(2, predict.Exit);
        Assert.Contains("is the --features input", predict.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rerun_WithoutRejects_RemovesTheEarlierRunsRejectsFile()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("e.csv");
        File.WriteAllText(events, Events + "u1,s1,oops,click\n");
        var output = dir.File("w.csv");
        Assert.Equal(0, CliRunner.Run("windows", "--events", events, "--out", output, "--on-bad-row", "skip", "--min-actions", "1").Exit);
        var rejects = Directory.GetFiles(dir.Root, "*rejects*");
        Assert.Single(rejects);
        File.WriteAllText(events, Events);
        Assert.Equal(0, CliRunner.Run("windows", "--events", events, "--out", output, "--on-bad-row", "skip", "--min-actions", "1").Exit);
        Assert.Empty(Directory.GetFiles(dir.Root, "*rejects*"));
    }
}
