using System.Text.Json.Nodes;
using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>generate campaigns</c>, <c>train roas</c>, <c>predict roas</c> and the ROAS ONNX export, end to end.</summary>
[Collection("console")]
public class RoasCliTests
{
    private static (int Exit, JsonObject? Json, string Error) Run(params string[] args)
    {
        var result = CliRunner.Run(args);
        return (result.Exit, result.Json, result.Error);
    }

    private const string Leaks = "conversions,conversion_rate,campaign_id,date,start_date";

    [Fact]
    public void TrainRoas_GeneratedCampaigns_TreesBeatTheLinearBaseline()
    {
        using var dir = new TestData.TempDir();
        var campaigns = dir.File("campaigns.csv");
        Assert.Equal(0, Run("generate", "campaigns", "--rows", "12000", "--seed", "2", "--out", campaigns, "--json").Exit);
        var (exit, json, error) = Run("train", "roas", "--campaigns", campaigns, "--target", "roas", "--out", dir.File("m"),
            "--exclude", Leaks, "--rounds", "120", "--json");
        Assert.True(exit == 0, error);
        var r2 = (double)json!["r2"]!;
        var linear = (double)json["linear_r2"]!;
        Assert.True(r2 > linear + 0.05, $"trees R2 {r2} vs linear {linear}");
        Assert.True((double)json["rmse"]! > 0 && (double)json["seconds"]! > 0);
        Assert.True((int)json["input"]!["dropped_zero_spend"]! > 0, "paused days are dropped and counted");
        Assert.Contains("revenue", json["excluded"]!.AsArray().Select(e => (string)e!));
        Assert.DoesNotContain(json["importance"]!["gain"]!.AsArray(), f => (string)f!["feature"]! == "revenue");
        Assert.Equal(4, json["by_days_active"]!.AsArray().Count);
        Assert.True(File.Exists(dir.File("m/roas_model.json")));
        Assert.True(File.Exists(dir.File("m/roas_results.json")));

        var predict = Run("predict", "roas", "--model", dir.File("m"), "--campaigns", campaigns, "--out", dir.File("p.csv"), "--json");
        Assert.Equal(0, predict.Exit);
        var lines = File.ReadAllLines(dir.File("p.csv"));
        Assert.Equal("row,campaign_id,predicted_roas", lines[0]);
        Assert.Equal(12_001, lines.Length);

        var export = Run("export", "onnx", "--model", dir.File("m"), "--out", dir.File("roas.onnx"), "--json");
        Assert.Equal(0, export.Exit);
        Assert.Equal("roas", (string)export.Json!["model_kind"]!);
        Assert.True(new FileInfo(dir.File("roas.onnx")).Length > 1000);
    }

    [Fact]
    public void TrainRoas_DateSplit_HoldsOutTheNewestCampaigns()
    {
        using var dir = new TestData.TempDir();
        var campaigns = dir.File("c.csv");
        Assert.Equal(0, Run("generate", "campaigns", "--rows", "4000", "--out", campaigns).Exit);
        var (exit, json, error) = Run("train", "roas", "--campaigns", campaigns, "--out", dir.File("m"), "--split", "date",
            "--exclude", Leaks, "--rounds", "40", "--json");
        Assert.True(exit == 0, error);
        Assert.Equal("date", (string)json!["split"]!);
        Assert.InRange((int)json["test_rows"]!, 500, 1500);
    }

    [Fact]
    public void TrainRoas_RealOnlineAdvertisingData_WithSpendMappedToCost()
    {
        using var dir = new TestData.TempDir();
        var (exit, json, error) = Run("train", "roas", "--campaigns", TestData.Path("online_advertising_head2000.csv"),
            "--map", "spend=cost", "--exclude", "post_click_conversions,post_click_sales_amount", "--rounds", "50",
            "--out", dir.File("m"), "--json");
        Assert.True(exit == 0, error);
        Assert.True((int)json!["input"]!["dropped_zero_spend"]! > 0);
        Assert.True(double.IsFinite((double)json["r2"]!));
    }

    [Fact]
    public void TrainRoas_Report_WritesTheHtmlWithTheResultsFileEmbedded_AndReportModelRedrawsIt()
    {
        using var dir = new TestData.TempDir();
        var html = dir.File("out/roas.html");
        var (exit, json, error) = Run("train", "roas", "--campaigns", TestData.Path("online_advertising_head2000.csv"),
            "--map", "spend=cost", "--exclude", "post_click_conversions,post_click_sales_amount", "--rounds", "40", "--early-stopping", "5",
            "--out", dir.File("m"), "--report", html, "--json");
        Assert.True(exit == 0, error);
        Assert.Equal(html, (string)json!["report"]!);
        var page = File.ReadAllText(html);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        Assert.Contains("data-report=\"roas\"", page, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"predicted-actual\"", page, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"loss\"", page, StringComparison.Ordinal);
        // This table has no days_active column: the report says so instead of drawing the age charts.
        Assert.DoesNotContain("data-chart=\"rmse-by-age\"", page, StringComparison.Ordinal);
        Assert.Contains("no numeric days_active column", page, StringComparison.Ordinal);
        var results = File.ReadAllText(dir.File("m/roas_results.json"));
        var embedded = System.Text.RegularExpressions.Regex.Match(page, "<script type=\"application/json\" id=\"exania-report-data\">(.*?)</script>",
            System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value.Replace("<\\/", "</", StringComparison.Ordinal);
        Assert.Equal(results, embedded);
        Assert.Null(JsonNode.Parse(results)!["report"]);

        var redraw = Run("report", "--model", dir.File("m"), "--json");
        Assert.True(redraw.Exit == 0, redraw.Error);
        Assert.Equal("roas", (string)redraw.Json!["kind"]!);
        var redrawn = File.ReadAllText((string)redraw.Json["report"]!);
        Assert.Contains(embedded, redrawn, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainRoas_ReportOverTheCampaignTable_IsRefused()
    {
        using var dir = new TestData.TempDir();
        var campaigns = dir.File("c.csv");
        File.Copy(TestData.Path("online_advertising_head2000.csv"), campaigns);
        var (exit, _, error) = Run("train", "roas", "--campaigns", campaigns, "--map", "spend=cost", "--rounds", "5", "--out", dir.File("m"), "--report", campaigns);
        Assert.Equal(2, exit);
        Assert.Contains("--report", error, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(TestData.Path("online_advertising_head2000.csv")), File.ReadAllBytes(campaigns));
    }

    [Theory]
    [InlineData("--exclude", "nope", "'nope', which is not a column")]
    [InlineData("--target", "ad_type", "is text, not numbers")]
    [InlineData("--split", "weekly", "--split 'weekly'")]
    public void TrainRoas_BadArguments_ExitTwoWithAClearMessage(string option, string value, string message)
    {
        using var dir = new TestData.TempDir();
        var campaigns = dir.File("c.csv");
        Assert.Equal(0, Run("generate", "campaigns", "--rows", "300", "--out", campaigns).Exit);
        var (exit, _, error) = Run("train", "roas", "--campaigns", campaigns, "--out", dir.File("m"), option, value);
        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }
}

/// <summary>The benchmarks stay runnable (tiny sizes, no peers): figures are produced, not judged.</summary>
[Collection("console")]
public class BenchSmokeTests
{
    [Fact]
    public void Bench_ClickAndRoas_RunAtTinySizes()
    {
        using var dir = new TestData.TempDir();
        var clickRun = CliRunner.Run("bench", "--sessions", "60", "--samples", "600", "--repeat", "1", "--work", dir.Root, "--json");
        var roasRun = CliRunner.Run("bench", "roas", "--rows", "600", "--large-rows", "1500", "--rounds", "5", "--work", dir.Root, "--json");
        Assert.Equal((0, 0), (clickRun.Exit, roasRun.Exit));
        var click = clickRun.Json!;
        Assert.True((double)click["extraction"]!["extract_events_per_second"]! > 0);
        Assert.True((double)click["training"]!["auc_mean"]! > 0.5);
        var roas = roasRun.Json!;
        Assert.True((double)roas["cases"]![0]!["seconds"]! > 0);
        Assert.True((double)roas["large"]!["peak_working_set_mb"]! > 0);
    }
}
