using System.Globalization;
using System.Text;
using Exania.Core;

namespace Exania.Core.Tests;

/// <summary>
/// The Ryu formatter writes exactly what .NET's own <c>double.TryFormat</c> writes (the reference: shortest round-trip
/// digits, .NET's layout) and what it writes reads back to the same bits.
/// </summary>
public class ShortestDoubleTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.75)]
    [InlineData(1e-5)]
    [InlineData(1e-4)]
    [InlineData(0.00012345)]
    [InlineData(1e14)]
    [InlineData(1e15)]
    [InlineData(1e16)]
    [InlineData(1e17)]
    [InlineData(123456789012345678.0)]
    [InlineData(9007199254740993.0)]
    [InlineData(1838602897692797.5)]
    [InlineData(0.041666666666666664)]
    [InlineData(8.402999877929688)]
    [InlineData(double.MaxValue)]
    [InlineData(double.MinValue)]
    [InlineData(double.Epsilon)]
    [InlineData(-double.Epsilon)]
    [InlineData(2.2250738585072014E-308)] // smallest normal
    [InlineData(2.225073858507201E-308)] // largest subnormal
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Edges_AreWrittenAsDotNetWritesThem(double value) => AssertSame(value);

    [Fact]
    public void NegativeZero_IsWrittenAsDotNetWritesIt() => AssertSame(-0.0);

    [Fact]
    public void EveryPowerOfTwoAndTen_AndTheirNeighbours_AreWrittenAsDotNetWritesThem()
    {
        // Powers of two have a zero mantissa (the asymmetric interval); powers of ten are the exact-decimal cases.
        for (var e = -1074; e <= 1023; e++)
            AssertWithNeighbours(Math.ScaleB(1.0, e));
        for (var e = -323; e <= 308; e++)
            AssertWithNeighbours(double.Parse($"1e{e}", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RandomBitPatterns_AreWrittenAsDotNetWritesThem()
    {
        var random = new Random(2026);
        for (var n = 0; n < 1_000_000; n++)
            AssertSame(BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)));
    }

    [Fact]
    public void ShortDecimalsAndRatios_AreWrittenAsDotNetWritesThem()
    {
        // The values a windows file is made of: short decimals (0.172), ratios of counts (5/12), float32 gaps.
        var random = new Random(7);
        for (var n = 0; n < 300_000; n++)
        {
            AssertSame(Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-8, 18)), random.Next(0, 16)));
            AssertSame(random.Next(1, 100_000) / (double)random.Next(1, 1000));
            AssertSame((float)random.NextDouble() * random.Next(1, 1000));
        }
    }

    [Fact]
    public void ShortDestination_IsRefused()
    {
        var small = new byte[ShortestDouble.MaxLength - 1];
        Assert.Throws<ArgumentException>(() => ShortestDouble.Format(0.1, small));
    }

    private static void AssertWithNeighbours(double value)
    {
        AssertSame(value);
        AssertSame(Math.BitIncrement(value));
        AssertSame(Math.BitDecrement(value));
        AssertSame(-value);
    }

    [Theory]
    [InlineData(-958, "4.1045368012983762E-289")]
    [InlineData(-25, "2.9802322387695312E-08")]
    public void PowersOfTwoWhereDotNetDoesNotRoundTrip_AreWrittenSoTheyDo(int exponent, string expected)
    {
        // .NET treats the interval below a power of two as symmetric, though it is half as wide (the binade below
        // is twice as dense): its shortest text for these reads back as the next double down. Ryu's bounds do not.
        var value = Math.ScaleB(1.0, exponent);
        Assert.NotEqual(value, double.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        Span<byte> ours = stackalloc byte[ShortestDouble.MaxLength];
        Assert.Equal(expected, Encoding.UTF8.GetString(ours[..ShortestDouble.Format(value, ours)]));
        Assert.Equal(value, double.Parse(expected, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The text equals .NET's wherever .NET's reads back to the value (everywhere but a few powers of two, above),
    /// and always reads back to the same bits.
    /// </summary>
    private static void AssertSame(double value)
    {
        Span<byte> ours = stackalloc byte[ShortestDouble.MaxLength];
        Span<byte> reference = stackalloc byte[64];
        var written = ShortestDouble.Format(value, ours);
        var text = Encoding.UTF8.GetString(ours[..written]);
        Assert.True(value.TryFormat(reference, out var expected, default, CultureInfo.InvariantCulture));
        var referenceText = Encoding.UTF8.GetString(reference[..expected]);
        if (!double.IsFinite(value))
        {
            Assert.Equal(referenceText, text);
            return;
        }
        var back = double.Parse(text, CultureInfo.InvariantCulture);
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(back));
        var referenceRoundTrips = double.Parse(referenceText, CultureInfo.InvariantCulture).Equals(value);
        if (referenceRoundTrips && text != referenceText)
            Assert.Fail($"{value:R}: wrote '{text}', .NET writes '{referenceText}'");
    }
}
