using System.Runtime.InteropServices;

namespace Exania.Core;

/// <summary>What a path names, as far as writing to it is concerned.</summary>
public enum PathKind
{
    Missing,
    RegularFile,
    Directory,

    /// <summary>A character device or a FIFO (<c>/dev/null</c>, <c>/dev/stdout</c>, a named pipe): a stream, written through.</summary>
    Stream,

    /// <summary>A block device or a socket: never written.</summary>
    Other,
}

/// <summary>
/// Where an output really goes. A symbolic link is followed to its final target (the link stays, its target is
/// replaced atomically), and a character device or FIFO is written through rather than renamed over (renaming a file
/// over <c>/dev/null</c> as root would replace the device node).
/// </summary>
public static partial class OutputPath
{
    /// <summary>The full path with a symbolic link at the path itself followed to its final target (which may not exist yet).</summary>
    public static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            // A link loop or an unreadable link: left to the write, which reports it.
            return full;
        }
    }

    /// <summary>The kind of <paramref name="path"/>, following symbolic links.</summary>
    public static PathKind KindOf(string path)
    {
        if (Directory.Exists(path))
            return PathKind.Directory;
        if (!File.Exists(path))
            return PathKind.Missing;
        // .NET reports devices and FIFOs as ordinary files (FileAttributes.Normal) on Unix; statx tells them apart.
        // Its struct has one layout on every Linux architecture, unlike stat's.
        if (!OperatingSystem.IsLinux())
            return PathKind.RegularFile;
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtCurrentDirectory, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0)
            return PathKind.RegularFile;
        var mode = BitConverter.ToUInt16(buffer[28..30]) & 0xF000;
        return mode switch
        {
            0x8000 => PathKind.RegularFile,
            0x4000 => PathKind.Directory,
            0x2000 or 0x1000 => PathKind.Stream,
            _ => PathKind.Other,
        };
    }

    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x0001;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte statx);

    private const uint RenameExchange = 1 << 1;

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameAt2(int oldDirectoryFd, string oldPath, int newDirectoryFd, string newPath, uint flags);

    /// <summary>
    /// Swaps two existing paths in one atomic step (Linux <c>renameat2(RENAME_EXCHANGE)</c>); false where the system
    /// or the file system cannot, and the caller falls back to two renames.
    /// </summary>
    internal static bool TryExchange(string a, string b)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            return RenameAt2(AtCurrentDirectory, a, AtCurrentDirectory, b, RenameExchange) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }
}

/// <summary>
/// An output that is refused before anything is written: a folder where a file belongs, a device that is not a
/// stream, or a folder that holds files the command would delete. The user's choice to change, not a failure of the disk.
/// </summary>
public sealed class RefusedOutputException(string message) : IOException(message);
