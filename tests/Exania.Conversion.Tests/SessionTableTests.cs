using System.Globalization;
using System.Text;
using Exania.Conversion;
using Exania.Events;
using Exania.Testing;

namespace Exania.Conversion.Tests;

/// <summary>The session table (issue #11): hand-computed features and labels, and no look past the prefix.</summary>
public class SessionTableTests
{
    private static readonly SessionTableOptions Options = SessionTableOptions.Default with { ObserveSeconds = 60 };

    /// <summary>Columns: user, session, time, action, page, category, scroll depth, item.</summary>
    private const string Header = "user_id,session_id,timestamp,action,page,category,scroll_depth,item_id\n";

    private static EventLog Log(string rows) => TestData.ReadCsv(Header + rows).Log;

    [Fact]
    public void Features_AreTheHandComputedValues()
    {
        // Session a1 (user u): prefix = events at 1000..1060; the cart at 1070 and the buy at 1090 are after it.
        // Session a0 (user u, earlier) converted at 500, after its 60-second prefix; session b (user v) has no history.
        var log = Log(
            "u,a0,400,view,/p,c1,,i1\n" +
            "u,a0,500,buy,/p,c1,,i1\n" +
            "u,a1,1000,view,/home,c1,0.2,\n" +
            "u,a1,1010,click,/home,c1,0.5,\n" +
            "u,a1,1030,click,/list,c2,,i7\n" +
            "u,a1,1060,view,/list,c2,0.9,i8\n" +
            "u,a1,1070,cart,/list,c2,,i8\n" +
            "u,a1,1090,buy,/list,c2,,i8\n" +
            "v,b,2000,view,/home,,,\n" +
            "v,b,2100,click,/home,,,\n");
        var table = SessionTableBuilder.Build(log, Options);
        Assert.Equal(3, table.Rows);
        var a1 = IndexOf(table, "a1");
        Assert.Equal(4, table.Value(a1, "prefix_events"));
        Assert.Equal(60, table.Value(a1, "prefix_seconds"));
        Assert.Equal(2, table.Value(a1, "clicks"));
        Assert.Equal(10, table.Value(a1, "seconds_to_first_click"));
        Assert.Equal(20, table.Value(a1, "click_gap_mean"));
        Assert.Equal(2, table.Value(a1, "longest_click_run"));
        // Runs: /home (page, no item) 1000-1030 = 30 s, i7 1030-1060 = 30 s, i8 from 1060 to the prefix end 1060 = 0 s.
        Assert.Equal(20, table.Value(a1, "page_dwell_mean"));
        Assert.Equal(30, table.Value(a1, "page_dwell_max"));
        Assert.Equal(2, table.Value(a1, "distinct_pages"));
        Assert.Equal(2, table.Value(a1, "distinct_items"));
        Assert.Equal(2, table.Value(a1, "distinct_categories"));
        Assert.Equal(2, table.Value(a1, "distinct_actions"));
        Assert.Equal(0.9, table.Value(a1, "max_scroll_depth"));
        Assert.Equal(0, table.Value(a1, "start_hour")); // 1970-01-01 00:16 UTC, a Thursday
        Assert.Equal(3, table.Value(a1, "start_weekday"));
        Assert.Equal(1, table.Value(a1, "previous_sessions"));
        Assert.Equal(1, table.Value(a1, "previous_conversions"));
        Assert.Equal(500 / 86_400.0, table.Value(a1, "days_since_previous"), 12);
        Assert.Equal(1, table.Value(a1, "previous_sessions_per_day")); // one session over less than a day: per one day
        Assert.Equal(2, table.Value(a1, "count_view"));
        Assert.Equal(2, table.Value(a1, "count_click"));
        Assert.Equal(0, table.Value(a1, "count_cart"));
        Assert.DoesNotContain("count_buy", table.FeatureNames);
        Assert.Equal((byte)1, table.Clicked[a1]);
        Assert.Equal((byte)1, table.Conversion[a1]);
        Assert.Equal((byte)0, table.Dropoff[a1]);

        var b = IndexOf(table, "b");
        Assert.Equal(1, table.Value(b, "prefix_events"));
        Assert.Equal(0, table.Value(b, "clicks"));
        Assert.Equal(60, table.Value(b, "seconds_to_first_click")); // censored at the prefix length
        Assert.Equal(-1, table.Value(b, "days_since_previous"));
        Assert.Equal((byte)1, table.Clicked[b]); // the click at 2100 is after the prefix: a label, not a feature
        Assert.Equal((byte)0, table.Conversion[b]);
        Assert.Equal((byte)1, table.Dropoff[b]);

        Assert.Equal(new SessionTableReport
        {
            Sessions = 3,
            Rows = 3,
            ConvertedInPrefix = 0,
            Conversions = 2,
            Clicked = 2,
            Dropoffs = 1,
            PrefixEnd = PrefixEnd.Duration,
            ObserveSeconds = 60,
            ConversionActions = Options.ConversionActions,
            ClickActions = Options.ClickActions,
            Features = table.Width,
        }, table.Report);
        Assert.Equal(50.0, table.Report.DropoffPercent);
    }

    [Fact]
    public void SessionConvertingInsideItsPrefix_IsSetAsideAndCounted()
    {
        var log = Log("u,a,0,view,/p,,,\nu,a,30,buy,/p,,,\nv,b,0,view,/p,,,\nv,b,100,buy,/p,,,\n");
        var table = SessionTableBuilder.Build(log, Options);
        Assert.Equal(["b"], table.SessionIds);
        Assert.Equal(1, table.Report.ConvertedInPrefix);
        Assert.Equal(1, table.Report.Conversions);
    }

    [Fact]
    public void FirstClickPrefix_EndsAtTheFirstClickLikeEvent()
    {
        var log = Log("u,a,0,view,/p,,,\nu,a,5,view,/q,,,\nu,a,9,cart,/q,,,\nu,a,500,purchase,/q,,,\nv,b,0,view,/p,,,\n");
        var table = SessionTableBuilder.Build(log, Options with { PrefixEnd = PrefixEnd.FirstClick });
        var a = IndexOf(table, "a");
        Assert.Equal(3, table.Value(a, "prefix_events"));
        Assert.Equal(9, table.Value(a, "seconds_to_first_click"));
        Assert.Equal((byte)1, table.Conversion[a]);
        var b = IndexOf(table, "b");
        Assert.Equal(1, table.Value(b, "prefix_events")); // no click: the prefix is the whole session
    }

    [Fact]
    public void NoConversionEvent_IsAClearError()
    {
        var log = Log("u,a,0,pv,/p,,,\nu,a,5,cart,/p,,,\n");
        var error = Assert.Throws<ArgumentException>(() => SessionTableBuilder.Build(log, Options));
        Assert.Contains("none of buy, purchase, transaction occurs", error.Message, StringComparison.Ordinal);
        Assert.Contains("pv, cart", error.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(SessionTableOptions.ConversionActions), error.ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    public void BadPrefixLength_IsRefusedNamingTheField(double seconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => (Options with { ObserveSeconds = seconds }).Validate());
        Assert.Equal(nameof(SessionTableOptions.ObserveSeconds), error.ParamName);
    }

    [Fact]
    public void ActionInBothLists_IsRefused() =>
        Assert.Throws<ArgumentException>(() => (Options with { ClickActions = ["cart", "buy"] }).Validate());

    [Theory]
    [InlineData(PrefixEnd.Duration)]
    [InlineData(PrefixEnd.FirstClick)]
    public void NoFeature_UsesAnEventAfterThePrefixOrALaterSession(PrefixEnd end)
    {
        // For each session, a log of only what may be known at its prefix's end: its own prefix, and the other
        // sessions' events before its first event. Its features there must be the features in the full table.
        var options = Options with { PrefixEnd = end, ObserveSeconds = 120 };
        var random = new Random(11);
        var full = RandomLog(random);
        var table = SessionTableBuilder.Build(full, options);
        var index = SessionIndex.Build(full);
        var checkedSessions = 0;
        for (var s = 0; s < index.SessionCount; s += 7)
        {
            var session = full.Sessions[index.SessionIds[s]];
            var row = Array.IndexOf([.. table.SessionIds], session);
            if (row < 0) continue; // set aside (converted inside its prefix)
            var rows = index.Rows(s);
            var t0 = full.Timestamps[rows[0]];
            var prefix = (int)table.Value(row, "prefix_events");
            var known = new EventLog();
            known.Append(new InteractionEvent("zz-anchor", "zz-anchor", -1e6, "buy")); // keeps a conversion in the log
            for (var i = 0; i < full.Count; i++)
            {
                var e = full[i];
                var own = e.SessionId == session;
                if (own ? rows[..prefix].Contains(i) : e.Timestamp < t0)
                    known.Append(e);
            }
            var restricted = SessionTableBuilder.Build(known, options);
            var r = Array.IndexOf([.. restricted.SessionIds], session);
            Assert.True(r >= 0);
            foreach (var name in table.FeatureNames)
            {
                var expected = table.Value(row, name);
                var actual = restricted.FeatureNames.Contains(name) ? restricted.Value(r, name) : 0.0;
                Assert.True(expected.Equals(actual), $"session {session}: {name} is {expected} with the whole log, {actual} with what was known");
            }
            checkedSessions++;
        }
        Assert.True(checkedSessions > 20);
    }

    [Fact]
    public void Csv_HoldsTheTableAndReadsBackExactly()
    {
        var table = SessionTableBuilder.Build(RandomLog(new Random(3)), Options);
        using var bytes = new MemoryStream();
        SessionCsv.Write(table, bytes);
        var lines = Encoding.UTF8.GetString(bytes.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(table.Rows + 1, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal(["session_id", "user_id", .. table.FeatureNames, "clicked", "conversion", "dropoff"], header);
        for (var r = 0; r < table.Rows; r++)
        {
            var cells = lines[r + 1].Split(',');
            Assert.Equal(table.SessionIds[r], cells[0]);
            for (var f = 0; f < table.Width; f++)
                Assert.Equal(table.Row(r)[f], double.Parse(cells[2 + f], CultureInfo.InvariantCulture));
            Assert.Equal(table.Dropoff[r].ToString(CultureInfo.InvariantCulture), cells[^1]);
        }
    }

    /// <summary>30 users, 250 sessions at random times over ten days, actions view/click/cart/buy, pages and items.</summary>
    private static EventLog RandomLog(Random random)
    {
        var text = new StringBuilder();
        string[] actions = ["view", "view", "view", "click", "cart", "buy"];
        for (var s = 0; s < 250; s++)
        {
            var user = $"u{random.Next(30)}";
            var t = random.NextDouble() * 10 * 86_400;
            for (var e = random.Next(1, 12); e > 0; e--)
            {
                t += random.Next(1, 90) + random.NextDouble();
                var item = random.Next(3) == 0 ? "" : $"i{random.Next(20)}";
                var depth = random.Next(2) == 0 ? "" : random.NextDouble().ToString("0.##", CultureInfo.InvariantCulture);
                text.Append(CultureInfo.InvariantCulture,
                    $"{user},s{s},{t:R},{actions[random.Next(actions.Length)]},/p{random.Next(6)},c{random.Next(4)},{depth},{item}\n");
            }
        }
        return Log(text.ToString());
    }

    private static int IndexOf(SessionTable table, string session) => Array.IndexOf([.. table.SessionIds], session);
}
