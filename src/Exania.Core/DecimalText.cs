using System.Globalization;
using System.Runtime.CompilerServices;

namespace Exania.Core;

/// <summary>
/// Parses numbers the way <c>double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture)</c> does, with a
/// fast path for the plain decimals that fill event files (<c>1769813830.925</c>, <c>0.105</c>, <c>42</c>).
/// </summary>
/// <remarks>
/// The fast path is Clinger's: a decimal of at most 15 digits without an exponent is m / 10^k with m &lt; 10^15 &lt;
/// 2^53 and k ≤ 15, both exactly representable, so the one IEEE division is correctly rounded and gives the same
/// double as the full parser. Anything else (more digits, an exponent, white space, NaN, Infinity) goes to the full
/// parser, so the two never disagree; <c>DecimalTextTests</c> checks that on a million random strings.
/// </remarks>
public static class DecimalText
{
    private static readonly double[] s_powersOfTen = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<char> text, out double value)
    {
        if (TryParseSimple(text, out value))
            return true;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryParseSimple(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (text.Length > 0 && text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            i = 1;
        }
        long mantissa = 0;
        var digits = 0;
        var fraction = -1; // digits after the point, or -1 without one
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if ((uint)(c - '0') <= 9)
            {
                if (++digits > 15)
                    return false;
                mantissa = mantissa * 10 + (c - '0');
                if (fraction >= 0)
                    fraction++;
            }
            else if (c == '.' && fraction < 0)
            {
                fraction = 0;
            }
            else
            {
                return false;
            }
        }
        if (digits == 0)
            return false;
        var magnitude = fraction > 0 ? mantissa / s_powersOfTen[fraction] : mantissa;
        value = negative ? -magnitude : magnitude;
        return true;
    }
}
