using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

/// <summary>The compile-time metadata writes the load report exactly as the run-time serializer does (the reference).</summary>
public class EventsJsonContextTests
{
    [Fact]
    public void LoadReport_IsWrittenAsTheReflectionSerializerWritesIt()
    {
        var rows = TestData.Header + "u1,s1,5,click,/a,,,,,,,\nu1,s1,6,wobble,/a,,,,,,,\nu2,s2,x,click,,,,,,,,\n,s3,7,hover,,,0.5,,,,,\n";
        var options = TestData.RelativeTimes with { OnBadRow = BadRowPolicy.Skip };
        var (_, summary, _) = TestData.ReadCsv(rows, options);
        summary.Seconds = double.NaN; // a named literal must survive both ways
        var report = new EventLoadReport { Files = [summary, summary], SessionizedRows = 3, SessionsCreated = 2, RejectsFile = "out.rejects.csv" };
        var expected = ReportJson.ToNode(report).ToJsonString(ReportJson.Options);
        var actual = ReportJson.ToNode(report, EventsJsonContext.Default.EventLoadReport).ToJsonString(ReportJson.Options);
        Assert.Equal(expected, actual);
        Assert.Contains("\"rejected_by_kind\"", actual, StringComparison.Ordinal);
        Assert.Contains("\"wobble\": 2", actual, StringComparison.Ordinal);
        Assert.Contains("\"read_seconds\": \"NaN\"", actual, StringComparison.Ordinal);
        Assert.DoesNotContain("\"files\"", actual, StringComparison.Ordinal);
    }
}
