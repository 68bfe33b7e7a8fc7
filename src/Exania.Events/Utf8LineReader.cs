namespace Exania.Events;

/// <summary>Splits a UTF-8 stream into lines (LF or CRLF) through a growable buffer, without decoding.</summary>
internal sealed class Utf8LineReader
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;
    private long _line;
    private bool _first = true;

    public Utf8LineReader(Stream stream) => _stream = stream;

    /// <summary>The next line without its terminator; <paramref name="lineNumber"/> is 1-based.</summary>
    public bool ReadLine(out ReadOnlySpan<byte> line, out long lineNumber)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var nl = span.IndexOf((byte)'\n');
            if (nl >= 0 || (_eof && span.Length > 0))
            {
                var length = nl >= 0 ? nl : span.Length;
                line = span[..length];
                if (line.Length > 0 && line[^1] == '\r')
                    line = line[..^1];
                if (_first)
                {
                    _first = false;
                    if (line.StartsWith("\uFEFF"u8))
                        line = line[3..];
                }
                _start += nl >= 0 ? nl + 1 : length;
                lineNumber = ++_line;
                return true;
            }
            if (_eof)
            {
                line = default;
                lineNumber = _line;
                return false;
            }
            Fill();
        }
    }

    private void Fill()
    {
        var remaining = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
            _start = 0;
            _end = remaining;
        }
        if (_end == _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
            _eof = true;
        _end += read;
    }
}
