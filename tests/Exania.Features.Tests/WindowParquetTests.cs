using System.Globalization;
using DuckDB.NET.Data;
using Exania.Core;
using Exania.Events;
using Exania.Features;
using Exania.Testing;

namespace Exania.Features.Tests;

/// <summary>
/// Windows and predictions written as Parquet, read back by Exania and by independent readers (DuckDB in-process,
/// pyarrow/pandas in Python); and event Parquet files written by DuckDB and pyarrow, read by Exania like the CSV.
/// </summary>
public class WindowParquetTests
{
    private static readonly string[] Columns = ["session_id", "window_end", .. WindowFeatures.Names, "label"];

    private static (EventLog Log, WindowTable Table) PeerWindows()
    {
        var log = new EventLog();
        EventReader.Load(TestData.Path("peer_events.csv"), log, TestData.RelativeTimes);
        var table = WindowExtractor.Extract(log, SessionIndex.Build(log));
        Assert.True(table.Rows > 500, $"{table.Rows} windows");
        Assert.InRange(table.Positives, 1, table.Rows - 1);
        return (log, table);
    }

    private static void AssertSameTable(WindowTable expected, WindowTable actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        for (var r = 0; r < expected.Rows; r++)
            Assert.Equal(expected.SessionOf(r), actual.SessionOf(r));
        Assert.Equal(expected.WindowEnds.ToArray(), actual.WindowEnds.ToArray());
        Assert.Equal(expected.Features.ToArray(), actual.Features.ToArray());
        Assert.Equal(expected.Labels.ToArray(), actual.Labels.ToArray());
    }

    [Fact]
    public void WindowParquet_RoundTripIsExact_AndMatchesTheCsv()
    {
        var (_, table) = PeerWindows();
        using var dir = new TestData.TempDir();
        WindowFile.Write(table, dir.File("w.parquet"));
        WindowFile.Write(table, dir.File("w.csv"));
        Assert.Equal("PAR1", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(dir.File("w.parquet"))[..4]));
        AssertSameTable(table, WindowFile.Read(dir.File("w.parquet")));
        AssertSameTable(WindowFile.Read(dir.File("w.csv")), WindowFile.Read(dir.File("w.parquet")));
        // Atomic: nothing but the two files is left in the folder.
        Assert.Equal(2, Directory.GetFiles(dir.Root).Length);
    }

    [Fact]
    public void RequiredColumns_ReadTheSame_WhateverWasReadBefore()
    {
        // Parquet.Net 6.1.0 reads a REQUIRED column into nullable memory through definition levels it never decoded,
        // from a pooled buffer: after reading columns full of nulls, rows came back null. ParquetFile.ReadAsync
        // reads such columns through the non-nullable overload.
        var (_, table) = PeerWindows();
        using var dir = new TestData.TempDir();
        var path = dir.File("w.parquet");
        WindowParquet.Write(table, path);
        var nulls = dir.File("nulls.parquet");
        var none = new double?[table.Rows];
        TestData.WriteParquet(nulls, table.Rows,
        [
            TestData.PqText("session_id", [.. Enumerable.Repeat("s", table.Rows)]), TestData.PqDouble("window_end", none),
            .. WindowFeatures.Names.Select(n => TestData.PqDouble(n, none)), TestData.PqInt32("label", new int?[table.Rows]),
        ]);
        for (var i = 0; i < 20; i++)
        {
            Assert.Throws<DataFormatException>(() => WindowParquet.Read(nulls));
            AssertSameTable(table, WindowParquet.Read(path));
        }
    }

    [Fact]
    public void EmptyTable_IsAValidFileWithTheSchema()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("empty.parquet");
        WindowParquet.Write(new WindowTable(["s"]), path);
        Assert.Equal(0, WindowParquet.Read(path).Rows);
        var rows = DuckDb($"SELECT count(*) FROM read_parquet('{path}')");
        Assert.Equal(0L, Convert.ToInt64(rows[0][0], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DuckDb_ReadsOurWindows_ValueForValue()
    {
        var (_, table) = PeerWindows();
        using var dir = new TestData.TempDir();
        var path = dir.File("windows.parquet");
        WindowParquet.Write(table, path);

        var schema = DuckDb($"DESCRIBE SELECT * FROM read_parquet('{path}')");
        Assert.Equal(Columns, schema.Select(r => (string)r[0]!));
        Assert.Equal(["VARCHAR", .. Enumerable.Repeat("DOUBLE", 21), "INTEGER"], schema.Select(r => (string)r[1]!));

        var rows = DuckDb($"SELECT * FROM read_parquet('{path}')");
        Assert.Equal(table.Rows, rows.Count);
        for (var r = 0; r < table.Rows; r++)
        {
            Assert.Equal(table.SessionOf(r), (string)rows[r][0]!);
            Assert.Equal(table.WindowEnds[r], (double)rows[r][1]!);
            for (var f = 0; f < WindowFeatures.Count; f++)
                Assert.Equal(table.Row(r)[f], (double)rows[r][2 + f]!);
            Assert.Equal(table.Labels[r], (int)rows[r][22]!);
        }
        var positives = DuckDb($"SELECT CAST(sum(label) AS BIGINT) FROM read_parquet('{path}')");
        Assert.Equal(table.Positives, Convert.ToInt64(positives[0][0], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DuckDb_ReadsOurPredictions()
    {
        var (_, table) = PeerWindows();
        var probabilities = new double[table.Rows];
        for (var r = 0; r < table.Rows; r++)
            probabilities[r] = (r % 97) / 96.0;
        using var dir = new TestData.TempDir();
        var path = dir.File("predictions.parquet");
        WindowPredictions.Write(path, table, probabilities, threshold: 0.5);
        var schema = DuckDb($"DESCRIBE SELECT * FROM read_parquet('{path}')");
        Assert.Equal(["session_id", "window_end", "click_probability", "predicted_click"], schema.Select(r => (string)r[0]!));
        Assert.Equal(["VARCHAR", "DOUBLE", "DOUBLE", "INTEGER"], schema.Select(r => (string)r[1]!));
        var rows = DuckDb($"SELECT * FROM read_parquet('{path}')");
        for (var r = 0; r < table.Rows; r++)
        {
            Assert.Equal((table.SessionOf(r), table.WindowEnds[r], probabilities[r], probabilities[r] >= 0.5 ? 1 : 0),
                ((string)rows[r][0]!, (double)rows[r][1]!, (double)rows[r][2]!, (int)rows[r][3]!));
        }

        // The CSV form of the same predictions has the same header and values.
        WindowPredictions.Write(dir.File("predictions.csv"), table, probabilities, threshold: 0.5);
        var lines = File.ReadAllLines(dir.File("predictions.csv"));
        Assert.Equal("session_id,window_end,click_probability,predicted_click", lines[0]);
        Assert.Equal(probabilities[5], double.Parse(lines[6].Split(',')[2], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DuckDb_WritesEvents_ExaniaReadsThemLikeTheCsv()
    {
        var csv = new EventLog();
        EventReader.Read(TestData.Path("peer_events.csv"), csv, TestData.RelativeTimes);
        using var dir = new TestData.TempDir();
        var path = dir.File("duck-events.parquet");
        // A naive TIMESTAMP (microseconds, not marked UTC) from whole milliseconds; text columns with NULLs for empty
        // cells; scroll_depth as FLOAT and cost as DECIMAL, both read as the values the CSV holds.
        DuckDb($"""
            COPY (SELECT user_id, session_id, epoch_ms(CAST(round("timestamp" * 1000) AS BIGINT)) AS "timestamp", action, page,
                         category, CAST(scroll_depth AS FLOAT) AS scroll_depth, campaign_id, ad_type, placement,
                         CAST(cost AS DECIMAL(18, 4)) AS cost, revenue
                  FROM read_csv('{TestData.Path("peer_events.csv")}', header = true, columns = {PeerColumns}))
            TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 500)
            """);
        var types = DuckDb($"DESCRIBE SELECT \"timestamp\", scroll_depth, cost FROM read_parquet('{path}')");
        Assert.Equal(["TIMESTAMP", "FLOAT", "DECIMAL(18,4)"], types.Select(r => (string)r[1]!));
        var parquet = new EventLog();
        var summary = EventReader.Read(path, parquet, TestData.RelativeTimes);
        TestData.AssertSameLog(csv, parquet);
        Assert.Equal(csv.Count, summary.Accepted);
    }

    [Fact]
    public void DuckDb_WritesIntegerIds_ExaniaReadsThemAsTheCsvText()
    {
        var names = new[] { "user_id", "item_id", "category", "action", "timestamp" };
        var csv = new EventLog();
        EventReader.Read(TestData.Path("taobao_head3000.csv"), csv, TestData.RelativeTimes with { HasHeader = false, ColumnNames = names });
        using var dir = new TestData.TempDir();
        var path = dir.File("taobao.parquet");
        DuckDb($$"""
            COPY (SELECT * FROM read_csv('{{TestData.Path("taobao_head3000.csv")}}', header = false,
                  columns = {'user_id': 'BIGINT', 'item_id': 'BIGINT', 'category': 'INTEGER', 'action': 'VARCHAR', 'timestamp': 'BIGINT'}))
            TO '{{path}}' (FORMAT parquet)
            """);
        var parquet = new EventLog();
        EventReader.Read(path, parquet, TestData.RelativeTimes);
        TestData.AssertSameLog(csv, parquet);
    }

    private const string PeerColumns =
        "{'user_id': 'VARCHAR', 'session_id': 'VARCHAR', 'timestamp': 'DOUBLE', 'action': 'VARCHAR', 'page': 'VARCHAR', " +
        "'category': 'VARCHAR', 'scroll_depth': 'DOUBLE', 'campaign_id': 'VARCHAR', 'ad_type': 'VARCHAR', " +
        "'placement': 'VARCHAR', 'cost': 'DOUBLE', 'revenue': 'DOUBLE'}";

    [Fact]
    public void WindowParquet_DamagedOrWrongFiles_AreDataFormatErrors()
    {
        var (_, table) = PeerWindows();
        using var dir = new TestData.TempDir();
        var path = dir.File("w.parquet");
        WindowParquet.Write(table, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(dir.File("cut.parquet"), bytes[..(bytes.Length / 2)]);
        Assert.Contains("not a readable Parquet file", Assert.Throws<DataFormatException>(() => WindowFile.Read(dir.File("cut.parquet"))).Reason);
        WindowCsv.Write(table, dir.File("csv.parquet"));
        Assert.Contains("not a readable Parquet file", Assert.Throws<DataFormatException>(() => WindowFile.Read(dir.File("csv.parquet"))).Reason);

        // An events file is not a windows file: the first missing feature is named.
        TestData.WriteLogParquet(PeerWindows().Log, dir.File("events.parquet"), TestData.PqTime.EpochDouble);
        var missing = Assert.Throws<DataFormatException>(() => WindowFile.Read(dir.File("events.parquet")));
        Assert.Contains($"feature column '{WindowFeatures.Names[0]}' is missing", missing.Reason);

        // A null feature and a label that is not 0/1 name the row.
        var features = WindowFeatures.Names.Select(n => TestData.PqDouble(n, 1.0, null)).ToArray();
        TestData.WriteParquet(dir.File("null.parquet"), 10, [TestData.PqText("session_id", "s", "s"), .. features, TestData.PqInt32("label", 0, 1)]);
        var nul = Assert.Throws<DataFormatException>(() => WindowFile.Read(dir.File("null.parquet")));
        Assert.Equal(("null.parquet", 2L, $"{WindowFeatures.Names[0]} is null"), (nul.File, nul.Line, nul.Reason));
        var ones = WindowFeatures.Names.Select(n => TestData.PqDouble(n, 1.0, 1.0)).ToArray();
        TestData.WriteParquet(dir.File("label.parquet"), 10, [TestData.PqText("session_id", "s", "s"), .. ones, TestData.PqInt32("label", 0, 2)]);
        Assert.Equal("label.parquet:2: label 2 is not 0 or 1", Assert.Throws<DataFormatException>(() => WindowFile.Read(dir.File("label.parquet"))).Message);
        Assert.Throws<ArgumentException>(() => WindowFile.Write(table, dir.File("w.jsonl"), DataFileFormat.JsonLines));
    }

    [Fact]
    public void WindowParquet_Read_AcceptsIntegerSessionsBooleanLabels_AndNoLabelWhenNotRequired()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("typed.parquet");
        var features = WindowFeatures.Names.Select((n, i) => TestData.PqFloat(n, i, 0.5f)).ToArray();
        TestData.WriteParquet(path, 10, [TestData.PqInt64("session_id", 42, 43), TestData.PqInt32("window_end", 10, 20), .. features, TestData.PqBool("label", true, false)]);
        var table = WindowFile.Read(path);
        Assert.Equal(("42", "43"), (table.SessionOf(0), table.SessionOf(1)));
        Assert.Equal([10.0, 20.0], table.WindowEnds.ToArray());
        Assert.Equal([1, 0], table.Labels.ToArray());
        Assert.Equal(0.5, table.Row(1)[3]);

        var unlabelled = dir.File("unlabelled.parquet");
        TestData.WriteParquet(unlabelled, 10, [TestData.PqText("session_id", "s"), .. WindowFeatures.Names.Select(n => TestData.PqDouble(n, 1.0))]);
        Assert.Equal(0, WindowFile.Read(unlabelled, requireLabel: false).Labels[0]);
        Assert.Contains("column 'label' is missing", Assert.Throws<DataFormatException>(() => WindowFile.Read(unlabelled)).Reason);
    }

    private const string PandasReadScript = """
        import sys, json
        import pyarrow.parquet as pq
        import pandas as pd
        table = pq.read_table(sys.argv[1])
        frame = pd.read_parquet(sys.argv[1], engine='pyarrow')
        print(json.dumps({
            'schema': [[f.name, str(f.type), f.nullable] for f in table.schema],
            'dtypes': [str(d) for d in frame.dtypes],
            'columns': {c: frame[c].tolist() for c in frame.columns},
        }))
        """;

    [Fact]
    public void Pyarrow_ReadsOurWindows_ValueForValue()
    {
        PythonPyarrow.Require();
        var (_, table) = PeerWindows();
        using var dir = new TestData.TempDir();
        var path = dir.File("windows.parquet");
        WindowParquet.Write(table, path);
        using var doc = PythonPyarrow.RunJson(PandasReadScript, path);
        var root = doc.RootElement;
        var schema = root.GetProperty("schema").EnumerateArray().Select(f => (f[0].GetString(), f[1].GetString(), f[2].GetBoolean())).ToArray();
        Assert.Equal(Columns, schema.Select(f => f.Item1));
        Assert.Equal(["string", .. Enumerable.Repeat("double", 21), "int32"], schema.Select(f => f.Item2));
        Assert.All(schema, f => Assert.False(f.Item3)); // required columns
        Assert.Equal("int32", root.GetProperty("dtypes")[22].GetString());

        var columns = root.GetProperty("columns");
        var sessions = columns.GetProperty("session_id").EnumerateArray().Select(v => v.GetString()).ToArray();
        Assert.Equal(table.Rows, sessions.Length);
        // json.dumps writes floats in shortest round-trip form, so parsing them back gives the exact doubles.
        var ends = columns.GetProperty("window_end").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var labels = columns.GetProperty("label").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var features = WindowFeatures.Names.Select(n => columns.GetProperty(n).EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        for (var r = 0; r < table.Rows; r++)
        {
            Assert.Equal(table.SessionOf(r), sessions[r]);
            Assert.Equal(table.WindowEnds[r], ends[r]);
            Assert.Equal(table.Labels[r], labels[r]);
            for (var f = 0; f < WindowFeatures.Count; f++)
                Assert.Equal(table.Row(r)[f], features[f][r]);
        }
    }

    private const string PyarrowWriteEventsScript = """
        import sys
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq
        source, out, kind = sys.argv[1:4]
        if kind == 'peer':
            text = ['user_id', 'session_id', 'action', 'page', 'category', 'campaign_id', 'ad_type', 'placement']
            frame = pd.read_csv(source, dtype={c: str for c in text}, keep_default_na=False, na_values=[''])
            # Whole milliseconds as a UTC timestamp, converted from the integer (float seconds would round).
            frame['timestamp'] = pd.to_datetime((frame['timestamp'] * 1000).round().astype('int64'), unit='ms', utc=True)
            schema = pa.schema([(c, pa.timestamp('ms', tz='UTC') if c == 'timestamp' else pa.string() if c in text else pa.float64())
                                for c in frame.columns])
            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        else:
            frame = pd.read_csv(source, header=None, names=['user_id', 'item_id', 'category', 'action', 'timestamp'])
            table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table, out, row_group_size=500)
        print(table.schema)
        """;

    [Fact]
    public void Pyarrow_WritesEvents_ExaniaReadsThemLikeTheCsv()
    {
        PythonPyarrow.Require();
        using var dir = new TestData.TempDir();
        var path = dir.File("pyarrow-events.parquet");
        var schema = PythonPyarrow.Run(PyarrowWriteEventsScript, TestData.Path("peer_events.csv"), path, "peer");
        Assert.Contains("timestamp: timestamp[ms, tz=UTC]", schema);
        var csv = new EventLog();
        EventReader.Read(TestData.Path("peer_events.csv"), csv, TestData.RelativeTimes);
        var parquet = new EventLog();
        var summary = EventReader.Read(path, parquet, TestData.RelativeTimes);
        TestData.AssertSameLog(csv, parquet);
        Assert.Equal(csv.Count, summary.Accepted);

        var ids = dir.File("pyarrow-taobao.parquet");
        Assert.Contains("user_id: int64", PythonPyarrow.Run(PyarrowWriteEventsScript, TestData.Path("taobao_head3000.csv"), ids, "taobao"));
        var names = new[] { "user_id", "item_id", "category", "action", "timestamp" };
        var taobaoCsv = new EventLog();
        EventReader.Read(TestData.Path("taobao_head3000.csv"), taobaoCsv, TestData.RelativeTimes with { HasHeader = false, ColumnNames = names });
        var taobao = new EventLog();
        EventReader.Read(ids, taobao, TestData.RelativeTimes);
        TestData.AssertSameLog(taobaoCsv, taobao);
    }

    [Fact]
    public void PyarrowSkipReason_FailsWhenRequired_AndSkipsOtherwise()
    {
        Assert.Null(PythonPyarrow.SkipReason(importable: true, "/x/python", "1"));
        Assert.StartsWith("pyarrow is not available (EXANIA_PYARROW_PYTHON is not set)", PythonPyarrow.SkipReason(false, null, null), StringComparison.Ordinal);
        var failure = Assert.Throws<Xunit.Sdk.FailException>(() => PythonPyarrow.SkipReason(importable: false, "/x/python", "1"));
        Assert.Contains("EXANIA_REQUIRE_PYARROW=1", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs SQL in an in-memory DuckDB; returns every row's values.</summary>
    private static List<object?[]> DuckDb(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
