using System.Diagnostics;
using System.Text;
using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

/// <summary>
/// Issue #15: valid CSV and JSON Lines files mutated byte by byte (seeded, bounded in count and time). Every read
/// ends, either with a file-level <see cref="DataFormatException"/> (empty file, broken header) or with every row read
/// accepted or rejected: accepted + rejected = rows read, the log holds exactly the accepted rows, and each reject
/// names a line of the file.
/// </summary>
public class FuzzTests
{
    private const int Mutants = 400;
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(20);

    [Fact]
    public void MutatedCsv_EveryRowAccountedFor() => Fuzz(ValidCsv(), "events.csv", seed: 15);

    [Fact]
    public void MutatedJsonLines_EveryRowAccountedFor() => Fuzz(ValidJsonLines(), "events.jsonl", seed: 16);

    [Fact]
    public void MutatedNestedJsonLines_EveryRowAccountedFor() =>
        Fuzz(ValidNestedJsonLines(), "events.jsonl", seed: 17, new EventReaderOptions { NestedEvents = "events" });

    private static void Fuzz(byte[] original, string fileName, int seed, EventReaderOptions? baseOptions = null)
    {
        var random = new Random(seed);
        var options = (baseOptions ?? EventReaderOptions.Default) with { OnBadRow = BadRowPolicy.Skip };
        var watch = Stopwatch.StartNew();
        var fileLevel = 0;
        var rejectedSomething = 0;
        for (var i = 0; i < Mutants && watch.Elapsed < s_budget; i++)
        {
            var mutant = TestData.Mutate(original, random);
            var log = new EventLog();
            var rejects = new RejectList();
            EventReadSummary summary;
            var read = Stopwatch.StartNew();
            try
            {
                summary = fileName.EndsWith(".csv", StringComparison.Ordinal)
                    ? EventReader.ReadCsv(new StreamReader(new MemoryStream(mutant), Encoding.UTF8, true), fileName, log, options, rejects)
                    : EventReader.ReadJsonLines(new MemoryStream(mutant), fileName, log, options, rejects);
            }
            catch (DataFormatException ex)
            {
                // File-level problems only (the header or the whole file), named with the file.
                Assert.StartsWith(fileName, ex.Message, StringComparison.Ordinal);
                fileLevel++;
                continue;
            }
            Assert.True(read.Elapsed < TimeSpan.FromSeconds(5), $"mutant {i} took {read.Elapsed}");
            var context = $"mutant {i}: {Encoding.UTF8.GetString(mutant)}";
            Assert.True(summary.Accepted + summary.Rejected == summary.RowsRead, context);
            Assert.True(log.Count == summary.Accepted, context);
            Assert.True(rejects.Rows.Count == summary.Rejected, context);
            Assert.All(rejects.Rows, r => Assert.InRange(r.Line, 1, mutant.Count(b => b == (byte)'\n') + 1));
            if (summary.Rejected > 0) rejectedSomething++;
        }
        // The mutations must actually bite, or the test proves nothing.
        Assert.True(rejectedSomething > 50, $"only {rejectedSomething} mutants had a rejected row");
        Assert.True(fileLevel < Mutants / 2, $"{fileLevel} mutants failed at file level");
    }

    private static byte[] ValidCsv()
    {
        var text = new StringBuilder(TestData.Header);
        for (var i = 0; i < 40; i++)
            text.Append(FormattableString.Invariant($"u{i % 5},s{i % 7},{1700000000 + i * 7},{(i % 3 == 0 ? "click" : "scroll_down")},/p/{i % 4},\"cat, {i % 2}\",0.{i % 10},,,,,\n"));
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] ValidJsonLines()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 40; i++)
            text.Append(FormattableString.Invariant($"{{\"user_id\": \"u{i % 5}\", \"session_id\": \"s{i % 7}\", \"timestamp\": {1700000000 + i * 7}, \"action\": \"click\", \"scroll_depth\": 0.{i % 10}, \"page\": \"/p/{i}\"}}\n"));
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] ValidNestedJsonLines()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 15; i++)
            text.Append(FormattableString.Invariant($"{{\"session_id\": \"s{i}\", \"events\": [{{\"timestamp\": {1700000000 + i}, \"action\": \"click\"}}, {{\"timestamp\": {1700000003 + i}, \"action\": \"hover\"}}]}}\n"));
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
