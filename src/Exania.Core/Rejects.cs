using System.Globalization;
using System.Text;

namespace Exania.Core;

/// <summary>What a reader does with a malformed row.</summary>
public enum BadRowPolicy
{
    /// <summary>Stop with an <see cref="DataFormatException"/> naming file, line and reason (the default).</summary>
    Fail,
    /// <summary>Count the row, hand it with its reason to the reject sink, and go on.</summary>
    Skip,
}

/// <summary>A row a reader rejected, with where it came from and why.</summary>
public sealed record RejectedRow(string File, long Line, string Reason, string Raw);

/// <summary>Receives rejected rows as a reader meets them (so a huge file's rejects need no memory).</summary>
public interface IRejectSink
{
    void Reject(RejectedRow row);
}

/// <summary>Collects rejected rows in memory (for tests and small inputs).</summary>
public sealed class RejectList : IRejectSink
{
    private readonly List<RejectedRow> _rows = [];

    public IReadOnlyList<RejectedRow> Rows => _rows;

    public void Reject(RejectedRow row) => _rows.Add(row);
}

/// <summary>
/// Streams rejected rows to a CSV file <c>file,line,reason,raw</c>. The file is created at the first reject (no rejects,
/// no file), written under a temporary name and moved into place on <see cref="Dispose"/>, so an interrupted run leaves
/// no partial rejects file.
/// </summary>
public sealed class RejectFileWriter : IRejectSink, IDisposable
{
    private readonly string _path;
    private readonly string _temp;
    private StreamWriter? _writer;
    private bool _disposed;

    public RejectFileWriter(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = OutputPath.Resolve(path);
        _temp = TemporaryPaths.Create(Path.GetDirectoryName(_path)!, Path.GetFileName(_path));
    }

    /// <summary>Rows written so far.</summary>
    public long Count { get; private set; }

    /// <summary>Where the rejects end up.</summary>
    public string FilePath => _path;

    public void Reject(RejectedRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            TemporaryPaths.DeleteLeftovers(Path.GetDirectoryName(_path)!, Path.GetFileName(_path));
            _writer = new StreamWriter(_temp, false, new UTF8Encoding(false), 1 << 16);
            _writer.Write("file,line,reason,raw\n");
        }
        CsvFieldWriter.WriteField(_writer, row.File);
        _writer.Write(',');
        _writer.Write(row.Line.ToString(CultureInfo.InvariantCulture));
        _writer.Write(',');
        CsvFieldWriter.WriteField(_writer, row.Reason);
        _writer.Write(',');
        CsvFieldWriter.WriteField(_writer, row.Raw);
        _writer.Write('\n');
        Count++;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        TemporaryPaths.Release(_temp);
        if (_writer is null)
        {
            // No rejects this time: a rejects file left by an earlier run would describe rows this run accepted.
            if (OutputPath.KindOf(_path) == PathKind.RegularFile) File.Delete(_path);
            return;
        }
        _writer.Dispose();
        File.Move(_temp, _path, overwrite: true);
    }
}
