using Exania.Core;
using Exania.Events;
using Exania.Testing;
using Parquet.Schema;

namespace Exania.Events.Tests;

/// <summary>
/// Parquet input: the same events as the CSV reader gives for the same data, whatever the column types; the same rows
/// rejected for the same reasons; and a file that is not Parquet, or is damaged, is a DataFormatException.
/// </summary>
public class ParquetEventReaderTests
{
    private static readonly EventReaderOptions Skip = TestData.RelativeTimes with { OnBadRow = BadRowPolicy.Skip };

    private static EventLog ReadCsvFile(string name, EventReaderOptions? options = null)
    {
        var log = new EventLog();
        EventReader.Read(TestData.Path(name), log, options ?? TestData.RelativeTimes);
        return log;
    }

    [Theory]
    [InlineData("EpochDouble")]
    [InlineData("EpochMillisInt64")]
    [InlineData("Text")]
    [InlineData("TimestampMillis")]
    [InlineData("TimestampMicros")]
    [InlineData("TimestampNanos")]
    public void PeerEvents_CsvAndParquet_GiveTheSameLog(string timestampType)
    {
        var time = Enum.Parse<TestData.PqTime>(timestampType);
        using var dir = new TestData.TempDir();
        var csv = ReadCsvFile("peer_events.csv");
        var path = dir.File("events.parquet");
        // Row groups of 100 rows: rows are numbered, and sessions continue, across row group boundaries.
        TestData.WriteLogParquet(csv, path, time, rowGroupRows: 100);

        var parquet = new EventLog();
        // Under auto, integers below 1e11 are seconds (the hand-made sessions start at 1000 s): name the unit, as for CSV.
        var options = time == TestData.PqTime.EpochMillisInt64 ? TestData.RelativeTimes with { TimestampFormat = TimestampFormat.EpochMilliseconds } : TestData.RelativeTimes;
        var summary = EventReader.Read(path, parquet, options);
        TestData.AssertSameLog(csv, parquet);
        Assert.Equal(csv.Count, summary.Accepted);
        Assert.Equal(csv.Count, summary.RowsRead);
        Assert.True(csv.Count > 1000);
    }

    [Fact]
    public void IntegerIds_AreTheSameUsersAndItemsAsTheirCsvText()
    {
        // Taobao: user_id, item_id, category_id, behavior_type, timestamp; ids and epoch seconds as integers.
        var columns = new[] { "user_id", "item_id", "category", "action", "timestamp" };
        var csvOptions = TestData.RelativeTimes with { HasHeader = false, ColumnNames = columns };
        var csv = ReadCsvFile("taobao_head3000.csv", csvOptions);
        var rows = File.ReadAllLines(TestData.Path("taobao_head3000.csv")).Select(l => l.Split(',')).ToArray();
        using var dir = new TestData.TempDir();
        var path = dir.File("taobao.parquet");
        TestData.WriteParquet(path, 700,
            TestData.PqInt64("user_id", [.. rows.Select(r => (long?)long.Parse(r[0]))]),
            TestData.PqInt64("item_id", [.. rows.Select(r => (long?)long.Parse(r[1]))]),
            TestData.PqInt32("category", [.. rows.Select(r => (int?)int.Parse(r[2]))]),
            TestData.PqText("action", [.. rows.Select(r => r[3])]),
            TestData.PqInt64("timestamp", [.. rows.Select(r => (long?)long.Parse(r[4]))]));

        var (parquet, summary, _) = TestData.ReadParquet(path);
        TestData.AssertSameLog(csv, parquet);
        Assert.Equal(3000, summary.Accepted);
        Assert.Equal("1", parquet[0].UserId);
    }

    /// <summary>Bad values, the same in a CSV file and in Parquet text columns: the same rows rejected, for the same reasons.</summary>
    private const string BadRows =
        "user_id,session_id,timestamp,action,scroll_depth,cost\n" +
        "u1,s1,100,page_view,0.5,\n" +
        "u1,s1,yesterday,page_view,,\n" +
        "u1,s1,101,,,\n" +
        ",,102,click_ad,,\n" +
        "u1,s1,103,scroll_down,1.5,\n" +
        "u1,s1,104,scroll_down,deep,\n" +
        "u1,s1,105,click_ad,,-2\n" +
        "u1,s1,106,click_ad,,NaN\n" +
        "u1,s1,,click_ad,,\n" +
        "u1,s1,01/05/2026,click_ad,,\n" +
        "u2,,107,\"hover, long\",0.25,1e-3\n";

    [Fact]
    public void BadValues_AreRejectedLikeCsv_WithRowNumbersAsLines()
    {
        var (csvLog, csvSummary, csvRejects) = TestData.ReadCsv(BadRows, Skip);
        var lines = BadRows.TrimEnd('\n').Split('\n');
        var header = lines[0].Split(',');
        var cells = lines.Skip(1).Select(ParseCsvLine).ToArray();
        using var dir = new TestData.TempDir();
        var path = dir.File("bad.parquet");
        TestData.WriteParquet(path, 4, [.. header.Select((name, c) => TestData.PqText(name, [.. cells.Select(r => r[c].Length == 0 ? null : r[c])]))]);

        var (log, summary, rejects) = TestData.ReadParquet(path, Skip);
        TestData.AssertSameLog(csvLog, log);
        Assert.Equal(2, summary.Accepted);
        Assert.Equal(csvSummary.Rejected, summary.Rejected);
        Assert.Equal(csvSummary.RejectedByKind, summary.RejectedByKind);
        Assert.Equal(9, rejects.Rows.Count);
        for (var i = 0; i < rejects.Rows.Count; i++)
        {
            Assert.Equal(csvRejects.Rows[i].Reason, rejects.Rows[i].Reason);
            // CSV line numbers count the header; a Parquet "line" is the 1-based row number.
            Assert.Equal(csvRejects.Rows[i].Line - 1, rejects.Rows[i].Line);
            // Raw: the row's columns as a CSV line, here the very text of the CSV file.
            Assert.Equal(csvRejects.Rows[i].Raw, rejects.Rows[i].Raw);
            Assert.Equal("bad.parquet", rejects.Rows[i].File);
        }
    }

    private static string[] ParseCsvLine(string line)
    {
        var tokenizer = new CsvTokenizer(new StringReader(line), ',');
        Assert.True(tokenizer.ReadRow());
        return [.. Enumerable.Range(0, tokenizer.FieldCount).Select(i => tokenizer.Field(i).ToString())];
    }

    [Fact]
    public void BadRow_UnderFail_ThrowsWithFileAndRowNumber()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("e.parquet");
        TestData.WriteParquet(path, 2,
            TestData.PqText("user_id", "u", "u", "u"),
            TestData.PqDouble("timestamp", 1, 2, 3),
            TestData.PqText("action", "click_ad", "hover", null));
        var ex = Assert.Throws<DataFormatException>(() => EventReader.Read(path, new EventLog(), TestData.RelativeTimes));
        Assert.Equal(("e.parquet", 3L, "action is missing or empty"), (ex.File, ex.Line, ex.Reason));
    }

    [Fact]
    public void TypedTimestamps_AreExactEpochSeconds_WhateverTheTimestampFormat()
    {
        var t = new DateTime(2019, 10, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(1_234_567);
        var before1970 = DateTime.UnixEpoch.AddMilliseconds(-1500);
        using var dir = new TestData.TempDir();
        foreach (var (unit, stored, expected) in new[]
                 {
                     (DateTimeTimeUnit.Millis, t, 1569888000.123),
                     (DateTimeTimeUnit.Micros, t, 1569888000.123456),
                     // Parquet.Net gives nanoseconds at 100 ns (DateTime ticks).
                     (DateTimeTimeUnit.Nanos, t, 1569888000.1234567),
                     (DateTimeTimeUnit.Millis, before1970, -1.5),
                 })
        {
            var path = dir.File($"t-{unit}.parquet");
            TestData.WriteParquet(path, 10,
                TestData.PqText("user_id", "u"),
                TestData.PqTimestamp("timestamp", unit, stored),
                TestData.PqText("action", "click_ad"));
            // The type says what the column holds: the declared format of text timestamps does not apply.
            foreach (var format in new[] { TimestampFormat.Auto, TimestampFormat.EpochMilliseconds, TimestampFormat.Iso8601 })
            {
                var (log, _, _) = TestData.ReadParquet(path, TestData.RelativeTimes with { TimestampFormat = format });
                Assert.Equal(expected, log[0].Timestamp);
            }
        }
    }

    [Fact]
    public void TextTimestamps_FollowTheTimestampFormat_AsInCsv()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("iso.parquet");
        TestData.WriteParquet(path, 10,
            TestData.PqText("user_id", "u", "u"),
            TestData.PqText("timestamp", "2019-10-01 00:00:00 UTC", "1569888000000"),
            TestData.PqText("action", "click_ad", "click_ad"));
        var (log, _, _) = TestData.ReadParquet(path);
        Assert.Equal(1569888000.0, log[0].Timestamp);
        Assert.Equal(1569888000.0, log[1].Timestamp); // epoch milliseconds under auto, as in CSV
        var (_, summary, rejects) = TestData.ReadParquet(path, Skip with { TimestampFormat = TimestampFormat.Iso8601 });
        Assert.Equal(1, summary.Accepted);
        Assert.StartsWith("timestamp '1569888000000' is not an ISO-8601 date-time", rejects.Rows[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Nulls_AreEmptyFields_AndNumbersOfAnyType_AreRead()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("nulls.parquet");
        TestData.WriteParquet(path, 10,
            TestData.PqText("user_id", "u1", null, null),
            TestData.PqInt64("session_id", 7, 8, null),
            TestData.PqDouble("timestamp", 10, 11, 12),
            TestData.PqText("action", "click_ad", "hover", "hover"),
            TestData.PqFloat("scroll_depth", 0.1f, null, 0.5f),
            TestData.PqInt32("cost", null, 3, null));
        var (log, summary, rejects) = TestData.ReadParquet(path, Skip);
        Assert.Equal(2, summary.Accepted);
        Assert.Equal(new InteractionEvent("u1", "7", 10, "click_ad", ScrollDepth: 0.1), log[0]);
        // No user: the session stands for it, as for an empty CSV cell. A float 0.1 reads as 0.1.
        Assert.Equal(new InteractionEvent("8", "8", 11, "hover", Cost: 3), log[1]);
        Assert.Equal(3L, rejects.Rows[0].Line);
        Assert.StartsWith("user_id is missing or empty", rejects.Rows[0].Reason, StringComparison.Ordinal);
        Assert.Equal(",,12,hover,0.5,", rejects.Rows[0].Raw);
    }

    [Fact]
    public void RequiredColumns_AreRead()
    {
        // REQUIRED columns (no definition levels) take the non-nullable read path (ParquetFile.ReadAsync; the windows
        // tests show why it exists).
        using var dir = new TestData.TempDir();
        const int n = 5000;
        var required = dir.File("required.parquet");
        TestData.WriteParquet(required, 2000,
            TestData.PqRequired("user_id", [.. Enumerable.Range(0, n)]),
            TestData.PqRequired("timestamp", [.. Enumerable.Range(0, n).Select(i => i + 0.5)]),
            TestData.PqText("action", [.. Enumerable.Repeat("click_ad", n)]),
            TestData.PqRequired("session_id", [.. Enumerable.Range(0, n).Select(i => (long)i / 10)]));
        var (log, summary, _) = TestData.ReadParquet(required);
        Assert.Equal(n, summary.Accepted);
        Assert.Equal(new InteractionEvent("4321", "432", 4321.5, "click_ad"), log[4321]);
    }

    [Fact]
    public void ColumnMap_AppliesToParquetColumnNames()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("mapped.parquet");
        TestData.WriteParquet(path, 10,
            TestData.PqText("event_type", "view"),
            TestData.PqTimestamp("event_time", DateTimeTimeUnit.Micros, new DateTime(2019, 10, 1, 0, 0, 0, DateTimeKind.Utc)),
            TestData.PqInt64("user", 541312140),
            TestData.PqInt64("product_id", 44600062),
            TestData.PqDouble("price", 35.79));
        var options = TestData.RelativeTimes with
        {
            ColumnMap = EventReaderOptions.ParseColumnMap("timestamp=event_time,action=event_type,user_id=user,session_id=user,item_id=product_id"),
        };
        var (log, summary, _) = TestData.ReadParquet(path, options);
        Assert.Equal(1, summary.Accepted);
        Assert.Equal(new InteractionEvent("541312140", "541312140", 1569888000, "view", ItemId: "44600062"), log[0]);
    }

    [Fact]
    public void MissingRequiredColumn_IsAFileLevelError_WithTheCsvReason()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("no-action.parquet");
        TestData.WriteParquet(path, 10, TestData.PqText("user_id", "u"), TestData.PqDouble("timestamp", 1));
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadParquet(path));
        var csv = Assert.Throws<DataFormatException>(() => TestData.ReadCsv("user_id,timestamp\nu,1\n"));
        Assert.Equal(csv.Reason, ex.Reason);
        Assert.Equal(0, ex.Line); // the schema, not row 1

        var mapped = Assert.Throws<DataFormatException>(() => TestData.ReadParquet(path,
            TestData.RelativeTimes with { ColumnMap = EventReaderOptions.ParseColumnMap("action=behavior") }));
        Assert.Contains("column 'behavior' (mapped to action) is not in the file; its columns are user_id, timestamp", mapped.Message);
    }

    [Fact]
    public void ColumnOfAnUnreadableType_IsRefusedNamingIt()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("bool.parquet");
        TestData.WriteParquet(path, 10,
            TestData.PqText("user_id", "u"), TestData.PqDouble("timestamp", 1), TestData.PqBool("action", true));
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadParquet(path));
        Assert.Contains("column 'action' (read as action) holds Parquet BOOLEAN values", ex.Message);

        // A date-time column only for the timestamp.
        var time = dir.File("time-user.parquet");
        TestData.WriteParquet(time, 10,
            TestData.PqTimestamp("user_id", DateTimeTimeUnit.Millis, DateTime.UnixEpoch), TestData.PqDouble("timestamp", 1), TestData.PqText("action", "a"));
        var timeEx = Assert.Throws<DataFormatException>(() => TestData.ReadParquet(time));
        Assert.Contains("column 'user_id' (read as user_id) is a Parquet date-time", timeEx.Message);
    }

    [Fact]
    public void UnpairedSurrogate_IsNotValidUtf8_AndTheRowIsRejected()
    {
        // .NET's UTF-8 encoder writes an unpaired surrogate as U+FFFD: the same mark a decoder leaves for bad bytes.
        using var dir = new TestData.TempDir();
        var path = dir.File("utf8.parquet");
        TestData.WriteParquet(path, 10,
            TestData.PqText("user_id", "caf\uD800", "café"), TestData.PqDouble("timestamp", 1, 2), TestData.PqText("action", "a", "a"));
        var (log, summary, rejects) = TestData.ReadParquet(path, Skip);
        Assert.Equal(1, summary.Accepted);
        Assert.Equal("café", log[0].UserId);
        Assert.Equal("column 'user_id' holds bytes that are not valid UTF-8 (Parquet text is UTF-8)", rejects.Rows[0].Reason);
    }

    [Fact]
    public void ExplicitFormat_ReadsParquetWhateverTheExtension_AndAutoPicksItByExtension()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("events.bin");
        TestData.WriteParquet(path, 10, TestData.PqText("user_id", "u"), TestData.PqDouble("timestamp", 1), TestData.PqText("action", "a"));
        var log = new EventLog();
        EventReader.Read(path, log, TestData.RelativeTimes with { Format = DataFileFormat.Parquet });
        Assert.Equal(1, log.Count);
        Assert.Equal(DataFileFormat.Parquet, DataFileFormats.Resolve(DataFileFormat.Auto, "x/Events.PARQUET"));
        Assert.Equal(DataFileFormat.Csv, DataFileFormats.Resolve(DataFileFormat.Auto, "x/events.parquet.csv"));
    }

    [Fact]
    public void CsvRenamedToParquet_AndEmptyFile_AreDataFormatErrors()
    {
        using var dir = new TestData.TempDir();
        var renamed = dir.File("events.parquet");
        File.WriteAllText(renamed, TestData.Header + "u1,s1,100,click_ad,,,,,,,,\n");
        var ex = Assert.Throws<DataFormatException>(() => EventReader.Read(renamed, new EventLog(), TestData.RelativeTimes));
        Assert.Equal("events.parquet", ex.File);
        Assert.Contains("not a readable Parquet file", ex.Reason, StringComparison.Ordinal);

        var empty = dir.File("empty.parquet");
        File.WriteAllBytes(empty, []);
        Assert.Contains("not a readable Parquet file", Assert.Throws<DataFormatException>(() => EventReader.Read(empty, new EventLog(), TestData.RelativeTimes)).Reason);
    }

    [Fact]
    public void TruncatedFile_IsADataFormatError()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("whole.parquet");
        TestData.WriteLogParquet(ReadCsvFile("peer_events.csv"), path, TestData.PqTime.EpochDouble);
        var bytes = File.ReadAllBytes(path);
        foreach (var keep in new[] { 4, bytes.Length / 2, bytes.Length - 1, bytes.Length - 9 })
        {
            var cut = dir.File($"cut-{keep}.parquet");
            File.WriteAllBytes(cut, bytes[..keep]);
            var ex = Assert.Throws<DataFormatException>(() => EventReader.Read(cut, new EventLog(), TestData.RelativeTimes));
            Assert.Contains("not a readable Parquet file", ex.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DamagedBytes_GiveADataFormatErrorOrRows_NeverAnotherException()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("whole.parquet");
        var csv = ReadCsvFile("peer_events.csv");
        TestData.WriteLogParquet(csv, path, TestData.PqTime.EpochDouble, rowGroupRows: 500);
        var bytes = File.ReadAllBytes(path);
        var random = new Random(5);
        var errors = 0;
        for (var trial = 0; trial < 200; trial++)
        {
            var damaged = (byte[])bytes.Clone();
            // A few bytes anywhere but the magic numbers: data pages, page headers or the footer.
            for (var k = 0; k < 1 + trial % 4; k++)
                damaged[random.Next(4, damaged.Length - 4)] ^= (byte)random.Next(1, 256);
            using var stream = new MemoryStream(damaged);
            try
            {
                EventReader.ReadParquet(stream, "damaged.parquet", new EventLog(), Skip, new RejectList());
            }
            catch (DataFormatException ex)
            {
                Assert.Equal("damaged.parquet", ex.File);
                errors++;
            }
        }
        Assert.True(errors > 0, "no damage was detected in 200 trials");
    }

    [Fact]
    public void NestedEvents_AreRefusedForParquet()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("e.parquet");
        TestData.WriteParquet(path, 10, TestData.PqText("user_id", "u"), TestData.PqDouble("timestamp", 1), TestData.PqText("action", "a"));
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadParquet(path, TestData.RelativeTimes with { NestedEvents = "events" }));
        Assert.Contains("read from JSON Lines only", ex.Message);
    }

    [Fact]
    public void EmptyTable_ReadsNoRows()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("none.parquet");
        TestData.WriteParquet(path, 10, TestData.PqText("user_id"), TestData.PqDouble("timestamp"), TestData.PqText("action"));
        var (log, summary, _) = TestData.ReadParquet(path);
        Assert.Equal((0, 0L), (log.Count, summary.RowsRead));
    }
}
