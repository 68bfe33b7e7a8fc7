using System.Text;
using Exania.Core;

namespace Exania.Core.Tests;

/// <summary>The UTF-8 buffer writes exactly what the text writer writes, and numbers read back to the same doubles.</summary>
public class Utf8CsvBufferTests
{
    public static TheoryData<double> Numbers => [0.0, -0.0, 1.0, -7.0, 0.1, 1.0 / 3.0, 123456.789, 1e15, 999999999999999.0, 1e300, -2.5e-300,
        double.Epsilon, double.MaxValue, 5e-324, 4503599627370496.5, double.NaN];

    [Theory]
    [MemberData(nameof(Numbers))]
    public void Number_MatchesTheTextWriterAndRoundTrips(double value)
    {
        var buffer = new Utf8CsvBuffer();
        buffer.Number(value);
        var text = new StringWriter();
        CsvFieldWriter.WriteNumber(text, value, stackalloc char[32]);
        var written = Encoding.UTF8.GetString(buffer.Written);
        Assert.Equal(text.ToString(), written);
        if (double.IsNaN(value))
            Assert.Equal("", written);
        else
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(double.Parse(written, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("café ünïcode", "café ünïcode")]
    [InlineData("", "")]
    public void Field_QuotesOnlyWhenNeeded_AsTheTextWriterDoes(string value, string expected)
    {
        var buffer = new Utf8CsvBuffer(64);
        buffer.Field(value);
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.Written));
        var text = new StringWriter();
        CsvFieldWriter.WriteField(text, value);
        Assert.Equal(text.ToString(), expected);
    }

    [Fact]
    public void Buffer_GrowsPastItsCapacity()
    {
        var buffer = new Utf8CsvBuffer(64);
        for (var i = 0; i < 1000; i++)
        {
            buffer.Number(i + 0.25);
            buffer.Byte((byte)',');
        }
        var parts = Encoding.UTF8.GetString(buffer.Written).Split(',', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1000, parts.Length);
        Assert.Equal("999.25", parts[^1]);
    }
}
