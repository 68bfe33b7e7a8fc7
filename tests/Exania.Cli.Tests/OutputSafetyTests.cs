using Exania.Core;
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

    [Fact]
    public void Windows_OutDevNull_WritesThroughAndLeavesTheDevice()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is Linux's");
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), Events);
        var run = CliRunner.Run("windows", "--events", dir.File("e.csv"), "--out", "/dev/null", "--min-actions", "1", "--json");
        Assert.Equal(0, run.Exit);
        Assert.Equal(PathKind.Stream, OutputPath.KindOf("/dev/null"));
        Assert.Empty(Directory.GetFiles("/dev", "null*.tmp"));
    }

    [Fact]
    public void Sequences_FolderWithTheUsersFiles_IsRefusedAndKept()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("e.csv");
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "60", "--seed", "2", "--out", events).Exit);
        var folder = dir.File("s");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");
        var run = CliRunner.Run("sequences", "--events", events, "--out", folder, "--json");
        Assert.Equal(2, run.Exit);
        Assert.Contains("notes.txt", run.Out, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Sequences_Rerun_ReplacesTheFolderWhole_WithNoStaleRejects()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("e.csv");
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "60", "--seed", "2", "--out", events).Exit);
        var good = File.ReadAllText(events);
        File.AppendAllText(events, "u1,s1,oops,click,,,,,,,,\n");
        var folder = dir.File("s");
        Assert.Equal(0, CliRunner.Run("sequences", "--events", events, "--out", folder, "--on-bad-row", "skip").Exit);
        Assert.True(File.Exists(Path.Combine(folder, "events.rejects.csv")));
        File.WriteAllText(events, good);
        Assert.Equal(0, CliRunner.Run("sequences", "--events", events, "--out", folder).Exit);
        Assert.Equal(["test.csv", "train.csv", "validation.csv", "vocabulary.json"],
            Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["e.csv", "s"], Directory.GetFileSystemEntries(dir.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
