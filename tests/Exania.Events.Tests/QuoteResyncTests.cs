using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

/// <summary>Issue #15, class 2, through the event reader: one stray quote costs one row, not the rest of the file.</summary>
public class QuoteResyncTests
{
    private static string File(int rows, int strayAt)
    {
        var text = new System.Text.StringBuilder("user_id,session_id,timestamp,action\n");
        for (var line = 2; line <= rows + 1; line++)
            text.Append(line == strayAt ? $"u1,s1,\"{1_700_000_000 + line},click\n" : $"u1,s1,{1_700_000_000 + line},click\n");
        return text.ToString();
    }

    [Fact]
    public void Skip_UnclosedQuoteOnLine4_RejectsThatRowAndReadsAndCountsTheRest()
    {
        var (log, summary, rejects) = TestData.ReadCsv(File(5000, strayAt: 4), TestData.RelativeTimes with { OnBadRow = BadRowPolicy.Skip });
        Assert.Equal(5000, summary.RowsRead);
        Assert.Equal(4999, summary.Accepted);
        Assert.Equal(1, summary.Rejected);
        Assert.Equal(4999, log.Count);
        var reject = Assert.Single(rejects.Rows);
        Assert.Equal(4, reject.Line);
        Assert.Contains("opened on line 4 is not closed within 64 line breaks", reject.Reason, StringComparison.Ordinal);
        Assert.True(reject.Raw.Length < 100, $"the reject holds {reject.Raw.Length} characters");
        Assert.Equal(1, summary.RejectedByKind["malformed"]);
    }

    [Fact]
    public void Fail_UnclosedQuote_NamesItsOpeningLine()
    {
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadCsv(File(500, strayAt: 4)));
        Assert.Equal(4, ex.Line);
        Assert.Contains("a quoted field opened on line 4", ex.Reason, StringComparison.Ordinal);
    }
}
