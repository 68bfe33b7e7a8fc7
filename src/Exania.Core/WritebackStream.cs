using System.Runtime.InteropServices;

namespace Exania.Core;

/// <summary>
/// A file stream that asks the kernel to start writing each block of bytes to disk as soon as it is written (Linux
/// <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>, the technique databases call bytes-per-sync), without waiting for it.
/// The atomic writer must <c>fsync</c> before its rename; without this the whole file (62 MB for 20,000 sessions'
/// windows) is flushed at that moment, a tenth of a second of waiting at the end of the command, whereas here the
/// disk works while the next chunks are formatted. Elsewhere, or where the call fails, it is a plain pass-through.
/// </summary>
internal sealed partial class WritebackStream(FileStream file) : Stream
{
    /// <summary>Bytes between two writeback requests: large enough to be one efficient disk write.</summary>
    internal const long BlockBytes = 8L << 20;

    private const uint SyncFileRangeWrite = 2;
    private long _written;
    private long _requested;
    private bool _unsupported = !OperatingSystem.IsLinux();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        file.Write(buffer);
        _written += buffer.Length;
        if (!_unsupported && _written - _requested >= BlockBytes)
            RequestWriteback();
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => file.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void RequestWriteback()
    {
        file.Flush(flushToDisk: false); // the bytes must be in the kernel before it can write them out
        try
        {
            var fd = (int)file.SafeFileHandle.DangerousGetHandle();
            if (SyncFileRange(fd, _requested, _written - _requested, SyncFileRangeWrite) != 0)
                _unsupported = true; // e.g. a file system without it: the final fsync does all the work, as before
        }
        catch (EntryPointNotFoundException)
        {
            _unsupported = true;
        }
        _requested = _written;
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long count, uint flags);
}
