using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

/// <summary>
/// Issue #15, class 7: under auto (and iso8601) only unambiguous forms are read; a time of day alone, a day without a
/// year, or a month-first/day-first date is a bad row until the file names its pattern. The forms that are read are
/// checked against values computed by hand (seconds since 1970-01-01T00:00:00Z).
/// </summary>
public class AmbiguousDateTests
{
    [Theory]
    [InlineData("12:00:00")]       // would be "today": the result would change with the day it runs
    [InlineData("10 01")]          // would be 1 October of the current year
    [InlineData("01/05/2026")]     // month-first or day-first?
    [InlineData("5 Jan 2026")]
    [InlineData("2026-13-01")]
    [InlineData("2026-02-30")]
    [InlineData("2026-01-05T25:00")]
    [InlineData("2026-01-05T10:00:00 PST")]
    [InlineData("2026-01-05T10:00:00.")]
    public void Auto_AmbiguousOrInvalidText_IsRejected(string text)
    {
        Assert.False(TimestampParser.TryParse(text, TimestampFormat.Auto, out _));
        Assert.False(TimestampParser.TryParse(text, TimestampFormat.Iso8601, out _));
    }

    [Theory]
    [InlineData("2019-10-01 00:00:00 UTC", 1569888000.0)]      // the REES46 sample's form
    [InlineData("2019-10-01", 1569888000.0)]
    [InlineData("2019-10-01T00:00", 1569888000.0)]
    [InlineData("2019-10-01T02:00:00+02:00", 1569888000.0)]
    [InlineData("2019-10-01T02:00:00+0200", 1569888000.0)]
    [InlineData("2019-09-30T23:00:00-01", 1569888000.0)]
    [InlineData("2019-10-01T00:00:00.250Z", 1569888000.25)]
    [InlineData("2019-10-01 00:00:00.1234567", 1569888000.1234567)]
    [InlineData("2024-02-29T12:00:00Z", 1709208000.0)]           // a leap day
    public void Auto_UnambiguousForms_GiveHandComputedEpochSeconds(string text, double expected)
    {
        Assert.True(TimestampParser.TryParse(text, TimestampFormat.Auto, out var seconds));
        Assert.Equal(expected, seconds, 6);
    }

    [Fact]
    public void Reader_AmbiguousDate_IsABadRowNamingTheFixAndLosingNothing()
    {
        var (log, summary, rejects) = TestData.ReadCsv("user_id,session_id,timestamp,action\nu1,s1,2026-01-05T10:00:00Z,click\nu1,s1,01/05/2026,click\n",
            TestData.RelativeTimes with { OnBadRow = BadRowPolicy.Skip });
        Assert.Equal((1, 1L, 1L), (log.Count, summary.Accepted, summary.Rejected));
        Assert.Contains("other forms need a timestamp pattern", Assert.Single(rejects.Rows).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Pattern_NamesTheForm_AndIsReadExactly()
    {
        var options = TestData.RelativeTimes with { TimestampFormat = TimestampFormat.Pattern, TimestampPattern = "dd/MM/yyyy HH:mm" };
        var (log, _, _) = TestData.ReadCsv("user_id,session_id,timestamp,action\nu1,s1,01/05/2026 10:30,click\n", options);
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 10, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds(), log.Timestamps[0]);
        Assert.False(TimestampParser.TryParse("2026-05-01", TimestampFormat.Pattern, out _, "dd/MM/yyyy HH:mm"));
    }
}
