using System.Diagnostics;
using Exania.Core;
using Exania.Testing;

namespace Exania.Core.Tests;

/// <summary>
/// Issue #15, class 6: outputs never destroy what is not theirs. A symbolic link keeps being a link, a device or FIFO
/// is written through (never renamed over), leftovers of killed runs are cleaned up, and a folder output is replaced
/// as a unit or not at all.
/// </summary>
public class OutputSafetyTests
{
    [Fact]
    public void KindOf_TellsDevicesFromFiles()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is Linux's");
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("f"), "x");
        Assert.Equal(PathKind.Stream, OutputPath.KindOf("/dev/null"));
        Assert.Equal(PathKind.RegularFile, OutputPath.KindOf(dir.File("f")));
        Assert.Equal(PathKind.Directory, OutputPath.KindOf(dir.Root));
        Assert.Equal(PathKind.Missing, OutputPath.KindOf(dir.File("none")));
    }

    [Fact]
    public async Task Write_ToAFifo_WritesThroughInsteadOfReplacingIt()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mkfifo is POSIX");
        using var dir = new TestData.TempDir();
        var fifo = dir.File("pipe");
        using (var mkfifo = Process.Start("mkfifo", fifo))
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(PathKind.Stream, OutputPath.KindOf(fifo));
        var reader = Task.Run(() => File.ReadAllText(fifo), TestContext.Current.CancellationToken);
        AtomicFile.WriteAllText(fifo, "through the pipe");
        Assert.Equal("through the pipe", await reader.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal(PathKind.Stream, OutputPath.KindOf(fifo)); // still a FIFO, not a file renamed over it
        Assert.Single(Directory.GetFileSystemEntries(dir.Root));
    }

    [Fact]
    public void Write_ToDevNull_LeavesTheDeviceNode()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is Linux's");
        AtomicFile.WriteAllText("/dev/null", "discarded");
        Assert.Equal(PathKind.Stream, OutputPath.KindOf("/dev/null"));
    }

    [Fact]
    public void Write_ThroughASymlink_ReplacesItsTargetAndKeepsTheLink()
    {
        using var dir = new TestData.TempDir();
        Directory.CreateDirectory(dir.File("data"));
        var target = Path.Combine(dir.File("data"), "out.csv");
        File.WriteAllText(target, "old");
        var link = dir.File("out.csv");
        File.CreateSymbolicLink(link, target);
        AtomicFile.WriteAllText(link, "new");
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(dir.File("data"), "*.tmp"));
    }

    [Fact]
    public void Write_ToAFolder_IsRefused()
    {
        using var dir = new TestData.TempDir();
        Assert.Throws<RefusedOutputException>(() => AtomicFile.WriteAllText(dir.Root, "x"));
    }

    [Fact]
    public void Write_DeletesTemporariesOfDeadProcesses_AndKeepsLiveOnes()
    {
        using var dir = new TestData.TempDir();
        var dead = dir.File($".out.csv.{DeadPid()}.0123456789abcdef.tmp");
        var live = dir.File($".out.csv.{Environment.ProcessId}.fedcba9876543210.tmp");
        var other = dir.File($".other.csv.{DeadPid()}.0123456789abcdef.tmp");
        foreach (var path in new[] { dead, live, other })
            File.WriteAllText(path, "partial");
        AtomicFile.WriteAllText(dir.File("out.csv"), "done");
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(other)); // another target's: its own next write cleans it
        Assert.Equal("done", File.ReadAllText(dir.File("out.csv")));
    }

    [Fact]
    public void Write_ThatThrows_LeavesTheOldFileAndNoTemporary()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("out.csv"), "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteText(dir.File("out.csv"), w =>
        {
            w.Write("half");
            throw new InvalidOperationException("interrupted");
        }));
        Assert.Equal("old", File.ReadAllText(dir.File("out.csv")));
        Assert.Single(Directory.GetFileSystemEntries(dir.Root));
    }


    [Fact]
    public void Write_LargerThanTheWritebackBlock_KeepsEveryByteInOrder()
    {
        // Blocks of odd sizes cross several early-writeback requests, and one write is larger than a block.
        using var dir = new TestData.TempDir();
        var random = new Random(3);
        var expected = new byte[(int)(2.5 * WritebackBlockBytes)];
        random.NextBytes(expected);
        AtomicFile.Write(dir.File("big.bin"), stream =>
        {
            var offset = 0;
            foreach (var size in new[] { 1, 3_000_001, (int)WritebackBlockBytes + 7 })
            {
                stream.Write(expected, offset, size);
                offset += size;
            }
            stream.Write(expected.AsSpan(offset));
        });
        Assert.Equal(expected, File.ReadAllBytes(dir.File("big.bin")));
    }

    private const long WritebackBlockBytes = WritebackStream.BlockBytes;
    [Fact]
    public void Directory_ReplacesTheOldFolderAsAUnit()
    {
        using var dir = new TestData.TempDir();
        var folder = dir.File("samples");
        string[] owned = ["a.csv", "b.csv"];
        WriteFirstFolder(folder, owned);
        AtomicDirectory.Write(folder, owned, temp => File.WriteAllText(Path.Combine(temp, "a.csv"), "a2"));
        Assert.Equal(["a.csv"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
        Assert.Equal("a2", File.ReadAllText(Path.Combine(folder, "a.csv")));
        Assert.Single(Directory.GetFileSystemEntries(dir.Root)); // no temporary or old folder left beside it
    }

    [Fact]
    public void Directory_WriteThatThrowsMidway_LeavesTheOldFolderWhole()
    {
        using var dir = new TestData.TempDir();
        var folder = dir.File("samples");
        string[] owned = ["a.csv", "b.csv"];
        WriteFirstFolder(folder, owned);
        Assert.Throws<InvalidOperationException>(() => AtomicDirectory.Write(folder, owned, temp =>
        {
            File.WriteAllText(Path.Combine(temp, "a.csv"), "a2");
            throw new InvalidOperationException("killed before b.csv");
        }));
        Assert.Equal(("a1", "b1"), (File.ReadAllText(Path.Combine(folder, "a.csv")), File.ReadAllText(Path.Combine(folder, "b.csv"))));
        Assert.Single(Directory.GetFileSystemEntries(dir.Root));
    }

    [Fact]
    public void Directory_HoldingTheUsersFiles_IsRefusedBeforeWriting()
    {
        using var dir = new TestData.TempDir();
        var folder = dir.File("samples");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");
        var called = false;
        var ex = Assert.Throws<RefusedOutputException>(() => AtomicDirectory.Write(folder, ["a.csv"], _ => called = true));
        Assert.Contains("notes.txt", ex.Message, StringComparison.Ordinal);
        Assert.False(called);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(folder, "notes.txt")));
    }

    [Fact]
    public void Directory_LeftoverOfAKilledRun_IsDeletedByTheNextWrite()
    {
        using var dir = new TestData.TempDir();
        var leftover = dir.File($".samples.{DeadPid()}.0123456789abcdef.tmp");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "a.csv"), "partial");
        AtomicDirectory.Write(dir.File("samples"), ["a.csv"], temp => File.WriteAllText(Path.Combine(temp, "a.csv"), "a"));
        Assert.False(Directory.Exists(leftover));
    }

    /// <summary>The first version of a two-file folder output: a.csv = a1, b.csv = b1.</summary>
    private static void WriteFirstFolder(string folder, string[] owned) => AtomicDirectory.Write(folder, owned, temp =>
    {
        File.WriteAllText(Path.Combine(temp, "a.csv"), "a1");
        File.WriteAllText(Path.Combine(temp, "b.csv"), "b1");
    });

    /// <summary>A process id that is not running: beyond Linux's largest pid (2^22), so never a live process.</summary>
    private static int DeadPid() => 4_194_305;
}
