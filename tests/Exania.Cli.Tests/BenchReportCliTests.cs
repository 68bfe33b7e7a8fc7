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

    [Fact]
    public void BenchLive_Report_DrawsEachPhaseAgainstItsGoal()
    {
        // A result of the shape `bench live` prints (figures made up for the test).
        var result = JsonNode.Parse("""
            { "command": "bench live", "seconds_per_phase": 15, "sessions": 100000, "store_live_events": false,
              "batch_of_10": { "connections": 64, "requests_per_second": 14000, "events_per_second": 140000, "p50_ms": 3.1, "p99_ms": 9.5 },
              "single_event": { "connections": 64, "requests_per_second": 18000, "events_per_second": 18000, "p50_ms": 2.9, "p99_ms": 8.0 },
              "single_event_low_load": { "connections": 2, "requests_per_second": 6000, "events_per_second": 6000, "p50_ms": 0.3, "p99_ms": 1.4 },
              "rss_bytes_start": 300000000, "rss_bytes_end": 320000000 }
            """)!.AsObject();
        var summary = BenchLiveCommand.Summary(result);
        Assert.Empty(summary.Figures);
        var latency = summary.Measurements!.Single(m => m.Id == "latency");
        Assert.Equal([1.4], latency.Groups.Single(g => g.Name == "p99").Values.Skip(2));
        Assert.Equal(2, latency.Goal);
        Assert.Equal([140000.0], summary.Measurements!.Single(m => m.Id == "events-per-second").Groups[0].Values);
        var html = Exania.Reports.BenchReportPage.Build(summary, result.ToJsonString()).Render();
        foreach (var id in new[] { "events-per-second", "requests-per-second", "latency", "memory" })
            Assert.Contains($"data-chart=\"{id}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Time against the peer", html, StringComparison.Ordinal);
        Assert.Contains("goal 20,000", html, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchCluster_Report_DrawsEveryNodeCount()
    {
        // A result of the shape `bench cluster` prints (figures made up for the test).
        var result = JsonNode.Parse("""
            { "command": "bench cluster", "seconds_per_phase": 20, "sessions": 20000, "postgres_fsync": "on", "postgres_synchronous_commit": "on",
              "runs": [
                { "nodes": 1, "batch_of_10": { "connections": 64, "requests_per_second": 1400, "events_per_second": 14000, "p50_ms": 40, "p99_ms": 110 },
                  "single_event_low_load": { "connections": 2, "requests_per_second": 900, "events_per_second": 900, "p50_ms": 1.9, "p99_ms": 15 },
                  "state_writes": 28000, "state_writes_per_batch": 0.98 },
                { "nodes": 2, "batch_of_10": { "connections": 64, "requests_per_second": 800, "events_per_second": 8000, "p50_ms": 90, "p99_ms": 270 },
                  "single_event_low_load": { "connections": 2, "requests_per_second": 700, "events_per_second": 700, "p50_ms": 2.9, "p99_ms": 16 },
                  "state_writes": 16000, "state_writes_per_batch": 1.0 } ] }
            """)!.AsObject();
        var summary = BenchClusterCommand.Summary(result);
        Assert.Empty(summary.Figures);
        var throughput = summary.Measurements!.Single(m => m.Id == "events-per-second");
        Assert.Equal(["1 node(s)", "2 node(s)"], throughput.Categories);
        Assert.Equal([14000.0, 8000.0], throughput.Groups[0].Values);
        Assert.Equal([15.0, 16.0], summary.Measurements!.Single(m => m.Id == "latency").Groups.Single(g => g.Name == "p99").Values);
        Assert.Equal([0.98, 1.0], summary.Measurements!.Single(m => m.Id == "state-writes").Groups[0].Values);
        var html = Exania.Reports.BenchReportPage.Build(summary, result.ToJsonString()).Render();
        Assert.Contains("on / on", html, StringComparison.Ordinal);
        foreach (var id in new[] { "events-per-second", "latency", "state-writes" })
            Assert.Contains($"data-chart=\"{id}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchDashboard_Summary_IngestIsAgainstDuckDbReadCsv_AndEachEndpointAgainst300Ms()
    {
        var result = JsonNode.Parse("""
            { "command": "bench dashboard", "events": 1000, "csv_bytes": 50000, "duckdb_read_csv_seconds": 0.5,
              "stores": [
                { "store": "duckdb", "ingest_seconds": 1.0, "ratio_to_duckdb_read_csv": 2.0, "duckdb_copy_of_stored_rows_seconds": 0.8,
                  "endpoints": [ { "endpoint": "overview", "warm_p95_ms": 12, "new_filter_p95_ms": 400 }, { "endpoint": "paths", "warm_p95_ms": 30, "new_filter_p95_ms": 90 } ] },
                { "store": "postgresql", "ingest_seconds": 3.0, "ratio_to_duckdb_read_csv": 6.0,
                  "endpoints": [ { "endpoint": "paths", "warm_p95_ms": 31, "new_filter_p95_ms": 95 }, { "endpoint": "overview", "warm_p95_ms": 15, "new_filter_p95_ms": 500 } ] } ] }
            """)!.AsObject();
        var summary = BenchDashboardCommand.Summary(result);
        Assert.Equal([2.0, 6.0], summary.Figures.Select(f => f.Ratio!.Value));
        Assert.All(summary.Figures, f => Assert.Equal(0.5, f.PeerValue));
        // DuckDB's own copy of the stored rows is a fact of the run, not one of Exania's figures.
        Assert.Equal("0.8", Assert.Single(summary.Parameters, f => f.Name.StartsWith("seconds DuckDB takes to copy", StringComparison.Ordinal)).Value);
        var fresh = summary.Measurements!.Single(m => m.Id == "p95-new-filter");
        Assert.Equal(["overview", "paths"], fresh.Categories);
        // Matched by endpoint name, not by position: PostgreSQL lists them in another order.
        Assert.Equal([500.0, 95.0], fresh.Groups.Single(g => g.Name == "postgresql").Values);
        Assert.Equal(300, fresh.Goal);
    }
}
