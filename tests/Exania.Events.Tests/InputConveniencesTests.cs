using System.Globalization;
using System.Text;
using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

/// <summary>
/// Issue #16's input conveniences in the readers: any delimiter (one pass, in parts, quoted fields, rejects), a time
/// offset column added to the timestamp, and a default action for files without an action column, on a
/// DIGINETICA-like file (<c>session_id;user_id;item_id;timeframe;eventdate</c>, time = eventdate + timeframe ms).
/// </summary>
public class InputConveniencesTests
{
    private const string DigineticaHeader = "session_id;user_id;item_id;timeframe;eventdate\n";

    private const string DigineticaRows =
        "1;NA;81766;526309;2016-05-09\n" +
        "1;NA;31331;1031018;2016-05-09\n" +
        "1;NA;32118;243569;2016-05-09\n" +
        "2;NA;9654;557220;2016-05-09\n" +
        "2;NA;33043;630240;2016-05-09\n" +
        "3;2;100748;1044;2016-05-10\n";

    /// <summary>How DIGINETICA is read: <c>--delimiter ';' --map timestamp=eventdate --time-offset timeframe:ms --default-action view</c>.</summary>
    private static readonly EventReaderOptions Diginetica = new()
    {
        Delimiter = ';',
        ColumnMap = new Dictionary<EventField, string> { [EventField.Timestamp] = "eventdate" },
        TimestampOffsetColumn = "timeframe",
        DefaultAction = "view",
    };

    private static readonly double May9 = new DateTimeOffset(2016, 5, 9, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    [Fact]
    public void DigineticaFile_IsReadWithTheDateAndItsMillisecondOffset_EveryRowAView()
    {
        var (log, summary, rejects) = TestData.ReadCsv(DigineticaHeader + DigineticaRows, Diginetica);
        Assert.Empty(rejects.Rows);
        Assert.Equal(6, summary.Accepted);
        Assert.Equal(6, summary.DefaultActionRows);
        Assert.Equal(new InteractionEvent("NA", "1", May9 + 526.309, "view", ItemId: "81766"), log[0]);
        Assert.Equal(May9 + 1031.018, log[1].Timestamp);
        Assert.Equal(May9 + 86400 + 1.044, log[5].Timestamp);
        Assert.Equal("2", log[5].UserId);
        Assert.All(Enumerable.Range(0, log.Count), i => Assert.Equal("view", log[i].Action));
        Assert.Equal(new Dictionary<string, long> { ["view"] = 6 }, summary.UnknownActions); // kept as its own action, as Taobao's pv
    }

    [Fact]
    public void OffsetInSeconds_IsAddedAsSeconds()
    {
        var (log, _, _) = TestData.ReadCsv(DigineticaHeader + "1;u;5;90;2016-05-09\n", Diginetica with { TimestampOffsetUnit = TimeOffsetUnit.Seconds });
        Assert.Equal(May9 + 90, log[0].Timestamp);
    }

    [Fact]
    public void TabSeparatedFile_IsReadAsTheCommaFile()
    {
        var comma = TestData.Header + "u1,s1,5,click,/a b,,0.5,,,,,\nu1,s1,6,hover,,,,,,,,\n";
        var (expected, _, _) = TestData.ReadCsv(comma);
        var (actual, summary, _) = TestData.ReadCsv(comma.Replace(',', '\t'), TestData.RelativeTimes with { Delimiter = '\t' });
        Assert.Equal(2, summary.Accepted);
        Assert.Equal(expected[0], actual[0]);
        Assert.Equal(expected[1], actual[1]);
    }

    [Fact]
    public void SemicolonFile_QuotedFieldsHoldTheDelimiter_AndRejectsQuoteIt()
    {
        var text = "user_id;session_id;timestamp;action;page\n" +
                   "u1;s1;5;click;\"/a;b\"\n" +
                   "u1;s1;x;click;\"/c;d\"\n" +
                   "u1;s1;7;hover;\"say \"\"hi\"\", then, go\"\n";
        var (log, summary, rejects) = TestData.ReadCsv(text, TestData.RelativeTimes with { Delimiter = ';', OnBadRow = BadRowPolicy.Skip });
        Assert.Equal((2L, 1L), (summary.Accepted, summary.Rejected));
        Assert.Equal("/a;b", log[0].Page);
        Assert.Equal("say \"hi\", then, go", log[1].Page);
        var reject = Assert.Single(rejects.Rows);
        Assert.Equal(3, reject.Line);
        // The raw row is in the file's own delimiter, and reads back as the same five fields.
        Assert.Equal("u1;s1;x;click;\"/c;d\"", reject.Raw);
        var tokenizer = new CsvTokenizer(new StringReader(reject.Raw), ';');
        Assert.True(tokenizer.ReadRow());
        Assert.Equal(5, tokenizer.FieldCount);
        Assert.Equal("/c;d", tokenizer.Field(4).ToString());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void SemicolonFileInParts_IsTheOnePassRead_WithOffsetsDefaultsAndRejects(int threads)
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("diginetica.csv");
        var text = new StringBuilder(DigineticaHeader);
        var random = new Random(threads);
        for (var i = 0; i < 4000; i++)
        {
            var offset = i % 211 == 7 ? "soon" : i % 307 == 9 ? "-1" : random.Next(86_400_000).ToString(CultureInfo.InvariantCulture);
            var item = i % 53 == 0 ? $"\"{i};\nx\"" : (i % 900).ToString(CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"{i / 5};NA;{item};{offset};2016-05-{9 + i % 3:00}\n");
        }
        File.WriteAllText(path, text.ToString());
        var skip = Diginetica with { OnBadRow = BadRowPolicy.Skip };
        var (expected, expectedSummary, expectedRejects) = Read(path, skip with { Threads = 1 });
        var (actual, summary, rejects) = Read(path, skip with { Threads = threads, PartsFromBytes = 1 });
        Assert.True(expectedSummary.Rejected > 20);
        Assert.Equal(expectedSummary.Accepted, expectedSummary.DefaultActionRows);
        Assert.Equal((expectedSummary.Accepted, expectedSummary.Rejected, expectedSummary.DefaultActionRows),
            (summary.Accepted, summary.Rejected, summary.DefaultActionRows));
        Assert.Equal(expectedSummary.RejectedByKind, summary.RejectedByKind);
        Assert.Equal(expectedRejects, rejects);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < actual.Count; i++)
            Assert.Equal(expected[i], actual[i]);
        Assert.Contains(actual.Items.Values, v => v.Contains(';', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData('"')]
    [InlineData('\r')]
    [InlineData('\n')]
    public void DelimitersThatCannotWork_AreRefused(char delimiter)
    {
        var ex = Assert.Throws<ArgumentException>(() => TestData.ReadCsv(TestData.Header, TestData.RelativeTimes with { Delimiter = delimiter }));
        Assert.Equal("Delimiter", ex.ParamName);
        Assert.Contains("cannot separate CSV fields", ex.Message, StringComparison.Ordinal);
        using var dir = new TestData.TempDir();
        var path = dir.File("e.csv");
        File.WriteAllText(path, TestData.Header);
        Assert.Throws<ArgumentException>(() => EventReader.Read(path, new EventLog(), TestData.RelativeTimes with { Delimiter = delimiter }));
    }

    [Theory]
    [InlineData("soon", "wrong_type", "time offset timeframe 'soon' is not a number")]
    [InlineData("NaN", "not_finite", "time offset timeframe is NaN, not a finite number")]
    [InlineData("-1", "out_of_range", "time offset timeframe -1 is negative")]
    [InlineData("", "missing_field", "time offset timeframe is missing or empty")]
    public void BadOffsets_AreBadRows_WithFileLineAndReason(string offset, string kind, string reason)
    {
        var text = DigineticaHeader + "1;NA;5;100;2016-05-09\n" + $"1;NA;6;{offset};2016-05-09\n";
        var (_, summary, rejects) = TestData.ReadCsv(text, Diginetica with { OnBadRow = BadRowPolicy.Skip });
        Assert.Equal(1, summary.RejectedByKind[kind]);
        Assert.Equal(("test.csv", 3L, reason), (rejects.Rows[0].File, rejects.Rows[0].Line, rejects.Rows[0].Reason));
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadCsv(text, Diginetica));
        Assert.Equal(("test.csv", 3L, reason), (ex.File, ex.Line, ex.Reason));
    }

    [Fact]
    public void TheAcceptedRange_AppliesToTheTimestampWithItsOffset()
    {
        // 2099-12-31 + two days of milliseconds is past 2100: out of range, and the reason shows the offset.
        var text = DigineticaHeader + "1;NA;5;172800000;2099-12-31\n";
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadCsv(text, Diginetica));
        Assert.StartsWith("timestamp '2099-12-31' + timeframe 172800000 ms is 2100-01-02", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OffsetColumnNotInTheFile_IsAFileError()
    {
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadCsv(DigineticaHeader + DigineticaRows, Diginetica with { TimestampOffsetColumn = "frame" }));
        Assert.Equal(1, ex.Line);
        Assert.Contains("time offset column 'frame' is not in the file", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NoActionColumnAndNoDefault_IsAFileError_ThatNamesTheDefaultAction()
    {
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadCsv(DigineticaHeader + DigineticaRows, Diginetica with { DefaultAction = null }));
        Assert.Contains("required column action is not in the file", ex.Reason, StringComparison.Ordinal);
        Assert.Contains("--default-action", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WithAnActionColumn_TheDefaultIsUnused_AndEmptyActionsStayBadRows()
    {
        var text = TestData.Header + "u1,s1,5,click,,,,,,,,\nu1,s1,6,,,,,,,,,\n";
        var (log, summary, rejects) = TestData.ReadCsv(text, TestData.RelativeTimes with { DefaultAction = "view", OnBadRow = BadRowPolicy.Skip });
        Assert.Equal("click", log[0].Action);
        Assert.Equal((1L, 1L, 0L), (summary.Accepted, summary.Rejected, summary.DefaultActionRows));
        Assert.Equal("action is missing or empty", rejects.Rows[0].Reason);
    }

    [Fact]
    public void EmptyOptionValues_AreRefused()
    {
        Assert.Equal("DefaultAction", Assert.Throws<ArgumentException>(() => (Diginetica with { DefaultAction = " " }).Validate()).ParamName);
        Assert.Equal("TimestampOffsetColumn", Assert.Throws<ArgumentException>(() => (Diginetica with { TimestampOffsetColumn = "" }).Validate()).ParamName);
    }

    [Fact]
    public void JsonLines_OffsetAndDefaultAction_AnEmptyActionStaysABadRow()
    {
        var text = "{\"session_id\": 1, \"item_id\": 81766, \"timeframe\": 526309, \"eventdate\": \"2016-05-09\"}\n" +
                   "{\"session_id\": 1, \"item_id\": 5, \"timeframe\": \"1000\", \"eventdate\": \"2016-05-09\", \"action\": null}\n" +
                   "{\"session_id\": 1, \"item_id\": 6, \"timeframe\": 2000, \"eventdate\": \"2016-05-09\", \"action\": \"buy\"}\n" +
                   "{\"session_id\": 1, \"item_id\": 7, \"timeframe\": 3000, \"eventdate\": \"2016-05-09\", \"action\": \"\"}\n" +
                   "{\"session_id\": 1, \"item_id\": 8, \"timeframe\": -3, \"eventdate\": \"2016-05-09\"}\n" +
                   "{\"session_id\": 1, \"item_id\": 9, \"eventdate\": \"2016-05-09\"}\n";
        var log = new EventLog();
        var rejects = new RejectList();
        var summary = EventReader.ReadJsonLines(new MemoryStream(Encoding.UTF8.GetBytes(text)), "d.jsonl", log,
            Diginetica with { OnBadRow = BadRowPolicy.Skip }, rejects);
        Assert.Equal((3L, 3L, 2L), (summary.Accepted, summary.Rejected, summary.DefaultActionRows));
        Assert.Equal(new InteractionEvent("1", "1", May9 + 526.309, "view", ItemId: "81766"), log[0]);
        Assert.Equal(("view", May9 + 1), (log[1].Action, log[1].Timestamp));
        Assert.Equal("buy", log[2].Action);
        Assert.Equal(["action is missing or empty", "time offset timeframe -3 is negative", "time offset timeframe is missing or empty"],
            rejects.Rows.Select(r => r.Reason));
        Assert.Equal([4L, 5L, 6L], rejects.Rows.Select(r => r.Line));
    }

    [Fact]
    public void NestedJsonLines_TakeTheOffsetFromTheEventOrItsLine()
    {
        var text = "{\"session\": 7, \"eventdate\": \"2016-05-09\", \"events\": [{\"aid\": 1, \"timeframe\": 1500}, {\"aid\": 2, \"timeframe\": 2500}]}\n";
        var log = new EventLog();
        var options = Diginetica with
        {
            NestedEvents = "events",
            ColumnMap = new Dictionary<EventField, string> { [EventField.Timestamp] = "eventdate", [EventField.SessionId] = "session", [EventField.ItemId] = "aid" },
        };
        var summary = EventReader.ReadJsonLines(new MemoryStream(Encoding.UTF8.GetBytes(text)), "n.jsonl", log, options);
        Assert.Equal(2, summary.DefaultActionRows);
        Assert.Equal([May9 + 1.5, May9 + 2.5], log.Timestamps.ToArray());
    }

    [Fact]
    public void Parquet_OffsetAndDefaultAction()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("d.parquet");
        TestData.WriteParquet(path, 2,
            TestData.PqInt64("session_id", 1, 1, 2),
            TestData.PqInt64("item_id", 81766, 31331, 9),
            TestData.PqInt64("timeframe", 526309, null, -4),
            TestData.PqText("eventdate", "2016-05-09", "2016-05-09", "2016-05-10"));
        var (log, summary, rejects) = TestData.ReadParquet(path, Diginetica with { OnBadRow = BadRowPolicy.Skip });
        Assert.Equal((1L, 2L, 1L), (summary.Accepted, summary.Rejected, summary.DefaultActionRows));
        Assert.Equal(new InteractionEvent("1", "1", May9 + 526.309, "view", ItemId: "81766"), log[0]);
        Assert.Equal([(2L, "time offset timeframe is missing or empty"), (3L, "time offset timeframe -4 is negative")],
            rejects.Rows.Select(r => (r.Line, r.Reason)));
    }

    private static (EventLog, EventReadSummary, IReadOnlyList<RejectedRow>) Read(string path, EventReaderOptions options)
    {
        var log = new EventLog();
        var rejects = new RejectList();
        var summary = EventReader.Read(path, log, options, rejects);
        return (log, summary, rejects.Rows);
    }
}
