using Exania.Core;
using Exania.Events;
using Parquet;
using Parquet.Schema;

namespace Exania.Testing;

/// <summary>
/// Parquet files for tests, written with Parquet.Net's low-level API (column by column, in row groups), and event logs
/// compared row by row.
/// </summary>
internal static partial class TestData
{
    /// <summary>One column of a test Parquet file: its field, its row count, and a writer for a slice of its values.</summary>
    public sealed record PqColumn(DataField Field, int Count, Func<ParquetRowGroupWriter, int, int, Task> Write);

    public static PqColumn PqText(string name, params string?[] values)
    {
        var field = new DataField<string>(name, nullable: true);
        return new(field, values.Length, (w, start, count) => w.WriteAsync(field, values[start..(start + count)], null));
    }

    public static PqColumn PqInt64(string name, params long?[] values) => Typed(name, values);

    public static PqColumn PqInt32(string name, params int?[] values) => Typed(name, values);

    public static PqColumn PqDouble(string name, params double?[] values) => Typed(name, values);

    public static PqColumn PqFloat(string name, params float?[] values) => Typed(name, values);

    public static PqColumn PqBool(string name, params bool?[] values) => Typed(name, values);

    /// <summary>A REQUIRED column (no nulls, no definition levels).</summary>
    public static PqColumn PqRequired<T>(string name, params T[] values) where T : struct
    {
        var field = new DataField<T>(name);
        return new(field, values.Length, (w, start, count) => w.WriteAsync<T>(field, values.AsMemory(start, count)));
    }

    /// <summary>A TIMESTAMP column (adjusted to UTC) of the given unit.</summary>
    public static PqColumn PqTimestamp(string name, DateTimeTimeUnit unit, params DateTime?[] values) =>
        Column(new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: unit, isNullable: true), values);

    private static PqColumn Typed<T>(string name, T?[] values) where T : struct =>
        Column(new DataField<T?>(name), values);

    private static PqColumn Column<T>(DataField field, T?[] values) where T : struct =>
        new(field, values.Length, (w, start, count) => w.WriteAsync<T>(field, values.AsMemory(start, count)));

    /// <summary>Writes the columns (all of one length) in row groups of at most <paramref name="rowGroupRows"/> rows.</summary>
    public static void WriteParquet(string path, int rowGroupRows, params PqColumn[] columns)
    {
        using var stream = File.Create(path);
        WriteParquet(stream, rowGroupRows, columns);
    }

    public static void WriteParquet(Stream stream, int rowGroupRows, params PqColumn[] columns) =>
        WriteParquetAsync(stream, rowGroupRows, columns).GetAwaiter().GetResult();

    private static async Task WriteParquetAsync(Stream stream, int rowGroupRows, PqColumn[] columns)
    {
        var rows = columns[0].Count;
        Assert.All(columns, c => Assert.Equal(rows, c.Count));
        var schema = new ParquetSchema(columns.Select(c => (Field)c.Field));
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        for (var start = 0; start == 0 || start < rows; start += rowGroupRows)
        {
            var count = Math.Min(rowGroupRows, rows - start);
            using var group = writer.CreateRowGroup();
            foreach (var c in columns)
                await c.Write(group, start, count);
            if (rows == 0)
                break;
        }
    }

    /// <summary>How <see cref="WriteLogParquet"/> stores the timestamp column.</summary>
    public enum PqTime
    {
        /// <summary>DOUBLE epoch seconds.</summary>
        EpochDouble,
        /// <summary>INT64 epoch milliseconds (the timestamps must be whole milliseconds).</summary>
        EpochMillisInt64,
        /// <summary>Text: the shortest round-trip epoch seconds.</summary>
        Text,
        /// <summary>TIMESTAMP(MILLIS), UTC.</summary>
        TimestampMillis,
        /// <summary>TIMESTAMP(MICROS), UTC.</summary>
        TimestampMicros,
        /// <summary>TIMESTAMP(NANOS), UTC.</summary>
        TimestampNanos,
    }

    /// <summary>
    /// <paramref name="log"/> as a Parquet file of typed columns under the canonical names: strings as text (absent as
    /// null), scroll_depth, cost and revenue as nullable DOUBLE (NaN as null), the timestamp as <paramref name="time"/> says.
    /// </summary>
    public static void WriteLogParquet(EventLog log, string path, PqTime time, int rowGroupRows = 1000)
    {
        var n = log.Count;
        var e = new InteractionEvent[n];
        for (var i = 0; i < n; i++)
            e[i] = log[i];
        double? Num(double v) => double.IsNaN(v) ? null : v;
        var ts = e.Select(x => x.Timestamp).ToArray();
        var timestamp = time switch
        {
            PqTime.EpochDouble => PqDouble("timestamp", [.. ts.Select(t => (double?)t)]),
            PqTime.EpochMillisInt64 => PqInt64("timestamp", [.. ts.Select(t => (long?)checked((long)Math.Round(t * 1000)))]),
            PqTime.Text => PqText("timestamp", [.. ts.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture))]),
            PqTime.TimestampMillis => PqTimestamp("timestamp", DateTimeTimeUnit.Millis, [.. ts.Select(t => (DateTime?)DateTime.UnixEpoch.AddTicks((long)Math.Round(t * 1000) * 10_000))]),
            PqTime.TimestampMicros => PqTimestamp("timestamp", DateTimeTimeUnit.Micros, [.. ts.Select(t => (DateTime?)DateTime.UnixEpoch.AddTicks((long)Math.Round(t * 1e6) * 10))]),
            _ => PqTimestamp("timestamp", DateTimeTimeUnit.Nanos, [.. ts.Select(t => (DateTime?)DateTime.UnixEpoch.AddTicks((long)Math.Round(t * 1e6) * 10))]),
        };
        WriteParquet(path, rowGroupRows,
            PqText("user_id", [.. e.Select(x => x.UserId)]),
            PqText("session_id", [.. e.Select(x => x.SessionId)]),
            timestamp,
            PqText("action", [.. e.Select(x => x.Action)]),
            PqText("page", [.. e.Select(x => x.Page)]),
            PqText("category", [.. e.Select(x => x.Category)]),
            PqDouble("scroll_depth", [.. e.Select(x => Num(x.ScrollDepth))]),
            PqText("campaign_id", [.. e.Select(x => x.CampaignId)]),
            PqText("ad_type", [.. e.Select(x => x.AdType)]),
            PqText("placement", [.. e.Select(x => x.Placement)]),
            PqDouble("cost", [.. e.Select(x => Num(x.Cost))]),
            PqDouble("revenue", [.. e.Select(x => Num(x.Revenue))]),
            PqText("item_id", [.. e.Select(x => x.ItemId)]));
    }

    /// <summary>Reads a Parquet event file (by stream, so any extension) into a new log, rejects collected.</summary>
    public static (EventLog Log, EventReadSummary Summary, RejectList Rejects) ReadParquet(string path, EventReaderOptions? options = null)
    {
        var log = new EventLog();
        var rejects = new RejectList();
        using var stream = File.OpenRead(path);
        var summary = EventReader.ReadParquet(stream, System.IO.Path.GetFileName(path), log, options ?? RelativeTimes, rejects);
        return (log, summary, rejects);
    }

    /// <summary>Asserts that two logs hold the same events in the same order (strings, timestamps and numbers exactly).</summary>
    public static void AssertSameLog(EventLog expected, EventLog actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i], actual[i]);
    }
}
