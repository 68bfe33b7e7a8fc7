using System.Numerics;
using System.Runtime.CompilerServices;

namespace Exania.Core;

/// <summary>
/// Formats a double as the shortest decimal that reads back to the same bits, as UTF-8, in the layout .NET's
/// <c>double.ToString()</c> uses (invariant culture): plain digits for decimal exponents -5 &lt; e &lt; 17, otherwise
/// <c>d.dddE+XX</c> / <c>d.dddE-XX</c> with at least two exponent digits. The text is .NET's byte for byte (a test
/// compares them on millions of doubles), except for a few powers of two such as 2^-25, whose .NET text reads back
/// as the next double down; here they get the one more digit that reads back right. It is about twice as fast on the
/// values of a windows file: .NET tries Grisu and falls back to Dragon4 with big integers, where this is Ryu (Ulf
/// Adams, "Ryū: fast float-to-string conversion", PLDI 2018): a few 64×128-bit multiplications by a table of powers of
/// five, and no fallback.
/// </summary>
/// <remarks>
/// <para>The value is m2·2^e2 with the interval of decimals that round to it [m2 − ½ulp, m2 + ½ulp] (the lower half
/// ulp is a quarter when the mantissa is zero, because the binade below is twice as dense). Ryu scales the interval's
/// bounds and centre (4·m2 − 1 − shift, 4·m2, 4·m2 + 2) by 10^−q with q just below the exponent so the scaled values
/// fit in 64 bits, then removes decimal digits while the bounds still differ: what is left is the shortest digit string
/// inside the interval, rounded to nearest (ties to even, as the IEEE round trip requires). Interval ends are
/// included only for even mantissas (round half to even on reading). Digits are removed in blocks of 8, 8, 4, 2 and 1
/// rather than Ryu's one at a time, which matters for the short decimals (0.75, 0.172) that fill a windows file.</para>
/// <para>The power-of-five tables are computed once, exactly, with <see cref="BigInteger"/> (about 670 entries): the
/// multipliers are 5^i truncated to its top 125 bits and ⌊2^(bits+124)/5^i⌋ + 1 for the inverses.</para>
/// </remarks>
public static class ShortestDouble
{
    /// <summary>Bytes the longest output needs: <c>-1.2345678901234567E-308</c>.</summary>
    public const int MaxLength = 25;

    private const int MantissaBits = 52;
    private const int ExponentBias = 1023;
    private const int Pow5InverseBits = 125;
    private const int Pow5Bits = 125;
    private const int Pow5InverseCount = 342;
    private const int Pow5Count = 326;

    private static readonly UInt128[] s_pow5 = BuildPow5();
    private static readonly UInt128[] s_pow5Inverse = BuildPow5Inverse();

    /// <summary>"00".."99": two digits per table lookup.</summary>
    private static ReadOnlySpan<byte> DigitPairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    /// <summary>
    /// Writes <paramref name="value"/> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes
    /// for any finite value) and returns the bytes written; NaN and infinities as .NET writes them.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is shorter than the text.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Format(double value, Span<byte> destination)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value);
        var negative = (long)bits < 0;
        var mantissa = bits & ((1UL << MantissaBits) - 1);
        var exponent = (int)((bits >> MantissaBits) & 0x7FF);
        if (exponent == 0x7FF)
            return Special(value, destination);
        if (exponent == 0 && mantissa == 0)
            return Copy(negative ? "-0"u8 : "0"u8, destination);
        if (destination.Length < MaxLength)
            ExaniaThrow.DestinationTooShort(nameof(destination), MaxLength, destination.Length);
        var (digits, decimalExponent) = ShortestDigits(mantissa, exponent);
        var written = 0;
        if (negative)
            destination[written++] = (byte)'-';
        return written + Layout(digits, decimalExponent, destination[written..]);
    }

    /// <summary>The shortest round-trip digits and their power of ten: value = digits × 10^exponent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (ulong Digits, int Exponent) ShortestDigits(ulong mantissa, int exponent)
    {
        int e2;
        ulong m2;
        if (exponent == 0)
        {
            e2 = 1 - ExponentBias - MantissaBits - 2;
            m2 = mantissa;
        }
        else
        {
            e2 = exponent - ExponentBias - MantissaBits - 2;
            m2 = (1UL << MantissaBits) | mantissa;
        }
        var acceptBounds = (m2 & 1) == 0;
        var mv = 4 * m2;
        var lowerShift = mantissa != 0 || exponent <= 1 ? 1UL : 0UL;

        ulong vr, vp, vm;
        int e10;
        var vmIsTrailingZeros = false;
        var vrIsTrailingZeros = false;
        if (e2 >= 0)
        {
            var q = Log10Pow2(e2) - (e2 > 3 ? 1 : 0);
            e10 = q;
            var k = Pow5InverseBits + Pow5BitLength(q) - 1;
            var shift = -e2 + q + k;
            var multiplier = s_pow5Inverse[q];
            vr = MulShift(mv, multiplier, shift);
            vp = MulShift(mv + 2, multiplier, shift);
            vm = MulShift(mv - 1 - lowerShift, multiplier, shift);
            if (q <= 21)
            {
                // Only here can the scaled values be exact, i.e. have trailing decimal zeros that change the rounding.
                if (mv % 5 == 0)
                    vrIsTrailingZeros = IsMultipleOfPowerOf5(mv, q);
                else if (acceptBounds)
                    vmIsTrailingZeros = IsMultipleOfPowerOf5(mv - 1 - lowerShift, q);
                else
                    vp -= IsMultipleOfPowerOf5(mv + 2, q) ? 1UL : 0UL;
            }
        }
        else
        {
            var q = Log10Pow5(-e2) - (-e2 > 1 ? 1 : 0);
            e10 = q + e2;
            var i = -e2 - q;
            var k = Pow5BitLength(i) - Pow5Bits;
            var shift = q - k;
            var multiplier = s_pow5[i];
            vr = MulShift(mv, multiplier, shift);
            vp = MulShift(mv + 2, multiplier, shift);
            vm = MulShift(mv - 1 - lowerShift, multiplier, shift);
            if (q <= 1)
            {
                // mv has at least q trailing zero bits, so the scaled centre is exact.
                vrIsTrailingZeros = true;
                if (acceptBounds)
                    vmIsTrailingZeros = lowerShift == 1;
                else
                    vp--;
            }
            else if (q < 63)
            {
                vrIsTrailingZeros = (mv & ((1UL << q) - 1)) == 0;
            }
        }

        var removed = 0;
        ulong output;
        if (vmIsTrailingZeros || vrIsTrailingZeros)
        {
            // An exact bound or centre (values such as 0.5 or 0.75 with few significant bits): ties and included ends
            // need to know whether the removed digits were all zero, so blocks also track that.
            var lastRemovedDigit = 0UL;
            var state = new ExactRemoval(vr, vp, vm, vmIsTrailingZeros, vrIsTrailingZeros);
            state.RemoveWhileBoundsDiffer(100_000_000, 8, ref lastRemovedDigit, ref removed);
            state.RemoveWhileBoundsDiffer(100_000_000, 8, ref lastRemovedDigit, ref removed);
            state.RemoveWhileBoundsDiffer(10_000, 4, ref lastRemovedDigit, ref removed);
            state.RemoveWhileBoundsDiffer(100, 2, ref lastRemovedDigit, ref removed);
            state.RemoveWhileBoundsDiffer(10, 1, ref lastRemovedDigit, ref removed);
            if (state.VmIsTrailingZeros)
            {
                // The lower bound is itself a short decimal: strip its trailing zeros too.
                state.RemoveWhileLowerEndsInZeros(100_000_000, 8, ref lastRemovedDigit, ref removed);
                state.RemoveWhileLowerEndsInZeros(100_000_000, 8, ref lastRemovedDigit, ref removed);
                state.RemoveWhileLowerEndsInZeros(10_000, 4, ref lastRemovedDigit, ref removed);
                state.RemoveWhileLowerEndsInZeros(100, 2, ref lastRemovedDigit, ref removed);
                state.RemoveWhileLowerEndsInZeros(10, 1, ref lastRemovedDigit, ref removed);
            }
            (vr, vm, vmIsTrailingZeros, vrIsTrailingZeros) = (state.Vr, state.Vm, state.VmIsTrailingZeros, state.VrIsTrailingZeros);
            if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0)
                lastRemovedDigit = 4; // an exact tie: round half to even
            var roundUp = (vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5;
            output = vr + (roundUp ? 1UL : 0UL);
        }
        else
        {
            // The common case: the last removed digit alone decides the rounding, so digits can go in blocks. Removing
            // digits one at a time (Ryu's loop) costs two dependent divisions per digit, and a short value such as
            // 0.75 sheds 15 of its 17 digits; the largest count n with vp/10^n > vm/10^n is found in binary steps.
            var roundUp = false;
            RemoveDigits(ref vr, ref vp, ref vm, 100_000_000, 8, ref removed, ref roundUp);
            RemoveDigits(ref vr, ref vp, ref vm, 100_000_000, 8, ref removed, ref roundUp);
            RemoveDigits(ref vr, ref vp, ref vm, 10_000, 4, ref removed, ref roundUp);
            RemoveDigits(ref vr, ref vp, ref vm, 100, 2, ref removed, ref roundUp);
            RemoveDigits(ref vr, ref vp, ref vm, 10, 1, ref removed, ref roundUp);
            output = vr + (vr == vm || roundUp ? 1UL : 0UL);
        }
        return (output, e10 + removed);
    }

    /// <summary>
    /// Removes <paramref name="count"/> digits (<paramref name="power"/> = 10^count, a constant once inlined) when
    /// the bounds still differ without them; the removed block's leading digit sets the rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RemoveDigits(ref ulong vr, ref ulong vp, ref ulong vm, ulong power, int count, ref int removed, ref bool roundUp)
    {
        if (vp / power <= vm / power)
            return;
        var quotient = vr / power;
        roundUp = vr - quotient * power >= power / 2;
        vr = quotient;
        vp /= power;
        vm /= power;
        removed += count;
    }

    /// <summary>
    /// The digit removal of the exact case, in blocks: Ryu's one-digit loop keeps, besides the last removed digit of
    /// the centre, whether every earlier removed digit of the centre and every removed digit of the lower bound was 0.
    /// </summary>
    private struct ExactRemoval(ulong vr, ulong vp, ulong vm, bool vmIsTrailingZeros, bool vrIsTrailingZeros)
    {
        public ulong Vr = vr;
        public ulong Vp = vp;
        public ulong Vm = vm;
        public bool VmIsTrailingZeros = vmIsTrailingZeros;
        public bool VrIsTrailingZeros = vrIsTrailingZeros;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void RemoveWhileBoundsDiffer(ulong power, int count, ref ulong lastRemovedDigit, ref int removed)
        {
            if (Vp / power > Vm / power)
                Remove(power, count, ref lastRemovedDigit, ref removed);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void RemoveWhileLowerEndsInZeros(ulong power, int count, ref ulong lastRemovedDigit, ref int removed)
        {
            if (Vm % power == 0)
                Remove(power, count, ref lastRemovedDigit, ref removed);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Remove(ulong power, int count, ref ulong lastRemovedDigit, ref int removed)
        {
            var quotient = Vr / power;
            var remainder = Vr - quotient * power;
            var below = power / 10;
            VmIsTrailingZeros &= Vm % power == 0;
            VrIsTrailingZeros &= lastRemovedDigit == 0 && remainder % below == 0;
            lastRemovedDigit = remainder / below;
            Vr = quotient;
            Vp /= power;
            Vm /= power;
            removed += count;
        }
    }

    /// <summary>Lays out digits × 10^exponent as .NET does: fixed for scientific exponents -5 &lt; e &lt; 17.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Layout(ulong digits, int exponent, Span<byte> destination)
    {
        var length = DigitCount(digits);
        var scientific = exponent + length - 1;
        if (scientific is > -5 and < 17)
        {
            if (exponent >= 0)
            {
                WriteDigits(digits, length, destination);
                destination.Slice(length, exponent).Fill((byte)'0');
                return length + exponent;
            }
            var integerDigits = length + exponent;
            if (integerDigits > 0)
            {
                // Digits one place right, then the integer part back over the gap, which takes the point.
                WriteDigits(digits, length, destination[1..]);
                destination.Slice(1, integerDigits).CopyTo(destination);
                destination[integerDigits] = (byte)'.';
                return length + 1;
            }
            var zeros = 2 - integerDigits;
            destination[..zeros].Fill((byte)'0');
            destination[1] = (byte)'.';
            WriteDigits(digits, length, destination[zeros..]);
            return zeros + length;
        }
        WriteDigits(digits, length, destination[1..]);
        destination[0] = destination[1];
        var written = 1;
        if (length > 1)
        {
            destination[1] = (byte)'.';
            written = length + 1;
        }
        destination[written++] = (byte)'E';
        destination[written++] = scientific < 0 ? (byte)'-' : (byte)'+';
        var magnitude = Math.Abs(scientific);
        if (magnitude >= 100)
        {
            destination[written++] = (byte)('0' + magnitude / 100);
            magnitude %= 100;
        }
        destination[written++] = DigitPairs[2 * magnitude];
        destination[written++] = DigitPairs[2 * magnitude + 1];
        return written;
    }

    /// <summary>Decimal digits of a value below 10^19.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int DigitCount(ulong value)
    {
        // log10(2) ≈ 1233/4096 gives the count from the bit length, exact after one comparison.
        var length = ((BitOperations.Log2(value) + 1) * 1233) >> 12;
        return value >= Powers10[length] ? length + 1 : length;
    }

    /// <summary>
    /// Writes the <paramref name="length"/> digits of <paramref name="value"/> (at most 17 here). The low eight
    /// digits go as four independent pairs from 32-bit arithmetic, so the divisions do not form one long chain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteDigits(ulong value, int length, Span<byte> destination)
    {
        if (length > 8)
        {
            var high = value / 100_000_000;
            WriteEight((uint)(value - high * 100_000_000), destination.Slice(length - 8, 8));
            WriteShort((uint)high, length - 8, destination);
        }
        else
        {
            WriteShort((uint)value, length, destination);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteEight(uint value, Span<byte> destination)
    {
        var upper = value / 10_000;
        var lower = value - upper * 10_000;
        WritePair(upper / 100, destination);
        WritePair(upper % 100, destination[2..]);
        WritePair(lower / 100, destination[4..]);
        WritePair(lower % 100, destination[6..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteShort(uint value, int length, Span<byte> destination)
    {
        var position = length;
        while (position > 1)
        {
            var quotient = value / 100;
            position -= 2;
            WritePair(value - quotient * 100, destination[position..]);
            value = quotient;
        }
        if (position == 1)
            destination[0] = (byte)('0' + value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WritePair(uint pair, Span<byte> destination)
    {
        destination[0] = DigitPairs[(int)(2 * pair)];
        destination[1] = DigitPairs[(int)(2 * pair + 1)];
    }

    private static ReadOnlySpan<ulong> Powers10 =>
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    /// <summary>(m × multiplier) &gt;&gt; shift, the top bits of a 64×128-bit product (shift is at least 64 here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulShift(ulong m, UInt128 multiplier, int shift)
    {
        var lowTop = Math.BigMul(m, (ulong)multiplier, out _);
        var high = Math.BigMul(m, (ulong)(multiplier >> 64), out var middle);
        middle += lowTop;
        high += middle < lowTop ? 1UL : 0UL;
        var distance = shift - 64;
        // UInt128's shift is a general routine; the distance here is 0 < d < 64, one double-word shift.
        return (middle >> distance) | (high << (64 - distance));
    }

    /// <summary>⌈log2 5^e⌉ for 1 ≤ e ≤ 3528 (1 for e = 0): the bit length of 5^e.</summary>
    private static int Pow5BitLength(int e) => (int)(((uint)e * 1217359) >> 19) + 1;

    /// <summary>⌊log10 2^e⌋ for 0 ≤ e ≤ 1650.</summary>
    private static int Log10Pow2(int e) => (int)(((uint)e * 78913) >> 18);

    /// <summary>⌊log10 5^e⌋ for 0 ≤ e ≤ 2620.</summary>
    private static int Log10Pow5(int e) => (int)(((uint)e * 732923) >> 20);

    private static bool IsMultipleOfPowerOf5(ulong value, int power)
    {
        var count = 0;
        while (value % 5 == 0)
        {
            value /= 5;
            count++;
        }
        return count >= power;
    }

    private static int Special(double value, Span<byte> destination) =>
        double.IsNaN(value) ? Copy("NaN"u8, destination) : Copy(value > 0 ? "Infinity"u8 : "-Infinity"u8, destination);

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        if (!text.TryCopyTo(destination))
            ExaniaThrow.DestinationTooShort(nameof(destination), text.Length, destination.Length);
        return text.Length;
    }


    private static UInt128[] BuildPow5()
    {
        var table = new UInt128[Pow5Count];
        var power = BigInteger.One;
        for (var i = 0; i < Pow5Count; i++, power *= 5)
        {
            var shift = (int)power.GetBitLength() - Pow5Bits;
            table[i] = (UInt128)(shift >= 0 ? power >> shift : power << -shift);
        }
        return table;
    }

    private static UInt128[] BuildPow5Inverse()
    {
        var table = new UInt128[Pow5InverseCount];
        var power = BigInteger.One;
        for (var i = 0; i < Pow5InverseCount; i++, power *= 5)
        {
            var shift = (int)power.GetBitLength() - 1 + Pow5InverseBits;
            table[i] = (UInt128)((BigInteger.One << shift) / power + 1);
        }
        return table;
    }
}
