using System.Diagnostics;
using System.Text;
using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary>
/// Issue #15, end to end: <c>windows --on-bad-row skip --json</c> on mutated CSV and JSON Lines files (seeded, at most
/// 40 files each and 30 seconds). Every run ends with exit 0 or 2 and one JSON object; a successful run accounts for
/// every row (accepted + rejected = rows read) and its rejects file holds exactly the rejected rows; no run exits 1
/// (an unexpected exception).
/// </summary>
[Collection("console")]
public class FuzzCliTests
{
    [Theory]
    [InlineData("events.csv", 25)]
    [InlineData("events.jsonl", 26)]
    public void Windows_OnMutatedFiles_ExitsZeroOrTwo_AndLosesNoRow(string fileName, int seed)
    {
        var original = Encoding.UTF8.GetBytes(fileName.EndsWith(".csv", StringComparison.Ordinal) ? Csv() : JsonLines());
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        using var dir = new TestData.TempDir();
        var (succeeded, refused) = (0, 0);
        for (var i = 0; i < 40 && watch.Elapsed < TimeSpan.FromSeconds(30); i++)
        {
            var mutant = TestData.Mutate(original, random);
            var events = dir.File(fileName);
            File.WriteAllBytes(events, mutant);
            var output = dir.File("w.csv");
            var rejectsPath = dir.File("w.rejects.csv");
            var run = CliRunner.Run("windows", "--events", events, "--out", output, "--on-bad-row", "skip", "--min-actions", "1", "--json");
            var context = $"mutant {i}: exit {run.Exit}, {run.Out} {run.Error}";
            Assert.True(run.Exit is 0 or 2, context);
            var json = run.Json;
            Assert.True(json is not null, context);
            Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal); // no stack trace
            if (run.Exit == 2)
            {
                Assert.NotNull(json["error"]);
                refused++;
                continue;
            }
            succeeded++;
            var input = json["input"]!;
            var (read, accepted, rejected) = ((long)input["rows_read"]!, (long)input["accepted"]!, (long)input["rejected"]!);
            Assert.True(accepted + rejected == read, context);
            var rejectLines = File.Exists(rejectsPath) ? CountCsvRecords(rejectsPath) - 1 : 0;
            Assert.True(rejectLines == rejected, $"{context}: rejects file holds {rejectLines}");
        }
        Assert.True(succeeded > 10, $"only {succeeded} runs succeeded ({refused} refused)");
    }

    /// <summary>Records in a CSV file whose fields may hold quoted line breaks.</summary>
    private static long CountCsvRecords(string path)
    {
        long records = 0;
        var quoted = false;
        foreach (var c in File.ReadAllText(path))
        {
            if (c == '"') quoted = !quoted;
            else if (c == '\n' && !quoted) records++;
        }
        return records;
    }

    private static string Csv()
    {
        var text = new StringBuilder("user_id,session_id,timestamp,action,page,scroll_depth\n");
        for (var i = 0; i < 30; i++)
            text.Append(FormattableString.Invariant($"u{i % 3},s{i % 4},{1700000000 + i * 9},{(i % 3 == 0 ? "click" : "scroll_down")},\"/p/{i % 4}\",0.{i % 10}\n"));
        return text.ToString();
    }

    private static string JsonLines()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 30; i++)
            text.Append(FormattableString.Invariant($"{{\"user_id\": \"u{i % 3}\", \"session_id\": \"s{i % 4}\", \"timestamp\": {1700000000 + i * 9}, \"action\": \"click\", \"scroll_depth\": 0.{i % 10}}}\n"));
        return text.ToString();
    }
}
