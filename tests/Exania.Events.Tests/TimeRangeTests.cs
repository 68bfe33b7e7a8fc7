using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

/// <summary>
/// Issue #15, class 1: a timestamp outside the accepted range is a bad row with its reason, never a real time. The
/// default range is 1990-01-01..2100-01-01; <c>any</c> and explicit ranges widen or narrow it.
/// </summary>
public class TimeRangeTests
{
    private const string Header = "user_id,session_id,timestamp,action\n";

    [Theory]
    [InlineData("0", "1970-01-01 00:00:00 UTC")]                 // "missing" written as 0
    [InlineData("1e300", "beyond the year 9999")]
    [InlineData("9999-12-31T23:59:59Z", "9999-12-31 23:59:59 UTC")]
    [InlineData("-5", "1969-12-31 23:59:55 UTC")]
    [InlineData("4102444800", "2100-01-01 00:00:00 UTC")]         // the end is exclusive
    public void Default_ImplausibleTimestamp_IsAnOutOfRangeRowAndTheRestIsKept(string timestamp, string described)
    {
        var options = new EventReaderOptions { OnBadRow = BadRowPolicy.Skip };
        var (log, summary, rejects) = TestData.ReadCsv($"{Header}u1,s1,1700000000,click\nu1,s1,{timestamp},hover\nu1,s1,1700000005,click\n", options);
        Assert.Equal((3L, 2L, 1L), (summary.RowsRead, summary.Accepted, summary.Rejected));
        Assert.Equal(1, summary.RejectedByKind["out_of_range"]);
        Assert.Equal(2, log.Count);
        var reject = Assert.Single(rejects.Rows);
        Assert.Equal(3, reject.Line);
        Assert.Contains($"is {described}, outside the accepted range 1990-01-01..2100-01-01; widen it with --time-range", reject.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_TheBoundsThemselves()
    {
        var (log, _, _) = TestData.ReadCsv($"{Header}u1,s1,631152000,click\nu1,s1,4102444799.5,click\n", EventReaderOptions.Default);
        Assert.Equal(2, log.Count);
    }

    [Fact]
    public void Any_AcceptsRelativeTimesAndYear9999_ButNotBeyond()
    {
        var options = new EventReaderOptions { OnBadRow = BadRowPolicy.Skip, TimeRange = TimestampRange.Any };
        var (log, summary, _) = TestData.ReadCsv($"{Header}u1,s1,0,click\nu1,s1,5,hover\nu1,s1,9999-12-31T23:59:59Z,click\nu1,s1,1e300,click\n", options);
        Assert.Equal(3, log.Count);
        Assert.Equal(1, summary.RejectedByKind["out_of_range"]);
    }

    [Fact]
    public void ExplicitRange_NarrowsToTheStudyPeriod()
    {
        var options = new EventReaderOptions { OnBadRow = BadRowPolicy.Skip, TimeRange = TimestampRange.Parse("2019-10-01..2019-11-01") };
        var (log, summary, rejects) = TestData.ReadCsv(
            $"{Header}u1,s1,2019-10-01 00:00:00 UTC,click\nu1,s1,2019-10-31T23:59:59Z,click\nu1,s1,2019-11-01 00:00:00 UTC,click\n", options);
        Assert.Equal(2, log.Count);
        Assert.Equal(1, summary.Rejected);
        Assert.Contains("outside the accepted range 2019-10-01..2019-11-01", Assert.Single(rejects.Rows).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plausible", 631152000.0, 4102444800.0)]
    [InlineData(" ANY ", -62135596800.0, 253402300800.0)]
    [InlineData("0..86400", 0.0, 86400.0)]
    [InlineData("2019-10-01..2019-12-01", 1569888000.0, 1575158400.0)]
    [InlineData("2019-10-01T12:00:00Z..1575158400", 1569931200.0, 1575158400.0)]
    public void Parse_ReadsNamesDatesAndEpochSeconds(string text, double min, double max)
    {
        var range = TimestampRange.Parse(text);
        Assert.Equal(min, range.MinSeconds);
        Assert.Equal(max, range.MaxSeconds, 1e-6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2019")]
    [InlineData("2019-10-01..")]
    [InlineData("..2019-10-01")]
    [InlineData("2019-12-01..2019-10-01")]
    [InlineData("5..5")]
    [InlineData("0..1e300")]
    [InlineData("yesterday..today")]
    public void Parse_RejectsWhatIsNotARange(string text) => Assert.Throws<FormatException>(() => TimestampRange.Parse(text));

    [Fact]
    public void ToString_ParsesBackToTheSameRange()
    {
        foreach (var range in new[] { TimestampRange.Plausible, TimestampRange.Any, TimestampRange.Parse("0.5..86400"), TimestampRange.Parse("2019-10-01..2019-12-01") })
            Assert.Equal(range, TimestampRange.Parse(range.ToString()));
    }
}
