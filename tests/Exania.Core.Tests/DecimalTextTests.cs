using System.Globalization;
using System.Text;
using Exania.Core;

namespace Exania.Core.Tests;

/// <summary>The fast decimal path gives exactly the doubles of .NET's own parser (the reference), or defers to it.</summary>
public class DecimalTextTests
{
    [Theory]
    [InlineData("1769813830.925")]
    [InlineData("0.105")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("+7")]
    [InlineData("5.")]
    [InlineData(".5")]
    [InlineData("999999999999999")]
    [InlineData("9999999999999999")]
    [InlineData("0.000000000000001")]
    [InlineData("1e5")]
    [InlineData(" 12 ")]
    [InlineData("NaN")]
    [InlineData("-Infinity")]
    [InlineData("1,5")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("0x10")]
    public void Edges_AgreeWithTheFullParser(string text) => AssertSame(text);

    [Fact]
    public void RandomDecimals_AgreeWithTheFullParserBitForBit()
    {
        var random = new Random(2026);
        var text = new StringBuilder();
        for (var n = 0; n < 300_000; n++)
        {
            text.Clear();
            switch (random.Next(4))
            {
                case 0: text.Append('-'); break;
                case 1: text.Append('+'); break;
            }
            var whole = random.Next(0, 12);
            for (var i = 0; i < whole; i++) text.Append((char)('0' + random.Next(10)));
            if (random.Next(3) > 0)
            {
                text.Append('.');
                var fraction = random.Next(0, 12);
                for (var i = 0; i < fraction; i++) text.Append((char)('0' + random.Next(10)));
            }
            if (random.Next(20) == 0) text.Append('e').Append(random.Next(-30, 30));
            AssertSame(text.ToString());
        }
    }

    private static void AssertSame(string text)
    {
        var expectedOk = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var expected);
        var ok = DecimalText.TryParse(text, out var actual);
        Assert.True(expectedOk == ok, $"'{text}': parsed {ok}, reference {expectedOk}");
        if (ok)
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"'{text}': {actual:R} vs reference {expected:R}");
    }
}
