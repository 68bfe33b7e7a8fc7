using System.Globalization;
using Exania.Events;
using Exania.Features;
using Exania.Testing;
using Parquet;

namespace Exania.Cli.Tests;

/// <summary>Parquet through the command line: events in, windows and predictions out, and damaged files refused.</summary>
[Collection("console")]
public class ParquetCliTests
{
    /// <summary>Generated events as CSV and the same events as Parquet (typed columns, TIMESTAMP micros).</summary>
    private static (string Csv, string Parquet) Events(TestData.TempDir dir)
    {
        var csv = dir.File("events.csv");
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "400", "--seed", "5", "--out", csv).Exit);
        var log = new EventLog();
        EventReader.Read(csv, log);
        var parquet = dir.File("events.parquet");
        TestData.WriteLogParquet(log, parquet, TestData.PqTime.TimestampMicros, rowGroupRows: 4096);
        return (csv, parquet);
    }

    [Fact]
    public void Windows_ParquetInAndOut_MatchesTheCsvRun_AndTrainsAndPredicts()
    {
        using var dir = new TestData.TempDir();
        var (csv, parquet) = Events(dir);
        var fromCsv = CliRunner.Run("windows", "--events", csv, "--out", dir.File("w.csv"), "--json");
        Assert.Equal(0, fromCsv.Exit);
        var run = CliRunner.Run("windows", "--events", parquet, "--out", dir.File("w.parquet"), "--json");
        Assert.Equal(0, run.Exit);
        Assert.Equal("parquet", (string)run.Json!["out_format"]!);
        Assert.Equal((long)fromCsv.Json!["events"]!, (long)run.Json["events"]!);
        Assert.Equal((long)run.Json["events"]!, (long)run.Json["input"]!["accepted"]!);

        var a = WindowFile.Read(dir.File("w.csv"));
        var b = WindowFile.Read(dir.File("w.parquet"));
        Assert.True(a.Rows > 1000, $"{a.Rows} windows");
        Assert.Equal(a.Rows, b.Rows);
        Assert.Equal(a.Features.ToArray(), b.Features.ToArray());
        Assert.Equal(a.WindowEnds.ToArray(), b.WindowEnds.ToArray());
        Assert.Equal(a.Labels.ToArray(), b.Labels.ToArray());
        for (var r = 0; r < a.Rows; r++)
            Assert.Equal(a.SessionOf(r), b.SessionOf(r));

        var models = dir.File("models");
        Assert.Equal(0, CliRunner.Run("train", "click", "--features", dir.File("w.parquet"), "--out", models, "--folds", "3").Exit);
        var predictCsv = CliRunner.Run("predict", "click", "--model", models, "--features", dir.File("w.parquet"), "--out", dir.File("p.csv"), "--json");
        Assert.Equal(0, predictCsv.Exit);
        // --out-format names the format whatever the extension.
        var predictParquet = CliRunner.Run("predict", "click", "--model", models, "--features", dir.File("w.csv"), "--out", dir.File("p.out"), "--out-format", "parquet", "--json");
        Assert.Equal(0, predictParquet.Exit);
        Assert.Equal((double)predictCsv.Json!["auc"]!, (double)predictParquet.Json!["auc"]!);

        var lines = File.ReadAllLines(dir.File("p.csv"));
        var (names, probabilities, predicted) = ReadPredictions(dir.File("p.out"));
        Assert.Equal(lines[0], string.Join(',', names));
        Assert.Equal(lines.Length - 1, probabilities.Length);
        for (var r = 1; r < lines.Length; r++)
        {
            var cells = lines[r].Split(',');
            Assert.Equal(double.Parse(cells[2], CultureInfo.InvariantCulture), probabilities[r - 1]);
            Assert.Equal(int.Parse(cells[3], CultureInfo.InvariantCulture), predicted[r - 1]);
        }
    }

    private static (string[] Names, double[] Probabilities, int[] Predicted) ReadPredictions(string path) =>
        ReadPredictionsAsync(path).GetAwaiter().GetResult();

    private static async Task<(string[] Names, double[] Probabilities, int[] Predicted)> ReadPredictionsAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var fields = reader.Schema.DataFields;
        var group = reader.OpenRowGroupReader(0);
        var n = (int)group.RowCount;
        var probabilities = new double[n];
        var predicted = new int[n];
        await group.ReadAsync<double>(fields[2], probabilities.AsMemory());
        await group.ReadAsync<int>(fields[3], predicted.AsMemory());
        Assert.Equal(1, reader.RowGroupCount);
        return ([.. fields.Select(f => f.Name)], probabilities, predicted);
    }

    [Fact]
    public void ExplicitFormat_ReadsParquetUnderAnyName()
    {
        using var dir = new TestData.TempDir();
        var (_, parquet) = Events(dir);
        var renamed = dir.File("events.dat");
        File.Copy(parquet, renamed);
        var run = CliRunner.Run("windows", "--events", renamed, "--format", "parquet", "--out", dir.File("w.csv"), "--json");
        Assert.Equal(0, run.Exit);
        Assert.Equal("csv", (string)run.Json!["out_format"]!);
        Assert.Equal(2, CliRunner.Run("windows", "--events", renamed, "--format", "arrow", "--out", dir.File("x.csv")).Exit);
    }

    [Fact]
    public void DamagedOrRenamedFiles_ExitTwo_WithAClearMessage()
    {
        using var dir = new TestData.TempDir();
        var (csv, parquet) = Events(dir);
        var renamed = dir.File("renamed.parquet");
        File.Copy(csv, renamed);
        var run = CliRunner.Run("windows", "--events", renamed, "--out", dir.File("w.parquet"));
        Assert.Equal(2, run.Exit);
        Assert.Contains("error: renamed.parquet: not a readable Parquet file", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("w.parquet")));

        var bytes = File.ReadAllBytes(parquet);
        File.WriteAllBytes(dir.File("cut.parquet"), bytes[..(bytes.Length - 100)]);
        var cut = CliRunner.Run("windows", "--events", dir.File("cut.parquet"), "--out", dir.File("w2.csv"), "--json");
        Assert.Equal(2, cut.Exit);
        Assert.Contains("cut.parquet: not a readable Parquet file", (string)cut.Json!["error"]!, StringComparison.Ordinal);

        // A damaged windows file for training.
        File.WriteAllBytes(dir.File("features.parquet"), bytes[..(bytes.Length / 3)]);
        var train = CliRunner.Run("train", "click", "--features", dir.File("features.parquet"), "--out", dir.File("m"));
        Assert.Equal(2, train.Exit);
        Assert.Contains("features.parquet: not a readable Parquet file", train.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void BadParquetRows_UnderSkip_GoToTheRejectsFile_WithTheirRowNumbers()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("bad.parquet");
        TestData.WriteParquet(path, 2,
            TestData.PqText("user_id", "u1", "u1", "u1", "u1"),
            TestData.PqText("session_id", "s1", "s1", "s1", "s1"),
            TestData.PqText("timestamp", "100", "101", "yesterday", "103"),
            TestData.PqText("action", "page_view", "click_ad", "hover", "scroll_down"));
        var run = CliRunner.Run("windows", "--events", path, "--on-bad-row", "skip", "--min-actions", "1", "--time-range", "any", "--out", dir.File("w.parquet"), "--json");
        Assert.Equal(0, run.Exit);
        Assert.Equal(1, (int)run.Json!["input"]!["rejected"]!);
        var rejects = File.ReadAllLines(dir.File("w.rejects.csv"));
        Assert.Equal("file,line,reason,raw", rejects[0]);
        Assert.StartsWith("bad.parquet,3,\"timestamp 'yesterday' is not", rejects[1], StringComparison.Ordinal);
        Assert.EndsWith(",\"u1,s1,yesterday,hover\"", rejects[1], StringComparison.Ordinal);
    }
}
