using System.Globalization;
using DuckDB.NET.Data;
using Exania.Conversion;
using Exania.Events;
using Exania.Testing;

namespace Exania.Conversion.Tests;

/// <summary>Paths (issue #11) against hand-computed cases and hand-written DuckDB SQL over the Taobao and REES46 samples.</summary>
public class PathsTests
{
    private static EventLog Log(string rows) => TestData.ReadCsv("user_id,session_id,timestamp,action,page\n" + rows).Log;

    private static string Key(PathCount p) => string.Join(">", p.Steps);

    [Fact]
    public void Paths_AreTheLastEventsBeforeConversionOrLeaving_WithRepeatsCollapsed()
    {
        var log = Log(
            "u1,a,1,view,/p/1\nu1,a,2,view,/p/2\nu1,a,3,cart,/cart\nu1,a,4,buy,/done\nu1,a,5,view,/p/9\n" + // view>cart, converts
            "u2,b,1,view,/p/3\nu2,b,2,cart,/cart\nu2,b,3,view,/p/4\n" + // view>cart>view, leaves
            "u3,c,1,view,/p/5\nu3,c,2,cart,/cart\nu3,c,3,buy,/done\n" + // view>cart, converts
            "u4,d,1,buy,/done\n"); // converts with no event before: no path
        var report = Paths.Count(log, new PathOptions { Length = 3 });
        Assert.Equal((4L, 3L, 2L, 1L), (report.Units, report.WithPath, report.Converted, report.Abandoned));
        var byKey = report.Top.ToDictionary(Key);
        Assert.Equal((2L, 2L), (byKey["view>cart"].Units, byKey["view>cart"].Conversions));
        Assert.Equal((1L, 0L), (byKey["view>cart>view"].Units, byKey["view>cart>view"].Conversions));
        Assert.Equal("view>cart", Key(report.TopConverting[0]));
        Assert.Equal("view>cart>view", Key(report.TopAbandoning[0]));

        // Length 1 keeps only the last event; without collapsing, u1's two views stay two.
        Assert.Equal(["cart", "view"], Paths.Count(log, new PathOptions { Length = 1 }).Top.Select(Key));
        var raw = Paths.Count(log, new PathOptions { Length = 4, CollapseRepeats = false });
        Assert.Contains("view>view>cart", raw.Top.Select(Key));

        // Pages, ids cleaned: /p/1 and /p/2 become /p/* and collapse into one.
        var pages = Paths.Count(log, new PathOptions { Length = 4, Field = EventField.Page, CleanPatterns = ["[0-9]+"] });
        Assert.Contains("/p/*>/cart", pages.Top.Select(Key));
        Assert.Contains("/p/*>/cart>/p/*", pages.Top.Select(Key));

        // After cart: what follows the first cart, up to the conversion.
        var afterCart = Paths.Count(log, new PathOptions { Length = 3, AfterAction = "cart" });
        Assert.Equal(3, afterCart.WithPath);
        Assert.Equal(["cart", "cart>view"], afterCart.Top.Select(Key).Order(StringComparer.Ordinal));
        Assert.Equal((2L, 2L), (afterCart.Top.Single(p => Key(p) == "cart").Units, afterCart.Top.Single(p => Key(p) == "cart").Conversions));
    }

    [Fact]
    public void Paths_BadInput_GetsAClearMessage()
    {
        var log = Log("u1,a,1,view,/a\nu1,a,2,cart,/a\n");
        Assert.Contains("No event is a conversion", Assert.Throws<ArgumentException>(() => Paths.Count(log)).Message);
        Assert.Contains("view, cart", Assert.Throws<ArgumentException>(() => Paths.Count(log)).Message);
        var withBuy = Log("u1,a,1,view,/a\nu1,a,2,buy,/a\n");
        Assert.Contains("'checkout' is not an action", Assert.Throws<ArgumentException>(() => Paths.Count(withBuy, new PathOptions { AfterAction = "checkout" })).Message);
        Assert.Contains("not a valid regular expression", Assert.Throws<ArgumentException>(() => Paths.Count(withBuy, new PathOptions { CleanPatterns = ["(["] })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Paths.Count(withBuy, new PathOptions { Length = 0 }));
        // A user with one event has a one-event path.
        Assert.Equal(["view"], Paths.Count(Log("u1,a,1,view,/a\nu2,b,1,view,/a\nu2,b,2,buy,/a\n")).Top.Select(Key).Distinct());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Taobao_UserPaths_EqualDuckDbSql(int length)
    {
        var path = TestData.Path("taobao_head3000.csv");
        var log = new EventLog();
        EventReader.Load(path, log, new EventReaderOptions { HasHeader = false, ColumnNames = ["user_id", "item_id", "category", "action", "timestamp"] });
        var report = Paths.Count(log, new PathOptions { Length = length, CountBy = FunnelUnit.User, Top = 10_000 });
        var sql = SqlPaths(
            $"SELECT column0 AS unit, column4::DOUBLE AS ts, column3 AS action, row_number() OVER () AS rn FROM read_csv('{path}', header = false, all_varchar = true)",
            "buy", length);
        Assert.Equal(sql.Count, report.DistinctPaths);
        Assert.Equal(sql.OrderBy(p => p.Key, StringComparer.Ordinal), report.Top.Select(p => KeyValuePair.Create(Key(p), (p.Units, p.Conversions))).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.True(report.Converted > 0);
    }

    [Fact]
    public void Rees46_SessionPaths_EqualDuckDbSql()
    {
        var path = TestData.Path("rees46_head6000.csv");
        var log = new EventLog();
        EventReader.Load(path, log, new EventReaderOptions
        {
            ColumnMap = EventReaderOptions.ParseColumnMap("timestamp=event_time,action=event_type,item_id=product_id,category=category_id,session_id=user_session"),
        });
        var report = Paths.Count(log, new PathOptions { Length = 4, Top = 10_000, ConversionActions = ["purchase"] });
        var sql = SqlPaths(
            $"SELECT user_session AS unit, epoch(strptime(event_time, '%Y-%m-%d %H:%M:%S UTC')) AS ts, event_type AS action, row_number() OVER () AS rn " +
            $"FROM read_csv('{path}', header = true, all_varchar = true)",
            "purchase", 4);
        Assert.Equal(sql.OrderBy(p => p.Key, StringComparer.Ordinal), report.Top.Select(p => KeyValuePair.Create(Key(p), (p.Units, p.Conversions))).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.True(report.Converted > 0);
    }

    /// <summary>
    /// Hand-written SQL for the definition: per unit, the events before its first conversion (time, then file row),
    /// consecutive repeats dropped, the last k kept; paths counted with their converting units.
    /// </summary>
    private static Dictionary<string, (long Units, long Conversions)> SqlPaths(string events, string conversion, int length)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SET threads = 1;
            CREATE TABLE e AS SELECT *, row_number() OVER (PARTITION BY unit ORDER BY ts, rn) AS pos FROM ({events});
            WITH conv AS (SELECT unit, min(pos) AS first FROM e WHERE action = '{conversion}' GROUP BY unit),
            before AS (SELECT e.* FROM e LEFT JOIN conv USING (unit) WHERE conv.first IS NULL OR e.pos < conv.first),
            marked AS (SELECT *, lag(action) OVER (PARTITION BY unit ORDER BY pos) AS previous FROM before),
            kept AS (SELECT * FROM marked WHERE previous IS NULL OR previous <> action),
            ranked AS (SELECT *, row_number() OVER (PARTITION BY unit ORDER BY pos DESC) AS back FROM kept),
            paths AS (SELECT unit, string_agg(action, '>' ORDER BY pos) AS path FROM ranked WHERE back <= {length.ToString(CultureInfo.InvariantCulture)} GROUP BY unit)
            SELECT path, count(*), count(conv.first) FROM paths LEFT JOIN conv USING (unit) GROUP BY path;
            """;
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        while (reader.Read())
            result[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        return result;
    }
}
