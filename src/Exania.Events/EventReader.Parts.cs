using System.Diagnostics;
using System.Text;
using Exania.Core;
using Microsoft.Win32.SafeHandles;

namespace Exania.Events;

/// <summary>
/// A large CSV file read in parts, one per processor: the file is cut after a line break near each 1/n of its
/// bytes, every part is tokenized, validated and interned into its own log on its own thread, and the parts are
/// joined in file order. The result is exactly the sequential read's: the same rows in the same order with the same
/// pool ids, the same counts, and the same rejects with the same line numbers, in order.
/// </summary>
/// <remarks>
/// <para>A cut can fall inside a quoted field that holds a line break. The part before it then ends inside an open
/// quote, which its tokenizer sees as a quote still open at its end (<see cref="CsvTokenizer.UnterminatedQuote"/>);
/// only a cut can cause that before the real end of the file, and no earlier row can tell the difference, because a
/// quote is resolved within the part it opens in or reaches its end. That part and everything after it are then read
/// again sequentially from the part's start, which is a row start because the part before ended cleanly. So is a
/// later part with a broken quote, since the reason names lines the part knows only relative to its start.</para>
/// <para>Each part records its bad rows with part-relative lines; they are numbered, written to the rejects sink or
/// thrown (under <see cref="BadRowPolicy.Fail"/>, the first in file order) only when every part before is joined.</para>
/// </remarks>
public static partial class EventReader
{
    /// <summary>How far past a cut point a line break is looked for before the part is merged with the next.</summary>
    private const int CutSearchBytes = 1 << 20;

    private sealed class Part
    {
        public required long Start;
        public required long End;
        public EventLog Log = null!;
        public EventReadSummary Summary = null!;
        public RejectList Rejects = new();
        public RowsEnd Ending;
        public long Lines;
        public Exception? Failure;
    }

    /// <summary>
    /// True when <paramref name="stream"/> can be read in parts: a CSV file of at least
    /// <see cref="EventReaderOptions.PartsFromBytes"/> with its columns known from a header or names, UTF-8 (with or
    /// without BOM) or Latin-1, and more than one thread.
    /// </summary>
    private static bool CanReadInParts(FileStream stream, EventReaderOptions options) =>
        Parallelism.Resolve(options.Threads) > 1 && stream.CanSeek && stream.Length >= options.PartsFromBytes
        && (options.HasHeader || options.ColumnNames is not null) && options.NestedEvents is null
        && !StartsWithWideByteOrderMark(stream.SafeFileHandle);

    /// <summary>UTF-16 or UTF-32 text, which the stream reader would detect, cannot be cut at a 0x0A byte.</summary>
    private static bool StartsWithWideByteOrderMark(SafeFileHandle file)
    {
        Span<byte> head = stackalloc byte[4];
        var n = RandomAccess.Read(file, head, 0);
        return n >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))
            || n >= 4 && head[0] == 0 && head[1] == 0 && head[2] == 0xFE && head[3] == 0xFF;
    }

    private static EventReadSummary ReadCsvInParts(FileStream stream, string fileName, EventLog log, EventReaderOptions options, IRejectSink? rejects)
    {
        var watch = Stopwatch.StartNew();
        var file = stream.SafeFileHandle;
        var parts = Cut(file, stream.Length, Parallelism.Resolve(options.Threads));
        var firstRow = log.Count;
        var encoding = options.Encoding == TextEncoding.Latin1 ? Encoding.Latin1 : Encoding.UTF8;

        // The header is read by the first part's tokenizer, before the others start (they need the columns).
        var first = parts[0];
        var firstTokenizer = new CsvTokenizer(Reader(file, first, encoding, detectBom: true), options.Delimiter);
        var (columns, columnOfField) = ReadHeader(firstTokenizer, options, fileName);
        var others = new Task[parts.Length - 1];
        for (var k = 1; k < parts.Length; k++)
        {
            var part = parts[k];
            var isLast = k == parts.Length - 1;
            others[k - 1] = Task.Run(() =>
            {
                try
                {
                    part.Log = new EventLog();
                    part.Log.EnsureCapacity((int)Math.Min((part.End - part.Start) / 64, 16_000_000));
                    var tokenizer = new CsvTokenizer(Reader(file, part, encoding, detectBom: false), options.Delimiter);
                    ReadPart(part, tokenizer, columns, columnOfField!, options, fileName, endIsCut: !isLast, linesRelative: true);
                }
                catch (Exception ex)
                {
                    part.Failure = ex;
                }
            });
        }
        try
        {
            first.Log = log;
            ReadPart(first, firstTokenizer, columns, columnOfField!, options, fileName, endIsCut: parts.Length > 1, linesRelative: false);
        }
        finally
        {
            Task.WaitAll(others);
        }

        var summary = new EventReadSummary { File = fileName };
        var lineOffset = 0L;
        for (var k = 0; k < parts.Length; k++)
        {
            var part = parts[k];
            if (part.Failure is not null)
                throw part.Failure;
            if (part.Ending == RowsEnd.NeedsOnePass)
            {
                // A quoted line break spans the cut, or a quote problem names lines: this part and the rest are read
                // sequentially from its start.
                if (k == 0)
                    log.Truncate(firstRow);
                ReadSequentialTail(file, part.Start, k == 0, columns, columnOfField!, log, summary, options, fileName, rejects, lineOffset, encoding);
                break;
            }
            foreach (var row in part.Rejects.Rows)
            {
                if (options.OnBadRow == BadRowPolicy.Fail)
                    throw new DataFormatException(fileName, lineOffset + row.Line, row.Reason);
                rejects?.Reject(row with { Line = lineOffset + row.Line });
            }
            if (k > 0)
                log.AppendFrom(part.Log);
            summary.Add(part.Summary);
            lineOffset += part.Lines;
        }
        summary.Seconds = watch.Elapsed.TotalSeconds;
        return summary;
    }

    private static void ReadPart(Part part, CsvTokenizer tokenizer, string[] columns, int[] columnOfField, EventReaderOptions options,
        string fileName, bool endIsCut, bool linesRelative)
    {
        part.Summary = new EventReadSummary { File = fileName };
        var parser = new EventRowParser(part.Log, options, part.Summary);
        part.Ending = ReadCsvRows(tokenizer, columns, columnOfField, parser, part.Summary, options, fileName,
            new RowSink(part.Rejects, EndIsCut: endIsCut, LinesRelative: linesRelative, Deferred: true));
        part.Lines = tokenizer.NextLine - 1;
    }

    /// <summary>The rest of the file from <paramref name="start"/> (a row start), read in one go after a cut in a quote.</summary>
    private static void ReadSequentialTail(SafeFileHandle file, long start, bool fromFileStart, string[] columns, int[] columnOfField,
        EventLog log, EventReadSummary summary, EventReaderOptions options, string fileName, IRejectSink? rejects, long lineOffset, Encoding encoding)
    {
        var tail = new Part { Start = start, End = RandomAccess.GetLength(file) };
        var tokenizer = new CsvTokenizer(Reader(file, tail, encoding, detectBom: fromFileStart), options.Delimiter,
            CsvTokenizer.DefaultMaxQuotedLineBreaks, firstLine: lineOffset + 1);
        if (fromFileStart)
            ReadHeader(tokenizer, options, fileName);
        var parser = new EventRowParser(log, options, summary);
        ReadCsvRows(tokenizer, columns, columnOfField, parser, summary, options, fileName, new RowSink(rejects));
    }

    /// <summary>
    /// Cuts [0, length) into about <paramref name="count"/> parts, each ending just after a line break (the last at the
    /// end of the file). A cut point with no line break within <see cref="CutSearchBytes"/> after it is dropped.
    /// </summary>
    private static Part[] Cut(SafeFileHandle file, long length, int count)
    {
        var ends = new List<long>();
        var buffer = new byte[CutSearchBytes];
        for (var k = 1; k < count; k++)
        {
            var from = Math.Max(length * k / count, ends.Count > 0 ? ends[^1] : 0);
            var n = RandomAccess.Read(file, buffer, from);
            var newline = buffer.AsSpan(0, n).IndexOf((byte)'\n');
            if (newline >= 0 && from + newline + 1 < length)
                ends.Add(from + newline + 1);
        }
        ends.Add(length);
        var parts = new Part[ends.Count];
        for (var k = 0; k < parts.Length; k++)
            parts[k] = new Part { Start = k == 0 ? 0 : ends[k - 1], End = ends[k] };
        return parts;
    }

    private static StreamReader Reader(SafeFileHandle file, Part part, Encoding encoding, bool detectBom) =>
        new(new FileRangeStream(file, part.Start, part.End), encoding, detectBom, 1 << 16);

    /// <summary>A read-only view of bytes [start, end) of an open file, read with positional reads (safe across threads).</summary>
    private sealed class FileRangeStream(SafeFileHandle file, long start, long end) : Stream
    {
        private readonly long _start = start;
        private long _position = start;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => end - _start;
        public override long Position { get => _position - _start; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, end - _position);
            if (n <= 0)
                return 0;
            n = RandomAccess.Read(file, buffer[..n], _position);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
