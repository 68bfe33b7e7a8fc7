using System.Text;
using Exania.Core;

namespace Exania.Core.Tests;

/// <summary>
/// The one-pass path for plain lines (no quote, no stray carriage return, the whole line in the buffer) gives exactly
/// the rows of the character-level path. A reader that hands out one character at a time never holds a whole line,
/// so it forces the character-level path: both must agree on fields, line numbers and quote problems.
/// </summary>
public class CsvTokenizerPlainLineTests
{
    [Theory]
    [InlineData(1, ',')]
    [InlineData(2, ',')]
    [InlineData(3, ';')]
    public void RandomDocuments_PlainPathEqualsCharacterPath(int seed, char delimiter)
    {
        var random = new Random(seed);
        for (var document = 0; document < 300; document++)
        {
            var text = RandomCsv(random, delimiter);
            var fast = Rows(new StringReader(text), delimiter);
            var slow = Rows(new CsvTokenizerQuoteTests.ChunkedReader(text, 1), delimiter);
            Assert.Equal(slow, fast);
        }
    }

    [Fact]
    public void LongRowsAndManyFields_CrossTheBufferAndGrowTheArrays()
    {
        var wide = string.Join(',', Enumerable.Range(0, 100).Select(i => new string((char)('a' + i % 26), i % 40)));
        var text = string.Concat(Enumerable.Repeat(wide + "\n", 2000)); // 2 MB: rows straddle every 64 K refill
        var fast = Rows(new StringReader(text), ',');
        Assert.Equal(2000, fast.Count);
        Assert.All(fast, row => Assert.Equal(wide.Split(','), row.Fields));
        Assert.Equal(Rows(new CsvTokenizerQuoteTests.ChunkedReader(text, 1), ','), fast);
    }

    private sealed record Row(long Line, string? Problem, string[] Fields)
    {
        public bool Equals(Row? other) => other is not null && Line == other.Line && Problem == other.Problem && Fields.SequenceEqual(other.Fields);
        public override int GetHashCode() => HashCode.Combine(Line, Fields.Length);
    }

    private static List<Row> Rows(TextReader reader, char delimiter)
    {
        var tokenizer = new CsvTokenizer(reader, delimiter);
        var rows = new List<Row>();
        while (tokenizer.ReadRow())
        {
            var fields = new string[tokenizer.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = tokenizer.Field(i).ToString();
                Assert.Equal(fields[i], tokenizer.RowChars.Slice(tokenizer.FieldStart(i), tokenizer.FieldLength(i)).ToString());
            }
            rows.Add(new Row(tokenizer.RowLine, tokenizer.QuoteProblem, fields));
        }
        return rows;
    }

    private static string RandomCsv(Random random, char delimiter)
    {
        var pieces = new[] { "a", "bb", "1769813830.925", "", " ", "\"q\"", "\"x,y\"", "\"two\nlines\"", "\"", "\r", "é", new string('z', 40), delimiter.ToString() };
        var text = new StringBuilder();
        var lines = random.Next(1, 30);
        for (var l = 0; l < lines; l++)
        {
            var fields = random.Next(1, 25);
            for (var f = 0; f < fields; f++)
            {
                if (f > 0) text.Append(delimiter);
                text.Append(pieces[random.Next(pieces.Length)]);
            }
            text.Append(random.Next(5) == 0 ? "\r\n" : "\n");
        }
        if (random.Next(4) == 0) text.Length--; // no final line break
        return text.ToString();
    }
}
