using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

public class EventLoaderTests
{
    private const string Header = "user_id,session_id,timestamp,action\n";

    [Fact]
    public void Load_SeveralFiles_OneLog_CountsSummed_RejectsInOneFile()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("a.csv"), Header + "u1,s1,10,click\nu1,s1,oops,click\n");
        File.WriteAllText(dir.File("b.csv"), Header + "u2,,20,scroll_down\nu2,,30,click\nu3,s3,,click\n");
        var options = TestData.RelativeTimes with { OnBadRow = BadRowPolicy.Skip };
        var (log, report) = EventLoader.Load([dir.File("a.csv"), dir.File("b.csv")], options, dir.File("rejects.csv"));
        Assert.Equal(3, log.Count);
        Assert.Equal(5, report.RowsRead);
        Assert.Equal(3, report.Accepted);
        Assert.Equal(2, report.Rejected);
        Assert.Equal(report.Rejected, report.RejectedByKind.Values.Sum());
        Assert.Equal(2, report.Files.Count);
        // u2's two rows had no session id: one session from the inactivity gap.
        Assert.Equal(2, report.SessionizedRows);
        Assert.Equal(1, report.SessionsCreated);
        Assert.Equal(dir.File("rejects.csv"), report.RejectsFile);
        var rejects = File.ReadAllLines(dir.File("rejects.csv"));
        Assert.Equal(3, rejects.Length); // header + one line per rejected row, each naming its file
        Assert.Contains(rejects, l => l.StartsWith(dir.File("a.csv"), StringComparison.Ordinal) || l.Contains("a.csv", StringComparison.Ordinal));
        Assert.Contains(rejects, l => l.Contains("b.csv", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_NoRejects_WritesNoRejectsFile()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("a.csv"), Header + "u1,s1,10,click\n");
        var (_, report) = EventLoader.Load([dir.File("a.csv")], TestData.RelativeTimes, rejectsPath: dir.File("rejects.csv"));
        Assert.Null(report.RejectsFile);
        Assert.False(File.Exists(dir.File("rejects.csv")));
        Assert.DoesNotContain("rejects_file", ReportJson.Serialize(report), StringComparison.Ordinal);
        Assert.Contains("\"rows_read\": 1", ReportJson.Serialize(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadRowUnderFail_ThrowsNamingFileAndLine()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("a.csv"), Header + "u1,s1,10,click\nu1,s1,oops,click\n");
        var ex = Assert.Throws<DataFormatException>(() => EventLoader.Load([dir.File("a.csv")], TestData.RelativeTimes));
        Assert.Equal(3, ex.Line);
        Assert.EndsWith("a.csv", ex.File, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    public void Load_SessionGapOutOfRange_NamesTheField(double gap)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => EventLoader.Load([], sessionGapSeconds: gap));
        Assert.Equal("SessionGapSeconds", ex.ParamName);
    }
}
