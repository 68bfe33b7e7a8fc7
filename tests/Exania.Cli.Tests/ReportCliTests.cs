using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>--report</c> on the train commands and <c>exania report --model</c>: the file is written, embeds the figures the command printed, and fails clearly.</summary>
[Collection("console")]
public partial class ReportCliTests
{
    [Fact]
    public void TrainClick_Report_EmbedsTheJsonTheCommandPrinted_AndReportCommandRedrawsIt()
    {
        using var dir = new TestData.TempDir();
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "400", "--seed", "5", "--out", dir.File("e.csv")).Exit);
        Assert.Equal(0, CliRunner.Run("windows", "--events", dir.File("e.csv"), "--out", dir.File("w.csv")).Exit);
        var train = CliRunner.Run("train", "click", "--features", dir.File("w.csv"), "--out", dir.File("m"), "--folds", "3", "--report", dir.File("m/report.html"), "--json");
        Assert.True(train.Exit == 0, train.Out + train.Error);
        Assert.Equal(dir.File("m/report.html"), (string)train.Json!["report"]!);
        var html = File.ReadAllText(dir.File("m/report.html"));
        using var embedded = Embedded(html);
        // The printed JSON is the results plus the command's own keys (paths, times; the results' "seconds" of the
        // cross-validation is printed as "cv_seconds", "seconds" there being the whole command): every results key is equal.
        using var printed = JsonDocument.Parse(train.Json.ToJsonString());
        foreach (var property in embedded.RootElement.EnumerateObject())
            Assert.True(JsonElement.DeepEquals(property.Value, printed.RootElement.GetProperty(property.Name == "seconds" ? "cv_seconds" : property.Name)), property.Name);

        var again = CliRunner.Run("report", "--model", dir.File("m"), "--json");
        Assert.True(again.Exit == 0, again.Out + again.Error);
        Assert.Equal("click", (string)again.Json!["kind"]!);
        Assert.Equal(Path.Combine(dir.File("m"), "click_report.html"), (string)again.Json["report"]!);
        using var redrawn = Embedded(File.ReadAllText(dir.File("m/click_report.html")));
        Assert.True(JsonElement.DeepEquals(embedded.RootElement, redrawn.RootElement));
    }

    [Fact]
    public void TrainConversion_Report_DrawsEveryOutputWithItsBaselines_AndTheFeatureThatMattersComesFirst()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("t.csv"), Table(1200));
        var run = CliRunner.Run("train", "conversion", "--table", dir.File("t.csv"), "--targets", "conversion:clicked,dropoff",
            "--hidden", "12", "--epochs", "15", "--threads", "1", "--out", dir.File("m"), "--report", dir.File("r.html"), "--json");
        Assert.True(run.Exit == 0, run.Out + run.Error);
        var html = File.ReadAllText(dir.File("r.html"));
        using var embedded = Embedded(html);
        using var results = JsonDocument.Parse(File.ReadAllText(dir.File("m/conversion_results.json")));
        Assert.True(JsonElement.DeepEquals(results.RootElement, embedded.RootElement));
        foreach (var id in new[] { "loss", "conversion-clicked-roc", "conversion-clicked-pr", "conversion-clicked-calibration", "conversion-clicked-importance", "dropoff-roc" })
            Assert.Contains($"data-chart=\"{id}\"", html, StringComparison.Ordinal);
        foreach (var model in new[] { "logistic_regression (AUC", "gbt (AUC", "network (AUC" })
            Assert.Contains($"data-series=\"{model}", html, StringComparison.Ordinal);
        // Conversion among clickers follows x0 alone: the network's permutation importance must say so.
        var importance = results.RootElement.GetProperty("outputs")[0].GetProperty("importance");
        Assert.Equal("x0", importance[0].GetProperty("feature").GetString());
        Assert.True(importance[0].GetProperty("auc_drop_mean").GetDouble() > 0.1);
    }

    [Fact]
    public void Report_WithoutResults_SaysWhichFileIsMissing()
    {
        using var dir = new TestData.TempDir();
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "200", "--seed", "5", "--out", dir.File("e.csv")).Exit);
        Assert.Equal(0, CliRunner.Run("windows", "--events", dir.File("e.csv"), "--out", dir.File("w.csv")).Exit);
        Assert.Equal(0, CliRunner.Run("train", "click", "--features", dir.File("w.csv"), "--out", dir.File("m"), "--folds", "2").Exit);
        File.Delete(dir.File("m/training_results.json"));
        var run = CliRunner.Run("report", "--model", dir.File("m"));
        Assert.NotEqual(0, run.Exit);
        Assert.Contains("training_results.json", run.Out + run.Error, StringComparison.Ordinal);
        var badKind = CliRunner.Run("report", "--model", dir.File("m"), "--kind", "nope");
        Assert.Equal(2, badKind.Exit);
        Assert.Contains("--kind 'nope'", badKind.Out + badKind.Error, StringComparison.Ordinal);
    }

    private static JsonDocument Embedded(string html)
    {
        var match = DataElement().Match(html);
        Assert.True(match.Success, "no embedded JSON");
        return JsonDocument.Parse(match.Groups[1].Value.Replace("<\\/", "</", StringComparison.Ordinal));
    }

    /// <summary>A session-table-like CSV: conversion follows x0 among clickers; x1 is noise.</summary>
    private static string Table(int rows)
    {
        var random = new Random(3);
        var text = new StringBuilder("session_id,x0,x1,clicked,conversion,dropoff\n");
        for (var r = 0; r < rows; r++)
        {
            var x0 = random.NextDouble() * 2 - 1;
            var x1 = random.NextDouble();
            var clicked = random.NextDouble() < 0.6 ? 1 : 0;
            var conversion = clicked == 1 && random.NextDouble() < (x0 > 0 ? 0.75 : 0.1) ? 1 : 0;
            text.Append(CultureInfo.InvariantCulture, $"s{r},{x0:R},{x1:R},{clicked},{conversion},{clicked * (1 - conversion)}\n");
        }
        return text.ToString();
    }

    [GeneratedRegex("<script type=\"application/json\" id=\"exania-report-data\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex DataElement();
}
