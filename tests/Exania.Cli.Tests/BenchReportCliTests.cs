using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>bench ... --report</c>: the page embeds the command's JSON result, at a size that runs in a second (no peers).</summary>
[Collection("console")]
public class BenchReportCliTests
{
    [Fact]
    public void BenchSegment_Report_EmbedsThePrintedResult_AndSaysThePeerWasNotRun()
    {
        using var dir = new TestData.TempDir();
        var html = dir.File("bench/segment.html");
        var run = CliRunner.Run("bench", "segment", "--rows", "2000", "--repeat", "1", "--work", dir.File("w"), "--report", html, "--json");
        Assert.True(run.Exit == 0, run.Out + run.Error);
        var printed = run.Json!;
        Assert.Equal(html, (string)printed["report"]!);
        var page = File.ReadAllText(html);
        Assert.Contains("data-report=\"bench\"", page, StringComparison.Ordinal);
        Assert.Contains("The peer was not run (give --peers)", page, StringComparison.Ordinal);
        Assert.Contains(System.Net.WebUtility.HtmlEncode("generated 2,000 × 10, k = 8"), page, StringComparison.Ordinal);

        var embedded = JsonNode.Parse(Regex.Match(page, "<script type=\"application/json\" id=\"exania-report-data\">(.*?)</script>", RegexOptions.Singleline)
            .Groups[1].Value.Replace("<\\/", "</", StringComparison.Ordinal))!;
        printed.Remove("report");
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(printed.ToJsonString()).RootElement, JsonDocument.Parse(embedded.ToJsonString()).RootElement),
            "the page embeds a different result than the command printed");
    }

    [Fact]
    public void Bench_Report_WritesThePage_WithoutPeers()
    {
        using var dir = new TestData.TempDir();
        var html = dir.File("bench.html");
        var run = CliRunner.Run("bench", "--sessions", "100", "--repeat", "1", "--skip-training", "--work", dir.File("w"), "--report", html, "--json");
        Assert.True(run.Exit == 0, run.Out + run.Error);
        Assert.Equal(html, (string)run.Json!["report"]!);
        Assert.Contains("The peer was not run (give --peers)", File.ReadAllText(html), StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_Summary_RatiosAreExaniaOverPeerSeconds_AndTheAucIsTheQuality()
    {
        // A result of the shape `bench --peers` prints (figures made up for the test).
        var result = JsonNode.Parse("""
            { "command": "bench",
              "extraction": { "events": 1000, "seconds": 0.5, "peer": { "seconds": 4.0 } },
              "training": { "rows": 200, "seconds": 2.0, "auc_mean": 0.81, "peer": { "seconds": 8.0, "auc_mean": 0.80 } } }
            """)!.AsObject();
        var summary = BenchCommand.Summary(result, 3);
        Assert.Equal([0.125, 0.25], summary.Figures.Select(f => f.Ratio!.Value));
        Assert.Equal((0.81, 0.80), (summary.Figures[1].Quality!.Exania, summary.Figures[1].Quality!.Peer!.Value));
        Assert.Null(summary.Figures[0].Quality);
    }
}
