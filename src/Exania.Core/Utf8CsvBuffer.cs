using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;

namespace Exania.Core;

/// <summary>
/// A growable UTF-8 buffer that CSV rows are formatted into, with the rules of <see cref="CsvFieldWriter"/> (shortest
/// round-trip numbers, whole numbers as integers, NaN as an empty cell, RFC 4180 quoting) but without a
/// <see cref="TextWriter"/>: numbers are formatted straight into bytes, so a row costs no string and no transcoding.
/// Large tables format chunks of rows into separate buffers on separate threads and write them in order.
/// </summary>
public sealed class Utf8CsvBuffer
{
    private static readonly SearchValues<char> s_needsQuotes = SearchValues.Create(",\"\r\n");
    private byte[] _bytes;
    private int _length;

    public Utf8CsvBuffer(int capacity = 1 << 16) => _bytes = new byte[Math.Max(capacity, 64)];

    /// <summary>Bytes formatted so far.</summary>
    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

    public int Length => _length;

    public void Clear() => _length = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Byte(byte value)
    {
        if (_length == _bytes.Length)
            Grow(1);
        _bytes[_length++] = value;
    }

    /// <summary>Text that needs no quoting (header names, fixed tokens), as UTF-8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Ascii(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(Reserve(utf8.Length));
        _length += utf8.Length;
    }

    /// <summary>A number in shortest round-trip form (<see cref="ShortestDouble"/>, the text .NET writes); NaN (absent) as an empty cell.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Number(double value)
    {
        if (double.IsNaN(value))
            return;
        var destination = Reserve(32);
        int written;
        if (CsvFieldWriter.IsWholeNumber(value))
            Utf8Formatter.TryFormat((long)value, destination, out written);
        else
            written = ShortestDouble.Format(value, destination);
        _length += written;
    }

    /// <summary>A whole number.</summary>
    public void Integer(long value)
    {
        Utf8Formatter.TryFormat(value, Reserve(20), out var written);
        _length += written;
    }

    /// <summary>A text field, quoted only when it holds a comma, quote or line break (RFC 4180).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Field(ReadOnlySpan<char> value)
    {
        if (value.IndexOfAny(s_needsQuotes) < 0)
        {
            Utf8(value);
            return;
        }
        Byte((byte)'"');
        while (true)
        {
            var quote = value.IndexOf('"');
            if (quote < 0)
                break;
            Utf8(value[..(quote + 1)]);
            Byte((byte)'"');
            value = value[(quote + 1)..];
        }
        Utf8(value);
        Byte((byte)'"');
    }

    /// <summary>Appends the buffer to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream) => stream.Write(_bytes, 0, _length);

    private void Utf8(ReadOnlySpan<char> text)
    {
        var destination = Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int bytes)
    {
        if (_bytes.Length - _length < bytes)
            Grow(bytes);
        return _bytes.AsSpan(_length);
    }

    private void Grow(int bytes) => Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + bytes));
}
