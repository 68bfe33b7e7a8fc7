using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Exania.Core;

/// <summary>
/// Splits RFC 4180 CSV into rows of fields, streaming from a <see cref="TextReader"/> through a fixed buffer.
/// Quoted fields may hold delimiters, doubled quotes and line breaks; unquoted runs are found with vectorised
/// <c>IndexOfAny</c>. Field values (unescaped) are in <see cref="RowChars"/> at <see cref="FieldStart"/> and
/// <see cref="FieldLength"/> (between them it may hold the delimiters).
/// </summary>
public sealed class CsvTokenizer
{
    private readonly TextReader _reader;
    private readonly char _delimiter;
    private readonly SearchValues<char> _specials;
    private char[] _buffer = new char[1 << 16];
    private int _pos;
    private int _end;
    private bool _eof;
    private long _line = 1;
    private char[] _row = new char[256];
    private int _rowLength;

    // Where the current row's characters are: _row (unescaped, built character by character), or, for a plain line,
    // the read buffer itself, which stays untouched until the next row is read.
    private char[] _rowSource;
    private int _rowOffset;
    private int[] _fieldStart = new int[32];
    private int[] _fieldLength = new int[32];

    /// <summary>
    /// Most line breaks one quoted field may hold. Past it the quote is taken as unclosed: the row ends where the
    /// field's first line ends, is reported as malformed with its opening line, and reading resumes on the next line,
    /// so one stray quote cannot swallow the rest of a file.
    /// </summary>
    public const int DefaultMaxQuotedLineBreaks = 64;

    private readonly char[] _mainBuffer;
    private readonly int _maxQuotedLineBreaks;

    /// <param name="reader">The text.</param>
    /// <param name="delimiter">The field separator.</param>
    /// <param name="maxQuotedLineBreaks">See <see cref="DefaultMaxQuotedLineBreaks"/>.</param>
    /// <param name="firstLine">Line number of the text's first line (greater than 1 when it is the rest of a file).</param>
    public CsvTokenizer(TextReader reader, char delimiter, int maxQuotedLineBreaks = DefaultMaxQuotedLineBreaks, long firstLine = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxQuotedLineBreaks);
        ArgumentOutOfRangeException.ThrowIfLessThan(firstLine, 1);
        _line = firstLine;
        _reader = reader;
        _delimiter = delimiter;
        _specials = SearchValues.Create([delimiter, '\n', '\r', '"']);
        _maxQuotedLineBreaks = maxQuotedLineBreaks;
        _mainBuffer = _buffer;
        _rowSource = _row;
    }

    /// <summary>
    /// Why the current row's quoting is broken (a quote not closed within <see cref="DefaultMaxQuotedLineBreaks"/> line
    /// breaks, or before the end of the file), naming the line it opened on; null when the quoting is sound.
    /// </summary>
    public string? QuoteProblem { get; private set; }

    /// <summary>1-based line on which the current row starts.</summary>
    public long RowLine { get; private set; }

    public int FieldCount { get; private set; }

    /// <summary>1-based line the next row would start on: after the last row, one more than the lines read.</summary>
    public long NextLine => _line;

    /// <summary>True when the current row ended inside an unterminated quoted field (at end of file).</summary>
    public bool UnterminatedQuote { get; private set; }

    public ReadOnlySpan<char> RowChars => _rowSource.AsSpan(_rowOffset, _rowLength);

    public int FieldStart(int i) => _fieldStart[i];

    public int FieldLength(int i) => _fieldLength[i];

    public ReadOnlySpan<char> Field(int i) => _rowSource.AsSpan(_rowOffset + _fieldStart[i], _fieldLength[i]);

    /// <summary>
    /// The row as CSV text again (for reject files), in the input's own delimiter: a field holding that delimiter is
    /// quoted, so the text reads back as the same fields.
    /// </summary>
    public string RawRow()
    {
        var writer = new StringWriter();
        for (var i = 0; i < FieldCount; i++)
        {
            if (i > 0) writer.Write(_delimiter);
            CsvFieldWriter.WriteField(writer, Field(i).ToString(), _delimiter);
        }
        return writer.ToString();
    }

    /// <summary>Reads the next non-blank row; false at end of input.</summary>
    public bool ReadRow()
    {
        while (true)
        {
            if (!ReadAnyRow())
                return false;
            if (FieldCount > 1 || _fieldLength[0] > 0 || UnterminatedQuote)
                return true;
        }
    }

    private bool ReadAnyRow()
    {
        if (!EnsureData())
            return false;
        RowLine = _line;
        UnterminatedQuote = false;
        QuoteProblem = null;
        FieldCount = 0;
        _rowLength = 0;
        _rowSource = _row;
        _rowOffset = 0;
        if (TryReadPlainLine())
            return true;
        BeginField();
        while (true)
        {
            if (!EnsureData())
            {
                EndField();
                return true;
            }
            var c = _buffer[_pos];
            if (c == '"' && _fieldLength[FieldCount] == 0 && _rowLength == _fieldStart[FieldCount] && !_quotedDone)
            {
                _pos++;
                if (!ReadQuoted())
                {
                    // The quote was taken as unclosed: the row ends with the field's first line.
                    EndField();
                    return true;
                }
                _quotedDone = true;
                continue;
            }
            var span = _buffer.AsSpan(_pos, _end - _pos);
            var k = span.IndexOfAny(_specials);
            if (k < 0)
            {
                Append(span);
                _pos = _end;
                continue;
            }
            if (k > 0)
            {
                Append(span[..k]);
                _pos += k;
                continue;
            }
            _pos++;
            if (c == _delimiter)
            {
                EndField();
                BeginField();
            }
            else if (c == '\n')
            {
                _line++;
                EndField();
                return true;
            }
            else if (c == '\r')
            {
                if (EnsureData() && _buffer[_pos] == '\n')
                    _pos++;
                _line++;
                EndField();
                return true;
            }
            else
            {
                // A quote inside an unquoted field is kept literally (lenient, like most CSV readers).
                Append([c]);
            }
        }
    }

    private bool _quotedDone;

    /// <summary>
    /// Field boundaries of a line without quotes: 16 characters at a time, a bit mask of the delimiters (one compare),
    /// its set bits the boundaries; the rest of the line one character at a time.
    /// </summary>
    private void SplitPlainLine(ReadOnlySpan<char> line)
    {
        var start = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && line.Length >= Vector256<ushort>.Count)
        {
            var delimiter = Vector256.Create((ushort)_delimiter);
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(line));
            for (; i <= line.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var mask = Vector256.Equals(Vector256.LoadUnsafe(ref first, (nuint)i), delimiter).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    var at = i + BitOperations.TrailingZeroCount(mask);
                    AddField(start, at - start);
                    start = at + 1;
                    mask &= mask - 1;
                }
            }
        }
        for (; i < line.Length; i++)
        {
            if (line[i] == _delimiter)
            {
                AddField(start, i - start);
                start = i + 1;
            }
        }
        AddField(start, line.Length - start);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddField(int start, int length)
    {
        if (FieldCount == _fieldStart.Length)
        {
            Array.Resize(ref _fieldStart, FieldCount * 2);
            Array.Resize(ref _fieldLength, FieldCount * 2);
        }
        _fieldStart[FieldCount] = start;
        _fieldLength[FieldCount] = length;
        FieldCount++;
    }

    /// <summary>
    /// The common case in one pass: the buffer holds the whole line and it has no quote and no carriage return but a
    /// final one, so its fields are the text between delimiters. Both searches are vectorised over the line, the
    /// fields are read where they are in the buffer (no copy), and each field is one more search; any other line
    /// takes the character-level path.
    /// </summary>
    private bool TryReadPlainLine()
    {
        var rest = _buffer.AsSpan(_pos, _end - _pos);
        var newline = rest.IndexOf('\n');
        if (newline < 0)
            return false;
        var line = rest[..newline];
        var special = line.IndexOfAny('"', '\r');
        if (special >= 0)
        {
            if (special != line.Length - 1 || line[special] != '\r')
                return false;
            line = line[..special];
        }
        _rowSource = _buffer;
        _rowOffset = _pos;
        _rowLength = line.Length;
        SplitPlainLine(line);
        _pos += newline + 1;
        _line++;
        return true;
    }

    private void BeginField()
    {
        if (FieldCount == _fieldStart.Length)
        {
            Array.Resize(ref _fieldStart, FieldCount * 2);
            Array.Resize(ref _fieldLength, FieldCount * 2);
        }
        _fieldStart[FieldCount] = _rowLength;
        _fieldLength[FieldCount] = 0;
        _quotedDone = false;
    }

    private void EndField()
    {
        _fieldLength[FieldCount] = _rowLength - _fieldStart[FieldCount];
        FieldCount++;
    }

    /// <summary>
    /// Reads a quoted field after its opening quote. Returns false when the quote is taken as unclosed (more than the
    /// allowed line breaks, or the end of the file): the field keeps its first line, <see cref="QuoteProblem"/> says
    /// why, and the raw text after that line is read again as rows of its own.
    /// </summary>
    private bool ReadQuoted()
    {
        var openLine = _line;
        var lineBreaks = 0;
        var rowLengthAtFirstBreak = -1;
        _replay.Clear();
        while (true)
        {
            if (!EnsureData())
            {
                UnterminatedQuote = true;
                if (lineBreaks == 0)
                {
                    QuoteProblem = $"a quoted field opened on line {openLine} is not closed before the end of the file";
                    return true;
                }
                QuoteProblem = $"a quoted field opened on line {openLine} is not closed before the end of the file; reading resumes on line {openLine + 1}";
                Resynchronise(openLine, rowLengthAtFirstBreak);
                return false;
            }
            var span = _buffer.AsSpan(_pos, _end - _pos);
            var k = span.IndexOfAny('"', '\n');
            if (k < 0)
            {
                Append(span);
                if (lineBreaks > 0) _replay.Append(span);
                _pos = _end;
                continue;
            }
            Append(span[..k]);
            if (lineBreaks > 0) _replay.Append(span[..(k + 1)]);
            _pos += k + 1;
            if (span[k] == '\n')
            {
                if (lineBreaks == 0)
                    rowLengthAtFirstBreak = _rowLength;
                _line++;
                Append(['\n']);
                if (++lineBreaks > _maxQuotedLineBreaks)
                {
                    UnterminatedQuote = true;
                    QuoteProblem = $"a quoted field opened on line {openLine} is not closed within {_maxQuotedLineBreaks} line breaks (a stray quote?); reading resumes on line {openLine + 1}";
                    Resynchronise(openLine, rowLengthAtFirstBreak);
                    return false;
                }
                continue;
            }
            if (EnsureData() && _buffer[_pos] == '"')
            {
                Append(['"']);
                if (lineBreaks > 0) _replay.Append('"');
                _pos++;
                continue;
            }
            return true;
        }
    }

    /// <summary>Raw text consumed after a quoted field's first line break, to be read again if the quote proves unclosed.</summary>
    private readonly System.Text.StringBuilder _replay = new();

    /// <summary>
    /// Cuts the row back to the quoted field's first line and makes the text after that line the next input: the
    /// replayed raw text, then what is left of the buffer, then the reader again.
    /// </summary>
    private void Resynchronise(long openLine, int rowLengthAtFirstBreak)
    {
        _rowLength = rowLengthAtFirstBreak;
        var rest = _end - _pos;
        var replay = new char[_replay.Length + rest];
        _replay.CopyTo(0, replay, 0, _replay.Length);
        _buffer.AsSpan(_pos, rest).CopyTo(replay.AsSpan(_replay.Length));
        _replay.Clear();
        _buffer = replay;
        _pos = 0;
        _end = replay.Length;
        _line = openLine + 1;
        // The replayed text may end mid-file: more input follows from the reader (unless a replay is itself replayed,
        // when the reader's state was saved the first time).
        if (!_replaying)
            _eofAfterReplay = _eof;
        _eof = false;
        _replaying = true;
    }

    private bool _replaying;
    private bool _eofAfterReplay;

    private void Append(ReadOnlySpan<char> chars)
    {
        if (_rowLength + chars.Length > _row.Length)
        {
            Array.Resize(ref _row, Math.Max(_row.Length * 2, _rowLength + chars.Length));
            _rowSource = _row;
        }
        chars.CopyTo(_row.AsSpan(_rowLength));
        _rowLength += chars.Length;
    }

    private bool EnsureData()
    {
        if (_pos < _end)
            return true;
        if (_replaying)
        {
            // The replayed text is used up: back to the fixed buffer and the reader.
            _replaying = false;
            _buffer = _mainBuffer;
            _eof = _eofAfterReplay;
        }
        if (_eof)
            return false;
        _end = _reader.Read(_buffer, 0, _buffer.Length);
        _pos = 0;
        if (_end > 0)
            return true;
        _eof = true;
        return false;
    }
}
