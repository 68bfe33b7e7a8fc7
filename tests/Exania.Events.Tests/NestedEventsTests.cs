using System.Text;
using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

/// <summary>JSON Lines whose lines each hold an array of events (<see cref="EventReaderOptions.NestedEvents"/>).</summary>
public class NestedEventsTests
{
    private const string OttoMap = "session_id=session,user_id=session,timestamp=ts,action=type,page=aid";

    private static readonly EventReaderOptions s_otto = new()
    {
        NestedEvents = "events",
        ColumnMap = EventReaderOptions.ParseColumnMap(OttoMap),
    };

    private static (EventLog Log, EventReadSummary Summary, RejectList Rejects) Read(string jsonl, EventReaderOptions options)
    {
        var log = new EventLog();
        var rejects = new RejectList();
        var summary = EventReader.ReadJsonLines(new MemoryStream(Encoding.UTF8.GetBytes(jsonl)), "t.jsonl", log, options, rejects);
        return (log, summary, rejects);
    }

    [Fact]
    public void Otto_ReadsEveryEventOfEverySession()
    {
        var log = new EventLog();
        var summary = EventReader.Read(TestData.Path("otto_train.jsonl"), log, s_otto);

        // The sample's facts from its SOURCE.md: 20 sessions, 862 events, clicks 800 / carts 52 / orders 10.
        Assert.Equal((862L, 862L, 0L), (summary.RowsRead, summary.Accepted, summary.Rejected));
        Assert.Equal((20L, 0L), (summary.NestedLines, summary.EmptyEventArrays));
        Assert.Equal(862, log.Count);
        Assert.Equal(20, log.Sessions.Count);
        Assert.Equal(20, log.Users.Count);
        Assert.False(log.HasMissingSessions);
        var byAction = new Dictionary<string, int>();
        for (var i = 0; i < log.Count; i++)
            byAction[log[i].Action] = byAction.GetValueOrDefault(log[i].Action) + 1;
        Assert.Equal(new Dictionary<string, int> { ["clicks"] = 800, ["carts"] = 52, ["orders"] = 10 }, byAction);
        Assert.Equal(new Dictionary<string, long> { ["clicks"] = 800, ["carts"] = 52, ["orders"] = 10 }, summary.UnknownActions);

        // Timestamps are epoch milliseconds (>= 1e11 under Auto), so they fall in the sample's four weeks of August 2022.
        var first = new DateTimeOffset(2022, 7, 31, 22, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var last = new DateTimeOffset(2022, 8, 28, 22, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        foreach (var t in log.Timestamps)
            Assert.InRange(t, first, last);
    }

    [Fact]
    public void Otto_FirstAndLastEvents_Golden()
    {
        var log = new EventLog();
        EventReader.Read(TestData.Path("otto_train.jsonl"), log, s_otto);

        // Line 1: {"session":0,"events":[{"aid":1517085,"ts":1659304800025,"type":"clicks"},{"aid":1563459,"ts":1659304904511,...
        Assert.Equal(new InteractionEvent("0", "0", 1659304800.025, "clicks", Page: "1517085"), log[0]);
        Assert.Equal(new InteractionEvent("0", "0", 1659304904.511, "clicks", Page: "1563459"), log[1]);
        Assert.Equal(new InteractionEvent("0", "0", 1659367439.426, "clicks", Page: "1309446"), log[2]);
        Assert.Equal(new InteractionEvent("12899778", "12899778", 1661723994.936, "clicks", Page: "32070"), log[861]);
        var sessionZero = 0;
        foreach (var s in log.SessionIds)
            if (s == log.Sessions.IndexOf("0")) sessionZero++;
        Assert.Equal(276, sessionZero);
    }

    [Fact]
    public void Otto_ReadAsFlat_FailsWithAHintAtNestedEvents()
    {
        var options = s_otto with { NestedEvents = null };
        var ex = Assert.Throws<DataFormatException>(() => EventReader.Read(TestData.Path("otto_train.jsonl"), new EventLog(), options));
        Assert.Equal(1, ex.Line);
        Assert.StartsWith("otto_train.jsonl:1: timestamp is missing or empty", ex.Message);
        Assert.Contains("read them with --nested-events events", ex.Message);
    }

    private const string BadLines =
        "{\"session\":1,\"events\":[{\"aid\":1,\"ts\":1659304800025,\"type\":\"clicks\"},{\"aid\":2,\"ts\":\"abc\",\"type\":\"clicks\"},{\"aid\":3,\"ts\":1659304800026,\"type\":\"carts\"}]}\n" +
        "[1,2]\n" +
        "{\"session\":2}\n" +
        "{\"session\":3,\"events\":\"x\"}\n" +
        "{\"session\":4,\"events\":[1,{\"ts\":1659304800027,\"type\":\"clicks\"},{\"aid\":{\"x\":1},\"ts\":1659304800028,\"type\":\"clicks\"},{\"ts\":1659304800029}]}\n" +
        "{\"session\":5,\"events\":[{\"ts\":1659304800030,\"type\":\"clicks\"},\n" +
        "{\"session\":6,\"events\":[]}\n" +
        "\n" +
        "{\"events\":[{\"ts\":1659304800031,\"type\":\"clicks\"}]}\n" +
        "{\"session\":7,\"events\":null}\n";

    [Fact]
    public void BadLinesAndEvents_Skip_EachCountedAndRejectedWithLineAndIndex()
    {
        var (log, summary, rejects) = Read(BadLines, s_otto with { OnBadRow = BadRowPolicy.Skip });

        Assert.Equal(3, log.Count);
        Assert.Equal(["1", "1", "4"], Enumerable.Range(0, log.Count).Select(i => log[i].SessionId));
        Assert.Equal(2, log.Sessions.Count); // rejected lines and events leave nothing in the pools
        Assert.Equal(13, summary.RowsRead);
        Assert.Equal(3, summary.Accepted);
        Assert.Equal(10, summary.Rejected);
        Assert.Equal(summary.RowsRead, summary.Accepted + summary.Rejected);
        Assert.Equal(9, summary.NestedLines);
        Assert.Equal(1, summary.EmptyEventArrays);
        Assert.Equal(new Dictionary<string, long>
        {
            ["bad_timestamp"] = 1,
            ["malformed"] = 2,
            ["missing_field"] = 4,
            ["wrong_type"] = 3,
        }, summary.RejectedByKind);

        Assert.Equal([1L, 2, 3, 4, 5, 5, 5, 6, 9, 10], rejects.Rows.Select(r => r.Line));
        var reasons = rejects.Rows.Select(r => r.Reason).ToArray();
        Assert.Equal("event 1: timestamp 'abc' is not epoch seconds, epoch milliseconds or an ISO-8601 date-time (YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|UTC|±HH:MM]; other forms need a timestamp pattern)", reasons[0]);
        Assert.Equal("the line is not a JSON object", reasons[1]);
        Assert.Equal("events is missing or null: expected an array of event objects", reasons[2]);
        Assert.Equal("events is a JSON string, expected an array of event objects", reasons[3]);
        Assert.Equal("event 0: the element is a JSON number, not an event object", reasons[4]);
        Assert.Equal("event 2: aid is a JSON object, expected a string or number", reasons[5]);
        Assert.Equal("event 3: action is missing or empty", reasons[6]);
        Assert.StartsWith("invalid JSON", reasons[7]);
        Assert.Equal("event 0: user_id is missing or empty (one of user_id and session_id is required)", reasons[8]);
        Assert.Equal("events is missing or null: expected an array of event objects", reasons[9]);

        // An event's reject holds the element; a line rejected whole holds the line.
        Assert.Equal("{\"aid\":2,\"ts\":\"abc\",\"type\":\"clicks\"}", rejects.Rows[0].Raw);
        Assert.Equal("1", rejects.Rows[4].Raw);
        Assert.Equal("{\"aid\":{\"x\":1},\"ts\":1659304800028,\"type\":\"clicks\"}", rejects.Rows[5].Raw);
        Assert.Equal("[1,2]", rejects.Rows[1].Raw);
        Assert.Equal("{\"session\":3,\"events\":\"x\"}", rejects.Rows[3].Raw);
        Assert.All(rejects.Rows, r => Assert.Equal("t.jsonl", r.File));
    }

    [Fact]
    public void BadEvent_Fail_NamesFileLineAndEventIndex()
    {
        var jsonl =
            "{\"session\":1,\"events\":[{\"aid\":1,\"ts\":1659304800025,\"type\":\"clicks\"}]}\n" +
            "\n" +
            "{\"session\":2,\"events\":[" + string.Join(",", Enumerable.Range(0, 7).Select(i => $"{{\"aid\":{i},\"ts\":{1659304800100 + i},\"type\":\"clicks\"}}")) +
            ",{\"aid\":7,\"ts\":\"abc\",\"type\":\"clicks\"},{\"aid\":8,\"ts\":\"also bad\",\"type\":\"clicks\"}]}\n";
        var ex = Assert.Throws<DataFormatException>(() => Read(jsonl, s_otto));
        Assert.Equal("t.jsonl:3: event 7: timestamp 'abc' is not epoch seconds, epoch milliseconds or an ISO-8601 date-time (YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|UTC|±HH:MM]; other forms need a timestamp pattern)", ex.Message);
        Assert.Equal(3, ex.Line);
    }

    [Theory]
    [InlineData("[{\"ts\":1,\"type\":\"click\"}]", "t.jsonl:1: the line is not a JSON object")]
    [InlineData("{\"session\":1}", "t.jsonl:1: events is missing or null: expected an array of event objects")]
    [InlineData("{\"session\":1,\"events\":{\"ts\":1}}", "t.jsonl:1: events is a JSON object, expected an array of event objects")]
    [InlineData("{\"session\":1,\"events\":[[1]]}", "t.jsonl:1: event 0: the element is a JSON array, not an event object")]
    [InlineData("{\"session\":{\"id\":1},\"events\":[]}", "t.jsonl:1: session is a JSON object, expected a string or number")]
    public void MalformedLine_Fail_ExactMessage(string line, string message)
    {
        var ex = Assert.Throws<DataFormatException>(() => Read(line + "\n", s_otto));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void BrokenJsonLaterInTheLine_RejectsTheWholeLineBeforeAnyOfItsEvents()
    {
        var jsonl = "{\"session\":1,\"events\":[{\"ts\":1659304800025,\"type\":\"clicks\"},{\"ts\":1659304800026,\"type\":\"clicks\"}],\"x\":}\n";
        var (log, summary, rejects) = Read(jsonl, s_otto with { OnBadRow = BadRowPolicy.Skip });
        Assert.Equal(0, log.Count);
        Assert.Equal((1L, 0L, 1L), (summary.RowsRead, summary.Accepted, summary.Rejected));
        Assert.StartsWith("invalid JSON", Assert.Single(rejects.Rows).Reason);
    }

    [Fact]
    public void EmptyArrays_YieldNoEvents_ButAreCounted()
    {
        var (log, summary, rejects) = Read("{\"session\":1,\"events\":[]}\n{\"session\":2,\"events\":[ ]}\n" +
            "{\"session\":3,\"events\":[{\"ts\":1659304800025,\"type\":\"click\"}]}\n", s_otto);
        Assert.Equal(1, log.Count);
        Assert.Equal((1L, 1L, 0L), (summary.RowsRead, summary.Accepted, summary.Rejected));
        Assert.Equal((3L, 2L), (summary.NestedLines, summary.EmptyEventArrays));
        Assert.Empty(rejects.Rows);
    }

    [Fact]
    public void Fields_ElementFirst_ThenLineObject_WhateverThePropertyOrder()
    {
        var options = TestData.RelativeTimes with
        {
            NestedEvents = "events",
            ColumnMap = EventReaderOptions.ParseColumnMap("session_id=session"),
        };
        var (log, summary, _) = Read(
            "{\"user_id\":\"top\",\"session\":\"s\",\"page\":\"/top\",\"scroll_depth\":0.5,\"events\":[" +
            "{\"timestamp\":1,\"action\":\"click\"}," +
            "{\"timestamp\":2,\"action\":\"hover\",\"page\":\"/own\",\"user_id\":\"own\",\"scroll_depth\":0.25}," +
            "{\"timestamp\":3,\"action\":\"wait\",\"page\":null,\"extra\":{\"deep\":[1,{\"a\":2}]}}]}\n" +
            "{\"events\":[{\"timestamp\":4,\"action\":\"click\"}],\"session\":\"later\",\"user_id\":7}\n", options);
        Assert.Equal(4, summary.Accepted);
        Assert.Equal(new InteractionEvent("top", "s", 1, "click", 0.5, "/top"), log[0]);
        Assert.Equal(new InteractionEvent("own", "s", 2, "hover", 0.25, "/own"), log[1]);
        Assert.Equal(new InteractionEvent("top", "s", 3, "wait", 0.5, "/top"), log[2]); // null in the element means absent
        Assert.Equal(new InteractionEvent("7", "later", 4, "click"), log[3]);
    }

    [Fact]
    public void ColumnMap_AppliesInsideElements_AndOneSourceMayFeedTwoFields()
    {
        var options = TestData.RelativeTimes with
        {
            NestedEvents = "items",
            ColumnMap = EventReaderOptions.ParseColumnMap("user_id=sid,session_id=sid,timestamp=when,action=what,category=aid,page=aid"),
        };
        var (log, _, _) = Read("{\"sid\":12899769,\"items\":[{\"aid\":1.5e3,\"when\":\"2022-08-01T00:00:00Z\",\"what\":\"carts\"}]}\n", options);
        Assert.Equal(new InteractionEvent("12899769", "12899769", new DateTimeOffset(2022, 8, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(),
            "carts", Page: "1.5e3", Category: "1.5e3"), log[0]);
    }

    [Fact]
    public void FlatJsonLines_OneSourceMayFeedTwoFields()
    {
        var options = TestData.RelativeTimes with { ColumnMap = EventReaderOptions.ParseColumnMap("user_id=session,session_id=session,timestamp=ts,action=type") };
        var (log, _, _) = Read("{\"session\":5,\"ts\":1659304800025,\"type\":\"clicks\"}\n", options);
        Assert.Equal(new InteractionEvent("5", "5", 1659304800.025, "clicks"), log[0]);
    }

    [Fact]
    public void NestedEvents_OnCsv_OrEmptyName_IsAnError()
    {
        var csv = Assert.Throws<DataFormatException>(() => TestData.ReadCsv(TestData.Header, s_otto));
        Assert.Contains("JSON Lines only", csv.Message);
        Assert.Throws<ArgumentException>(() => Read("{}\n", s_otto with { NestedEvents = " " }));
    }
}
