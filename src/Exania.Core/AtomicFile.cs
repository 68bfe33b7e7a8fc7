using System.Text;

namespace Exania.Core;

/// <summary>
/// Writes files atomically: content goes to a temporary file beside the target, which is then renamed over it,
/// so a crash or an exception never leaves a half-written model or result behind.
/// </summary>
/// <remarks>
/// Where the target is not a plain file (decided in issue #15): a symbolic link is followed and its final target
/// replaced atomically, so the link stays a link; a character device or FIFO (<c>/dev/null</c>, <c>/dev/stdout</c>, a
/// named pipe) is written through, since a stream has nothing to replace; a folder, block device or socket is refused.
/// Temporary files of an interrupted run are deleted on exit, and any a killed process left behind are deleted by
/// the next write to the same target.
/// </remarks>
public static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> into a temporary file and renames it to <paramref name="path"/>.</summary>
    /// <exception cref="RefusedOutputException">The path is a folder, a block device or a socket.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var target = OutputPath.Resolve(path);
        switch (OutputPath.KindOf(target))
        {
            case PathKind.Stream:
                using (var stream = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16))
                {
                    write(stream);
                    stream.Flush();
                }
                return;
            case PathKind.Directory:
                throw new RefusedOutputException($"'{path}' is a folder; give the name of a file to write.");
            case PathKind.Other:
                throw new RefusedOutputException($"'{path}' is a block device or a socket; exania writes files, character devices and pipes only.");
        }
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var name = Path.GetFileName(target);
        TemporaryPaths.DeleteLeftovers(directory, name);
        var temp = TemporaryPaths.Create(directory, name);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(new WritebackStream(stream));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        finally
        {
            TemporaryPaths.Release(temp);
        }
    }

    /// <summary>Writes text (UTF-8, no BOM) through a <see cref="TextWriter"/>, atomically.</summary>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            write(writer);
        });
    }

    /// <summary>Writes a whole string atomically.</summary>
    public static void WriteAllText(string path, string content) => WriteText(path, w => w.Write(content));
}

/// <summary>
/// Writes a folder of outputs as a unit: every file goes into a temporary folder beside the target, which then takes
/// the target's place in one step (an atomic exchange on Linux), so a killed run leaves the old folder or the new one,
/// never a mix of new and old files.
/// </summary>
public static class AtomicDirectory
{
    /// <summary>
    /// Calls <paramref name="write"/> with an empty temporary folder, then puts it in <paramref name="path"/>'s place.
    /// An existing folder is replaced whole, so it may hold only entries named in <paramref name="ownedNames"/> (what
    /// the command writes): anything else is the user's, and is refused rather than deleted.
    /// </summary>
    /// <exception cref="RefusedOutputException">The path is a file, or an existing folder holds entries the command does not write.</exception>
    public static void Write(string path, IReadOnlyCollection<string> ownedNames, Action<string> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(ownedNames);
        ArgumentNullException.ThrowIfNull(write);
        var target = OutputPath.Resolve(path.TrimEnd('/', '\\') is { Length: > 0 } trimmed ? trimmed : path);
        var kind = OutputPath.KindOf(target);
        if (kind is not (PathKind.Missing or PathKind.Directory))
            throw new RefusedOutputException($"'{path}' is a file; this output is a folder.");
        if (kind == PathKind.Directory)
        {
            var foreign = new List<string>();
            foreach (var entry in Directory.EnumerateFileSystemEntries(target))
            {
                var name = Path.GetFileName(entry);
                if (!ownedNames.Contains(name) && !TemporaryPaths.IsTemporaryName(name))
                    foreign.Add(name);
            }
            if (foreign.Count > 0)
                throw new RefusedOutputException($"'{path}' holds {string.Join(", ", foreign.Take(5))}{(foreign.Count > 5 ? ", ..." : "")}, which this command " +
                                      "does not write; the folder is replaced as a whole, so give a new or empty folder.");
        }
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var folderName = Path.GetFileName(target);
        TemporaryPaths.DeleteLeftovers(parent, folderName);
        var temp = TemporaryPaths.Create(parent, folderName);
        try
        {
            Directory.CreateDirectory(temp);
            write(temp);
            if (!Directory.Exists(target))
            {
                Directory.Move(temp, target);
            }
            else if (OutputPath.TryExchange(temp, target))
            {
                Directory.Delete(temp, recursive: true); // after the exchange it holds the old folder
            }
            else
            {
                // Two renames: a crash between them leaves the old folder under a temporary name, which the next run deletes.
                var old = TemporaryPaths.Create(parent, folderName);
                Directory.Move(target, old);
                Directory.Move(temp, target);
                Directory.Delete(old, recursive: true);
                TemporaryPaths.Release(old);
            }
        }
        catch
        {
            if (Directory.Exists(temp))
                Directory.Delete(temp, recursive: true);
            throw;
        }
        finally
        {
            TemporaryPaths.Release(temp);
        }
    }
}

/// <summary>
/// The temporary files and folders of atomic writes: <c>.{name}.{pid}.{guid}.tmp</c> beside the target. Those of this
/// process are deleted when it exits (also on <see cref="Environment.Exit"/> after a signal); those of a process that
/// no longer runs are deleted by the next write to the same target.
/// </summary>
internal static class TemporaryPaths
{
    private static readonly HashSet<string> s_live = [];

    static TemporaryPaths() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteLive();

    public static string Create(string directory, string name)
    {
        var path = Path.Combine(directory, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        lock (s_live)
            s_live.Add(path);
        return path;
    }

    public static void Release(string path)
    {
        lock (s_live)
            s_live.Remove(path);
    }

    public static bool IsTemporaryName(string name) => name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal);

    /// <summary>Deletes temporaries of <paramref name="name"/> in <paramref name="directory"/> left by processes that are gone.</summary>
    public static void DeleteLeftovers(string directory, string name)
    {
        if (name.AsSpan().IndexOfAny('*', '?') >= 0 || !Directory.Exists(directory))
            return;
        var prefix = $".{name}.";
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, prefix + "*.tmp"))
        {
            var rest = Path.GetFileName(entry.AsSpan())[prefix.Length..];
            var dot = rest.IndexOf('.');
            if (dot <= 0 || !int.TryParse(rest[..dot], out var pid) || IsRunning(pid))
                continue;
            TryDelete(entry);
        }
    }

    /// <summary>Deletes a temporary file or folder; one that cannot be deleted (someone else's, or going already) is left.</summary>
    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
            else
                File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
            return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void DeleteLive()
    {
        string[] paths;
        lock (s_live)
            paths = [.. s_live];
        foreach (var path in paths)
            TryDelete(path);
    }
}
