using System.Buffers;

namespace Exania.Core;

/// <summary>
/// Splits RFC 4180 CSV into rows of fields, streaming from a <see cref="TextReader"/> through a fixed buffer.
/// Quoted fields may hold delimiters, doubled quotes and line breaks; unquoted runs are found with vectorised
/// <c>IndexOfAny</c>. Field values (unescaped) are laid out one after another in <see cref="RowChars"/>.
/// </summary>
public sealed class CsvTokenizer
{
    private readonly TextReader _reader;
    private readonly char _delimiter;
    private readonly SearchValues<char> _specials;
    private readonly char[] _buffer = new char[1 << 16];
    private int _pos;
    private int _end;
    private bool _eof;
    private long _line = 1;
    private char[] _row = new char[256];
    private int _rowLength;
    private int[] _fieldStart = new int[32];
    private int[] _fieldLength = new int[32];

    public CsvTokenizer(TextReader reader, char delimiter)
    {
        _reader = reader;
        _delimiter = delimiter;
        _specials = SearchValues.Create([delimiter, '\n', '\r', '"']);
    }

    /// <summary>1-based line on which the current row starts.</summary>
    public long RowLine { get; private set; }

    public int FieldCount { get; private set; }

    /// <summary>True when the current row ended inside an unterminated quoted field (at end of file).</summary>
    public bool UnterminatedQuote { get; private set; }

    public ReadOnlySpan<char> RowChars => _row.AsSpan(0, _rowLength);

    public int FieldStart(int i) => _fieldStart[i];

    public int FieldLength(int i) => _fieldLength[i];

    public ReadOnlySpan<char> Field(int i) => _row.AsSpan(_fieldStart[i], _fieldLength[i]);

    /// <summary>The row as CSV text again (for reject files).</summary>
    public string RawRow()
    {
        var writer = new StringWriter();
        for (var i = 0; i < FieldCount; i++)
        {
            if (i > 0) writer.Write(_delimiter);
            CsvFieldWriter.WriteField(writer, Field(i).ToString());
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
        FieldCount = 0;
        _rowLength = 0;
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
                ReadQuoted();
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

    private void ReadQuoted()
    {
        while (true)
        {
            if (!EnsureData())
            {
                UnterminatedQuote = true;
                return;
            }
            var span = _buffer.AsSpan(_pos, _end - _pos);
            var k = span.IndexOfAny('"', '\n');
            if (k < 0)
            {
                Append(span);
                _pos = _end;
                continue;
            }
            Append(span[..k]);
            _pos += k + 1;
            if (span[k] == '\n')
            {
                _line++;
                Append(['\n']);
                continue;
            }
            if (EnsureData() && _buffer[_pos] == '"')
            {
                Append(['"']);
                _pos++;
                continue;
            }
            return;
        }
    }

    private void Append(ReadOnlySpan<char> chars)
    {
        if (_rowLength + chars.Length > _row.Length)
            Array.Resize(ref _row, Math.Max(_row.Length * 2, _rowLength + chars.Length));
        chars.CopyTo(_row.AsSpan(_rowLength));
        _rowLength += chars.Length;
    }

    private bool EnsureData()
    {
        if (_pos < _end)
            return true;
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
