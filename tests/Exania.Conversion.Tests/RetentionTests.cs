using System.Globalization;
using DuckDB.NET.Data;
using Exania.Conversion;
using Exania.Events;
using Exania.Testing;

namespace Exania.Conversion.Tests;

/// <summary>Retention (issue #11) against hand-computed cohorts and hand-written DuckDB SQL on the Taobao sample.</summary>
public class RetentionTests
{
    private const double Day = 86_400;

    private static EventLog Log(string rows) => TestData.ReadCsv("user_id,session_id,timestamp,action\n" + rows).Log;

    private static string At(double days) => (days * Day).ToString("R", CultureInfo.InvariantCulture);

    [Fact]
    public void OnAndOnOrAfter_CountTheHandComputedUsers()
    {
        // Cohort of day 0: u1 returns on days 0 and 2, u2 on day 1, u3 never. Cohort of day 1: u4 returns on day 3.
        var log = Log(
            $"u1,a,{At(0.1)},view\nu1,a,{At(0.5)},view\nu1,b,{At(2.2)},buy\n" +
            $"u2,c,{At(0.3)},view\nu2,d,{At(1.9)},view\n" +
            $"u3,e,{At(0.9)},view\n" +
            $"u4,f,{At(1.2)},view\nu4,g,{At(3.5)},view\n" +
            $"u5,h,{At(9.0)},hover\n");
        var on = Retention.Compute(log, new RetentionOptions { StartAction = "view", Periods = 3, AsOf = 10 * Day });
        Assert.Equal(2, on.Cohorts.Count);
        Assert.Equal((0.0, 3L), (on.Cohorts[0].Start, on.Cohorts[0].Users));
        Assert.Equal([1L, 1L, 1L, 0L], on.Cohorts[0].Retained);
        Assert.Equal([0L, 0L, 1L, 0L], on.Cohorts[1].Retained);
        Assert.Equal(0.5, on.Rate[2]); // period 2: u1 (cohort of day 0) and u4 (cohort of day 1), of 4 users
        var after = Retention.Compute(log, new RetentionOptions { StartAction = "view", Periods = 3, Mode = RetentionMode.OnOrAfter, AsOf = 10 * Day });
        Assert.Equal([2L, 2L, 1L, 0L], after.Cohorts[0].Retained);
        var buys = Retention.Compute(log, new RetentionOptions { StartAction = "view", ReturnAction = "buy", Periods = 3, AsOf = 10 * Day });
        Assert.Equal([0L, 0L, 1L, 0L], buys.Cohorts[0].Retained);
    }

    [Fact]
    public void PeriodsNotEndedByTheAsOfTime_StayOutOfTheTotals()
    {
        var log = Log($"u1,a,{At(0.1)},view\nu1,a,{At(1.5)},view\nu2,b,{At(1.1)},view\nu2,b,{At(1.2)},view\n");
        var report = Retention.Compute(log, new RetentionOptions { Periods = 2, AsOf = 2 * Day });
        Assert.Equal([true, true, false], report.Cohorts[0].Ended);
        Assert.Equal([true, false, false], report.Cohorts[1].Ended);
        Assert.Equal(1.0, report.Rate[1]); // only the day-0 cohort's day 1 has ended: u1 came back
        Assert.True(double.IsNaN(report.Rate[2]));
    }

    [Fact]
    public void Weeks_StartOnMonday()
    {
        // 1970-01-05 was a Monday: an event on Sunday the 4th and one on Monday the 5th are in consecutive weeks.
        var log = Log($"u1,a,{At(3.5)},view\nu1,a,{At(4.5)},view\n");
        var report = Retention.Compute(log, new RetentionOptions { Period = RetentionPeriod.Week, Periods = 1, AsOf = 30 * Day });
        Assert.Equal(-3 * Day, report.Cohorts[0].Start);
        Assert.Equal([0L, 1L], report.Cohorts[0].Retained);
    }

    [Fact]
    public void UnknownAction_IsAClearError()
    {
        var log = Log($"u1,a,{At(0)},view\n");
        var error = Assert.Throws<ArgumentException>(() => Retention.Compute(log, new RetentionOptions { ReturnAction = "buy" }));
        Assert.Contains("'buy' is not an action of any event; the actions are view", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Retention.Compute(log, new RetentionOptions { Periods = -1 }));
    }

    [Theory]
    [InlineData(RetentionMode.On)]
    [InlineData(RetentionMode.OnOrAfter)]
    public void Taobao_DailyCohorts_EqualDuckDbSql(RetentionMode mode)
    {
        var path = TestData.Path("taobao_head3000.csv");
        var log = new EventLog();
        EventReader.Load(path, log, new EventReaderOptions { HasHeader = false, ColumnNames = ["user_id", "item_id", "category", "action", "timestamp"] });
        var report = Retention.Compute(log, new RetentionOptions { StartAction = "pv", Periods = 8, Mode = mode });

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        var returned = mode == RetentionMode.On ? "r.k = p.k" : "r.k >= p.k";
        command.CommandText = $"""
            CREATE TABLE e AS SELECT column0 AS unit, column4::DOUBLE AS ts, column3 AS action FROM read_csv('{path}', header = false, all_varchar = true);
            CREATE TABLE c AS SELECT unit, min(ts) AS t0, floor(min(ts) / 86400) AS d0 FROM e WHERE action = 'pv' GROUP BY unit;
            CREATE TABLE r AS SELECT DISTINCT c.unit, c.d0, floor(e.ts / 86400) - c.d0 AS k FROM c JOIN e ON e.unit = c.unit AND e.ts > c.t0;
            SELECT c.d0, p.k, count(DISTINCT r.unit) FROM c CROSS JOIN range(0, 9) p(k)
              LEFT JOIN r ON r.unit = c.unit AND {returned}
            GROUP BY c.d0, p.k ORDER BY c.d0, p.k;
            """;
        using var reader = command.ExecuteReader();
        var expected = new Dictionary<(double, long), long>();
        while (reader.Read())
            expected[(reader.GetDouble(0), reader.GetInt64(1))] = reader.GetInt64(2);
        var compared = 0;
        foreach (var cohort in report.Cohorts)
            for (var k = 0; k < cohort.Retained.Count; k++, compared++)
                Assert.Equal(expected[(cohort.Start / Day, k)], cohort.Retained[k]);
        Assert.Equal(expected.Count, compared);
        Assert.Contains(report.Cohorts, c => c.Retained.Skip(1).Any(n => n > 0));
    }
}
