using System.Text;
using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

public class EventReaderTests
{
    [Fact]
    public void ReadCsv_CanonicalColumns_KeepsEveryField()
    {
        var (log, summary, _) = TestData.ReadCsv(TestData.Header +
            "u1,s1,100.5,scroll_down,/a,news,0.25,,,,,\n" +
            "u1,s1,101,click_ad,/a,news,,c7,banner,top,0.4,1.5\n");
        Assert.Equal(2, log.Count);
        Assert.Equal(2, summary.Accepted);
        Assert.Equal(0, summary.Rejected);
        var e = log[1];
        Assert.Equal(("u1", "s1", 101.0, "click_ad"), (e.UserId, e.SessionId, e.Timestamp, e.Action));
        Assert.Equal(("c7", "banner", "top", 0.4, 1.5), (e.CampaignId, e.AdType, e.Placement, e.Cost, e.Revenue));
        Assert.Equal(0.25, log[0].ScrollDepth);
        Assert.True(double.IsNaN(e.ScrollDepth));
        Assert.Equal("/a", e.Page);
    }

    [Fact]
    public void ReadCsv_ExtraColumnsAndAnyOrder_AreAccepted()
    {
        var (log, summary, _) = TestData.ReadCsv("browser,action,timestamp,user_id\nfirefox,click,5,u9\n");
        Assert.Equal(1, summary.Accepted);
        Assert.Equal(("u9", "click", 5.0), (log[0].UserId, log[0].Action, log[0].Timestamp));
    }

    [Fact]
    public void ReadCsv_ColumnMap_RenamesSourceColumns()
    {
        var options = TestData.RelativeTimes with
        {
            ColumnMap = EventReaderOptions.ParseColumnMap("timestamp=event_time, action=behavior_type,user_id=uid"),
        };
        var (log, _, _) = TestData.ReadCsv("uid,event_time,behavior_type\nu1,2026-01-05T10:00:00Z,hover\n", options);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), log[0].Timestamp);
        Assert.Equal("hover", log[0].Action);
    }

    [Fact]
    public void ParseColumnMap_UnknownField_ThrowsNamingIt()
    {
        var ex = Assert.Throws<FormatException>(() => EventReaderOptions.ParseColumnMap("when=event_time"));
        Assert.Contains("'when' is not an event field", ex.Message);
        Assert.Throws<FormatException>(() => EventReaderOptions.ParseColumnMap("timestamp"));
    }

    [Fact]
    public void ReadCsv_MappedColumnMissing_ThrowsNamingColumns()
    {
        var options = TestData.RelativeTimes with { ColumnMap = EventReaderOptions.ParseColumnMap("timestamp=ts") };
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadCsv("user_id,time,action\nu,1,click\n", options));
        Assert.Contains("column 'ts'", ex.Message);
        Assert.Contains("user_id, time, action", ex.Message);
    }

    [Theory]
    [InlineData("1767607200", TimestampFormat.Auto)]
    [InlineData("1767607200000", TimestampFormat.Auto)]
    [InlineData("1767607200000", TimestampFormat.EpochMilliseconds)]
    [InlineData("1767607200", TimestampFormat.EpochSeconds)]
    [InlineData("2026-01-05T10:00:00Z", TimestampFormat.Auto)]
    [InlineData("2026-01-05T11:00:00+01:00", TimestampFormat.Iso8601)]
    [InlineData("2026-01-05 10:00:00", TimestampFormat.Auto)]
    public void TimestampParser_EveryFormat_GivesEpochSeconds(string text, TimestampFormat format)
    {
        Assert.True(TimestampParser.TryParse(text, format, out var seconds));
        Assert.Equal(1767607200.0, seconds, 6);
    }

    [Theory]
    [InlineData("NaN", TimestampFormat.Auto)]
    [InlineData("Infinity", TimestampFormat.Auto)]
    [InlineData("yesterday", TimestampFormat.Auto)]
    [InlineData("2026-01-05T10:00:00Z", TimestampFormat.EpochSeconds)]
    [InlineData("1767607200", TimestampFormat.Iso8601)]
    public void TimestampParser_Invalid_IsRejected(string text, TimestampFormat format) =>
        Assert.False(TimestampParser.TryParse(text, format, out _));

    public static TheoryData<string, string, string> MalformedRows => new()
    {
        { ",,1,click,,,,,,,,", "missing_field", "user_id is missing" },
        { "u1,s1,,click,,,,,,,,", "missing_field", "timestamp is missing" },
        { "u1,s1,abc,click,,,,,,,,", "bad_timestamp", "timestamp 'abc' is not" },
        { "u1,s1,NaN,click,,,,,,,,", "bad_timestamp", "timestamp 'NaN'" },
        { "u1,s1,1,,,,,,,,,", "missing_field", "action is missing" },
        { "u1,s1,1,click,,,1.5,,,,,", "out_of_range", "scroll_depth 1.5 is outside 0..1" },
        { "u1,s1,1,click,,,-0.1,,,,,", "out_of_range", "scroll_depth -0.1" },
        { "u1,s1,1,click,,,NaN,,,,,", "not_finite", "scroll_depth is NaN" },
        { "u1,s1,1,click,,,deep,,,,,", "wrong_type", "scroll_depth 'deep' is not a number" },
        { "u1,s1,1,click_ad,,,,c,b,t,cheap,,", "wrong_field_count", "expected 12 fields, found 13" },
        { "u1,s1,1,click_ad,,,,c,b,t,cheap,", "wrong_type", "cost 'cheap' is not a number" },
        { "u1,s1,1,click_ad,,,,c,b,t,-1,", "out_of_range", "cost is negative" },
        { "u1,s1,1,click", "wrong_field_count", "expected 12 fields, found 4" },
        { "u1,s1,1,\"click", "malformed", "a quoted field opened on line 3 is not closed before the end of the file; reading resumes on line 4" },
    };

    [Theory]
    [MemberData(nameof(MalformedRows))]
    public void ReadCsv_MalformedRow_FailPolicy_NamesFileLineAndReason(string row, string kind, string reason)
    {
        _ = kind;
        var text = TestData.Header + "u0,s0,0,click,,,,,,,,\n" + row + "\n";
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadCsv(text));
        Assert.Equal("test.csv", ex.File);
        Assert.Equal(3, ex.Line);
        Assert.Contains(reason, ex.Reason);
        Assert.StartsWith("test.csv:3: ", ex.Message);
    }

    [Theory]
    [MemberData(nameof(MalformedRows))]
    public void ReadCsv_MalformedRow_SkipPolicy_CountsAndKeepsTheRest(string row, string kind, string reason)
    {
        var text = TestData.Header + "u0,s0,0,click,,,,,,,,\n" + row + "\nu0,s0,2,hover,,,,,,,,\n";
        var options = TestData.RelativeTimes with { OnBadRow = BadRowPolicy.Skip };
        var (log, summary, rejects) = TestData.ReadCsv(text, options);
        // An unclosed quote no longer swallows the row after it: reading resumes on the next line.
        Assert.Equal(3, summary.RowsRead);
        Assert.Equal(summary.RowsRead, summary.Accepted + summary.Rejected);
        Assert.Equal(1, summary.Rejected);
        Assert.Equal(1, summary.RejectedByKind[kind]);
        Assert.Equal(log.Count, summary.Accepted);
        var reject = Assert.Single(rejects.Rows);
        Assert.Equal(3, reject.Line);
        Assert.Contains(reason, reject.Reason);
        Assert.False(string.IsNullOrEmpty(reject.Raw));
    }

    [Fact]
    public void ReadCsv_EmptyFile_ThrowsClearError()
    {
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadCsv(""));
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void ReadCsv_HeaderOnly_ReadsNothing()
    {
        var (log, summary, _) = TestData.ReadCsv(TestData.Header);
        Assert.Equal(0, log.Count);
        Assert.Equal(0, summary.RowsRead);
    }

    [Fact]
    public void ReadCsv_MissingRequiredColumn_Throws()
    {
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadCsv("user_id,action\nu,click\n"));
        Assert.Contains("required column timestamp", ex.Message);
    }

    [Fact]
    public void ReadCsv_UnknownAction_KeptAndCountedByDefault()
    {
        var (log, summary, _) = TestData.ReadCsv(TestData.Header + "u,s,1,pv,,,,,,,,\nu,s,2,pv,,,,,,,,\nu,s,3,click,,,,,,,,\n");
        Assert.Equal(3, log.Count);
        Assert.Equal(2, summary.UnknownActions["pv"]);
        Assert.Equal(KnownActions.Count, log.ActionCodes[0]);
        Assert.Equal(KnownActions.Click, log.ActionCodes[2]);
    }

    [Fact]
    public void ReadCsv_UnknownAction_RejectPolicy_RejectsRow()
    {
        var options = TestData.RelativeTimes with { UnknownActions = UnknownActionPolicy.Reject, OnBadRow = BadRowPolicy.Skip };
        var (log, summary, rejects) = TestData.ReadCsv(TestData.Header + "u,s,1,teleport,,,,,,,,\nu,s,2,click,,,,,,,,\n", options);
        Assert.Equal(1, log.Count);
        Assert.Equal(1, summary.RejectedByKind["unknown_action"]);
        Assert.Contains("'teleport' is not one of", rejects.Rows[0].Reason);
        Assert.Equal(-1, log.Actions.IndexOf("teleport"));
    }

    [Fact]
    public void ReadCsv_QuotedFields_HoldDelimitersQuotesAndNewlines()
    {
        var (log, _, _) = TestData.ReadCsv("user_id,timestamp,action,page\n\"u,1\",1,click,\"/a \"\"b\"\"\nc\"\nu2,2,hover,/x\n");
        Assert.Equal("u,1", log[0].UserId);
        Assert.Equal("/a \"b\"\nc", log[0].Page);
        Assert.Equal("u2", log[1].UserId);
    }

    [Fact]
    public void ReadCsv_LineNumbers_CountQuotedNewlinesAndCrLf()
    {
        var text = "user_id,timestamp,action,page\r\nu,1,click,\"two\nlines\"\r\nu,x,click,p\r\n";
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadCsv(text));
        Assert.Equal(4, ex.Line);
    }

    [Fact]
    public void ReadCsv_NoHeaderWithColumnNames_ReadsTaobaoLayout()
    {
        var options = TestData.RelativeTimes with
        {
            HasHeader = false,
            ColumnNames = ["user_id", "item_id", "category", "action", "timestamp"],
        };
        var log = new EventLog();
        var summary = EventReader.Load(TestData.Path("taobao_head3000.csv"), log, options);
        Assert.Equal(3000, summary.Accepted);
        Assert.Equal(3000, summary.SessionizedRows);
        Assert.Contains("pv", summary.UnknownActions.Keys);
        Assert.True(log.Sessions.Count > log.Users.Count, "30-minute gaps split users' days into several sessions");
        Assert.False(log.HasMissingSessions);
        Assert.True(log.Categories.Count > 100);
    }

    [Fact]
    public void ReadJsonLines_SameEventsAsCsv()
    {
        var jsonl = "{\"user_id\":\"u1\",\"session_id\":\"s1\",\"timestamp\":100.5,\"action\":\"scroll_down\",\"scroll_depth\":0.25,\"extra\":{\"a\":[1]}}\n" +
                    "\n" +
                    "{\"user_id\":7,\"timestamp\":\"2026-01-05T10:00:00Z\",\"action\":\"click_ad\",\"cost\":0.4,\"campaign_id\":null}\n";
        var log = new EventLog();
        var summary = EventReader.ReadJsonLines(new MemoryStream(Encoding.UTF8.GetBytes(jsonl)), "t.jsonl", log, TestData.RelativeTimes);
        Assert.Equal(2, summary.Accepted);
        Assert.Equal(("u1", "s1", 100.5, 0.25), (log[0].UserId, log[0].SessionId, log[0].Timestamp, log[0].ScrollDepth));
        Assert.Equal(("7", (string?)null, 0.4, (string?)null), (log[1].UserId, log[1].SessionId, log[1].Cost, log[1].CampaignId));
    }

    [Fact]
    public void ReadJsonLines_BadLines_NameLineAndReason()
    {
        var jsonl = "{\"user_id\":\"u\",\"timestamp\":1,\"action\":\"click\"}\n" +
                    "{\"user_id\":\"u\",\"timestamp\":1,\"action\":\n" +
                    "[1,2]\n" +
                    "{\"user_id\":\"u\",\"timestamp\":[1],\"action\":\"click\"}\n" +
                    "{\"user_id\":\"u\",\"timestamp\":1,\"action\":\"click\",\"scroll_depth\":3}\n";
        var log = new EventLog();
        var rejects = new RejectList();
        var options = TestData.RelativeTimes with { OnBadRow = BadRowPolicy.Skip };
        var summary = EventReader.ReadJsonLines(new MemoryStream(Encoding.UTF8.GetBytes(jsonl)), "t.jsonl", log, options, rejects);
        Assert.Equal(5, summary.RowsRead);
        Assert.Equal(1, summary.Accepted);
        Assert.Equal([2L, 3L, 4L, 5L], rejects.Rows.Select(r => r.Line));
        Assert.Equal(2, summary.RejectedByKind["malformed"]);
        Assert.Equal(1, summary.RejectedByKind["wrong_type"]);
        Assert.Equal(1, summary.RejectedByKind["out_of_range"]);
        var failing = Assert.Throws<DataFormatException>(() =>
            EventReader.ReadJsonLines(new MemoryStream(Encoding.UTF8.GetBytes(jsonl)), "t.jsonl", new EventLog(), TestData.RelativeTimes));
        Assert.Equal(2, failing.Line);
    }

    [Fact]
    public void ReadJsonLines_EmptyFile_Throws() =>
        Assert.Throws<DataFormatException>(() => EventReader.ReadJsonLines(new MemoryStream(), "e.jsonl", new EventLog(), TestData.RelativeTimes));

    [Fact]
    public void RejectFileWriter_WritesOnlyWhenRejects()
    {
        using var dir = new TestData.TempDir();
        using (var none = new RejectFileWriter(dir.File("none.csv"))) { }
        Assert.False(File.Exists(dir.File("none.csv")));
        using (var writer = new RejectFileWriter(dir.File("r.csv")))
            writer.Reject(new RejectedRow("in.csv", 12, "timestamp 'x' is bad", "u,\"a,b\",x"));
        var lines = File.ReadAllLines(dir.File("r.csv"));
        Assert.Equal(["file,line,reason,raw", "in.csv,12,timestamp 'x' is bad,\"u,\"\"a,b\"\",x\""], lines);
    }

    [Fact]
    public void EventCsvWriter_RoundTripsThroughTheReader()
    {
        var (log, _, _) = TestData.ReadCsv(TestData.Header +
            "u1,s1,100.123,scroll_down,\"/a,b\",news,0.25,,,,,\nu1,s1,101,click_ad,/a,news,,c7,banner,top,0.4,1.5\n");
        var writer = new StringWriter();
        EventCsvWriter.Write(log, writer);
        var (again, _, _) = TestData.ReadCsv(writer.ToString());
        Assert.Equal(Enumerable.Range(0, log.Count).Select(i => log[i]), Enumerable.Range(0, again.Count).Select(i => again[i]));
    }

    [Fact]
    public void ItemId_IsReadFromItsCanonicalColumn_OrAMappedOne_AndWrittenBack()
    {
        // Taobao's own header names the column item_id, so it needs no map; OTTO's aid is mapped.
        var (log, _, _) = TestData.ReadCsv("user_id,item_id,category,action,timestamp\n1,2268318,2520377,pv,1511544070\n1,,2520377,pv,1511544071\n");
        Assert.Equal("2268318", log[0].ItemId);
        Assert.Null(log[1].ItemId);
        var writer = new StringWriter();
        EventCsvWriter.Write(log, writer);
        var lines = writer.ToString().Split('\n');
        Assert.EndsWith(",item_id", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(",2268318", lines[1], StringComparison.Ordinal);
        var (again, _, _) = TestData.ReadCsv(writer.ToString());
        Assert.Equal(log[0], again[0]);

        var mapped = new EventLog();
        EventReader.ReadJsonLines(new MemoryStream("{\"session\": 3, \"ts\": 1659304800025, \"type\": \"clicks\", \"aid\": 1517085}\n"u8.ToArray()), "x.jsonl", mapped,
            TestData.RelativeTimes with { ColumnMap = EventReaderOptions.ParseColumnMap("session_id=session,user_id=session,timestamp=ts,action=type,item_id=aid") });
        Assert.Equal("1517085", mapped[0].ItemId);
    }
}
