using System.Globalization;
using System.Text;
using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

/// <summary>
/// Issue #10: a large CSV file read in parts on several threads gives exactly what one pass gives (the reference):
/// the same rows with the same pool ids, counts, and rejects with their lines, in order, whatever the cuts hit.
/// </summary>
public class ReadInPartsTests
{
    private static readonly EventReaderOptions OnePass = TestData.RelativeTimes with { Threads = 1 };

    /// <summary>Parts from the first byte on, so small test files are cut too.</summary>
    private static EventReaderOptions InParts(int threads, EventReaderOptions? options = null) =>
        (options ?? TestData.RelativeTimes) with { Threads = threads, PartsFromBytes = 1 };

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void PlainFile_InParts_IsTheOnePassLog(int threads)
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("events.csv");
        File.WriteAllText(path, TestData.Header + Rows(4000, random: new Random(threads)));
        AssertSameRead(path, OnePass, InParts(threads));
    }

    [Fact]
    public void BadRowsInEveryPart_AreRejectedWithTheirFileLines_InOrder()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("events.csv");
        File.WriteAllText(path, TestData.Header + Rows(3000, new Random(5), badEvery: 97));
        var skip = OnePass with { OnBadRow = BadRowPolicy.Skip };
        var (_, summary, rejects) = AssertSameRead(path, skip, InParts(4, skip));
        Assert.True(summary.Rejected > 20);
        Assert.Equal(summary.Rejected, rejects.Count);
    }

    [Fact]
    public void FailPolicy_StopsAtTheFirstBadRowOfTheFile_WithItsLine()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("events.csv");
        // The only bad row is in the last quarter: the parts before it are good, so it is the one reported.
        var rows = Rows(3000, new Random(6)).Split('\n');
        rows[2500] = "u1,s1,not-a-time,click,,,,,,,,";
        File.WriteAllText(path, TestData.Header + string.Join('\n', rows));
        var expected = Assert.Throws<DataFormatException>(() => EventReader.Read(path, new EventLog(), OnePass));
        var actual = Assert.Throws<DataFormatException>(() => EventReader.Read(path, new EventLog(), InParts(4)));
        Assert.Equal(expected.Message, actual.Message);
        Assert.StartsWith("events.csv:2502: ", actual.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void CutsInsideQuotedLineBreaks_AreReadAgainInOnePass(int threads)
    {
        // The second half's rows hold a quoted page with 20 line breaks, so a cut there nearly always falls inside a
        // quote: the part before it sees the quote open at its end, and the rest is read sequentially from its start.
        using var dir = new TestData.TempDir();
        var path = dir.File("events.csv");
        var random = new Random(threads);
        File.WriteAllText(path, TestData.Header + Rows(1500, random) + Rows(1500, random, quotedBreaks: 20));
        var skip = OnePass with { OnBadRow = BadRowPolicy.Skip };
        AssertSameRead(path, skip, InParts(threads, skip));
    }

    [Fact]
    public void CutInsideTheFirstPartsQuote_RereadsTheWholeFile()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("events.csv");
        File.WriteAllText(path, TestData.Header + Rows(2000, new Random(9), quotedBreaks: 30));
        AssertSameRead(path, OnePass, InParts(2));
    }

    [Fact]
    public void UnclosedQuoteAtTheEndOfTheFile_IsReportedAsInOnePass()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("events.csv");
        File.WriteAllText(path, TestData.Header + Rows(2000, new Random(10)) + "u9,s9,5,click,\"never closed\n,,,,,,,\n");
        var skip = OnePass with { OnBadRow = BadRowPolicy.Skip };
        var (_, summary, _) = AssertSameRead(path, skip, InParts(3, skip));
        Assert.Equal(1, summary.RejectedByKind["malformed"]);
    }

    [Fact]
    public void StrayQuoteInALaterPart_NamesTheSameLinesAsOnePass()
    {
        // A quote problem's text names lines, which a later part knows only relative to its start: that part is read
        // again in one pass, so the text is the one-pass text.
        using var dir = new TestData.TempDir();
        var path = dir.File("events.csv");
        var rows = Rows(3000, new Random(12)).Split('\n');
        rows[2200] = "u1,s1,5,click,\"stray,,,,,,,";
        File.WriteAllText(path, TestData.Header + string.Join('\n', rows));
        var skip = OnePass with { OnBadRow = BadRowPolicy.Skip };
        var (_, _, rejects) = AssertSameRead(path, skip, InParts(4, skip));
        Assert.Contains(rejects, r => r.Line == 2202 && r.Reason.Contains("opened on line 2202", StringComparison.Ordinal));
    }

    [Fact]
    public void ByteOrderMarkAndCrLf_AreReadAsInOnePass()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("events.csv");
        var text = (TestData.Header + Rows(2500, new Random(11))).Replace("\n", "\r\n");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)]);
        AssertSameRead(path, OnePass, InParts(4));
    }

    [Fact]
    public void UnknownActionsAndNewStringsInLaterParts_KeepFirstSeenOrder()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("events.csv");
        var text = new StringBuilder(TestData.Header);
        for (var i = 0; i < 3000; i++)
            text.Append(CultureInfo.InvariantCulture, $"user{i % 50},s{i / 10},{i},{(i % 7 == 0 ? $"custom{i % 13}" : "click")},/p{i % 31},c{i / 600},,,,,,\n");
        File.WriteAllText(path, text.ToString());
        var (_, summary, _) = AssertSameRead(path, OnePass, InParts(5));
        Assert.Equal(13, summary.UnknownActions.Count);
    }

    /// <summary>Reads <paramref name="path"/> both ways and asserts logs, summaries and rejects are identical.</summary>
    private static (EventLog Log, EventReadSummary Summary, IReadOnlyList<RejectedRow> Rejects) AssertSameRead(
        string path, EventReaderOptions onePass, EventReaderOptions inParts)
    {
        var (expectedLog, expectedSummary, expectedRejects) = Read(path, onePass);
        var (log, summary, rejects) = Read(path, inParts);
        Assert.Equal(expectedLog.Count, log.Count);
        Assert.True(expectedLog.UserIds.SequenceEqual(log.UserIds));
        Assert.True(expectedLog.SessionIds.SequenceEqual(log.SessionIds));
        Assert.True(expectedLog.ActionCodes.SequenceEqual(log.ActionCodes));
        Assert.True(expectedLog.Timestamps.SequenceEqual(log.Timestamps));
        Assert.Equal(expectedLog.Users.Values, log.Users.Values);
        Assert.Equal(expectedLog.Sessions.Values, log.Sessions.Values);
        Assert.Equal(expectedLog.Pages.Values, log.Pages.Values);
        Assert.Equal(expectedLog.Categories.Values, log.Categories.Values);
        Assert.Equal(expectedLog.Actions.Names, log.Actions.Names);
        for (var i = 0; i < log.Count; i++)
            Assert.Equal(expectedLog[i], log[i]);
        Assert.Equal(expectedSummary.RowsRead, summary.RowsRead);
        Assert.Equal(expectedSummary.Accepted, summary.Accepted);
        Assert.Equal(expectedSummary.Rejected, summary.Rejected);
        Assert.Equal(expectedSummary.RejectedByKind, summary.RejectedByKind);
        Assert.Equal(expectedSummary.UnknownActions.ToList(), summary.UnknownActions.ToList());
        Assert.Equal(expectedRejects, rejects);
        return (log, summary, rejects);
    }

    private static (EventLog, EventReadSummary, IReadOnlyList<RejectedRow>) Read(string path, EventReaderOptions options)
    {
        var log = new EventLog();
        var rejects = new RejectList();
        var summary = EventReader.Read(path, log, options, rejects);
        return (log, summary, rejects.Rows);
    }

    /// <summary>
    /// Rows in the canonical columns: sessions of a few events, optional scroll depths, every
    /// <paramref name="badEvery"/>-th row with a bad value, pages holding <paramref name="quotedBreaks"/> quoted line breaks.
    /// </summary>
    private static string Rows(int count, Random random, int badEvery = 0, int quotedBreaks = 0)
    {
        var text = new StringBuilder();
        string[] actions = ["page_view", "scroll_down", "click", "hover", "click_ad"];
        for (var i = 0; i < count; i++)
        {
            var user = $"user{random.Next(200)}";
            var session = $"s{random.Next(600)}";
            var time = (random.Next(100_000) + random.NextDouble()).ToString("R", CultureInfo.InvariantCulture);
            var page = quotedBreaks > 0 ? $"\"/a{new string('\n', quotedBreaks)}b{random.Next(40)}\"" : $"/p{random.Next(40)}";
            var depth = random.Next(3) == 0 ? random.NextDouble().ToString("0.###", CultureInfo.InvariantCulture) : "";
            if (badEvery > 0 && i % badEvery == badEvery - 1)
                depth = random.Next(2) == 0 ? "deep" : "1.5";
            text.Append(CultureInfo.InvariantCulture, $"{user},{session},{time},{actions[random.Next(actions.Length)]},{page},cat{random.Next(5)},{depth},,,,,\n");
        }
        return text.ToString();
    }
}
