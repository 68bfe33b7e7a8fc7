using System.Text;
using Exania.Core;

namespace Exania.Core.Tests;

/// <summary>
/// Issue #15, class 2: a quoted field may hold at most 64 line breaks; past that, or at the end of the file, the
/// quote is taken as unclosed, the row keeps the field's first line, and reading resumes on the next line.
/// </summary>
public class CsvTokenizerQuoteTests
{
    private static List<(long Line, string[] Fields, string? Problem)> Rows(string text, int bufferChunk = 0)
    {
        TextReader reader = bufferChunk > 0 ? new ChunkedReader(text, bufferChunk) : new StringReader(text);
        var csv = new CsvTokenizer(reader, ',');
        var rows = new List<(long, string[], string?)>();
        while (csv.ReadRow())
            rows.Add((csv.RowLine, Enumerable.Range(0, csv.FieldCount).Select(i => csv.Field(i).ToString()).ToArray(), csv.QuoteProblem));
        return rows;
    }

    private static string Lines(int from, int count) =>
        string.Concat(Enumerable.Range(from, count).Select(i => $"r{i},{i}\n"));

    [Theory]
    [InlineData(0)]
    [InlineData(7)] // the reader hands out 7 characters at a time: the field and the replay cross buffer refills
    public void StrayQuote_OnLine4_OfAManyRowFile_RejectsOneRowAndReadsTheRest(int chunk)
    {
        var text = "a,b\n" + Lines(2, 2) + "r4,\"unclosed\n" + Lines(5, 996);
        var rows = Rows(text, chunk);
        Assert.Equal(1 + 2 + 1 + 996, rows.Count);
        var bad = rows[3];
        Assert.Equal(4, bad.Line);
        Assert.Equal(["r4", "unclosed"], bad.Fields);
        Assert.Contains("opened on line 4 is not closed within 64 line breaks", bad.Problem, StringComparison.Ordinal);
        Assert.Contains("reading resumes on line 5", bad.Problem, StringComparison.Ordinal);
        AssertRow(rows[4], 5, "r5", "5");
        AssertRow(rows[^1], 1000, "r1000", "1000");
        Assert.All(rows.Skip(4), r => Assert.Null(r.Problem));
    }

    [Fact]
    public void TwoStrayQuotes_AThousandLinesApart_DoNotMergeTheRowsBetween()
    {
        var text = "a,b\n" + "r2,\"x\n" + Lines(3, 998) + "r1001,y\"\n" + Lines(1002, 3);
        var rows = Rows(text);
        Assert.Contains("opened on line 2", rows[1].Problem, StringComparison.Ordinal);
        Assert.Equal(["r3", "3"], rows[2].Fields);
        // Every line is a row of its own: nothing is merged into one event.
        Assert.Equal(1004, rows.Count);
        Assert.DoesNotContain(rows, r => r.Fields.Any(f => f.Contains('\n', StringComparison.Ordinal)));
    }

    [Fact]
    public void UnclosedQuote_NearTheEnd_ReplaysTheLinesAfterIt()
    {
        var rows = Rows("a,b\nr2,\"open\nr3,3\nr4,4\n");
        Assert.Equal(4, rows.Count);
        Assert.Contains("not closed before the end of the file; reading resumes on line 3", rows[1].Problem, StringComparison.Ordinal);
        AssertRow(rows[2], 3, "r3", "3");
        AssertRow(rows[3], 4, "r4", "4");
    }

    [Fact]
    public void LegitimateMultiLineField_WithinTheBound_IsOneField()
    {
        // 65 lines: 64 line breaks, the most a quoted field may hold.
        var body = string.Join("\n", Enumerable.Range(0, 65).Select(i => $"line {i}, with \"\"quotes\"\""));
        var rows = Rows($"a,b\n1,\"{body}\"\n2,x\n");
        Assert.Equal(3, rows.Count);
        Assert.Null(rows[1].Problem);
        Assert.Equal(body.Replace("\"\"", "\"", StringComparison.Ordinal), rows[1].Fields[1]);
        AssertRow(rows[2], 67, "2", "x");
    }

    [Fact]
    public void StrayQuoteInsideAReplay_IsResynchronisedAgain()
    {
        // The second stray quote is more than 64 lines after the first (so it does not close it) and lies in the text
        // replayed after the first one is given up.
        var text = "a,b\nr2,\"x\n" + Lines(3, 97) + "r100,\"y\n" + Lines(101, 200);
        var rows = Rows(text);
        Assert.Equal(1 + 1 + 97 + 1 + 200, rows.Count);
        Assert.Contains("opened on line 2", rows[1].Problem, StringComparison.Ordinal);
        Assert.Contains("opened on line 100", rows[99].Problem, StringComparison.Ordinal);
        AssertRow(rows[100], 101, "r101", "101");
        AssertRow(rows[^1], 300, "r300", "300");
    }

    private static void AssertRow((long Line, string[] Fields, string? Problem) row, long line, params string[] fields)
    {
        Assert.Equal(line, row.Line);
        Assert.Equal(fields, row.Fields);
    }

    /// <summary>A reader that returns at most <c>chunk</c> characters per call.</summary>
    internal sealed class ChunkedReader(string text, int chunk) : TextReader
    {
        private int _pos;

        public override int Read(char[] buffer, int index, int count)
        {
            var n = Math.Min(Math.Min(count, chunk), text.Length - _pos);
            text.CopyTo(_pos, buffer, index, n);
            _pos += n;
            return n;
        }
    }
}
