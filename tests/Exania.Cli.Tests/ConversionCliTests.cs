using System.Globalization;
using System.Text;
using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>exania train conversion</c>, <c>predict conversion</c> and <c>export onnx</c> of the network, end to end, and clear errors for bad input.</summary>
[Collection("console")]
public class ConversionCliTests
{
    /// <summary>A session-table-like CSV: conversion follows x0 among clickers, with true/false text labels for Revenue.</summary>
    private static string Table(int rows)
    {
        var random = new Random(7);
        var text = new StringBuilder("session_id,x0,x1,device,clicked,conversion,dropoff,Revenue\n");
        for (var r = 0; r < rows; r++)
        {
            var x0 = random.NextDouble() * 2 - 1;
            var x1 = random.NextDouble();
            var clicked = random.NextDouble() < 0.6 ? 1 : 0;
            var conversion = clicked == 1 && random.NextDouble() < (x0 > 0 ? 0.7 : 0.15) ? 1 : 0;
            text.Append(CultureInfo.InvariantCulture, $"s{r},{x0:R},{x1:R},{(r % 3 == 0 ? "mobile" : "desktop")},{clicked},{conversion},{clicked * (1 - conversion)},{(conversion == 1 ? "TRUE" : "FALSE")}\n");
        }
        return text.ToString();
    }

    [Fact]
    public void TrainPredictExport_RunEndToEnd_WithEveryModelReported()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("t.csv"), Table(1500));
        var run = CliRunner.Run("train", "conversion", "--table", dir.File("t.csv"), "--targets", "conversion:clicked,dropoff", "--drop", "Revenue",
            "--hidden", "16", "--epochs", "20", "--threads", "1", "--out", dir.File("m"), "--json");
        Assert.True(run.Exit == 0, run.Out + run.Error);
        var json = run.Json!;
        Assert.Equal("train conversion", (string)json["command"]!);
        var outputs = json["outputs"]!.AsArray();
        Assert.Equal(["conversion|clicked", "dropoff"], outputs.Select(o => (string)o!["name"]!));
        foreach (var output in outputs)
            Assert.Equal(["network", "logistic_regression", "gbt"], output!["models"]!.AsArray().Select(m => (string)m!["model"]!));
        var networkAuc = (double)outputs[0]!["models"]![0]!["mean"]!["roc_auc"]!;
        Assert.True(networkAuc > 0.7, $"network AUC {networkAuc}");
        Assert.Contains("Revenue", json["excluded_columns"]!.AsArray().Select(c => (string)c!));
        Assert.True(File.Exists(dir.File("m/conversion_model.json")));
        Assert.True(File.Exists(dir.File("m/conversion_results.json")));

        var predict = CliRunner.Run("predict", "conversion", "--model", dir.File("m"), "--table", dir.File("t.csv"), "--out", dir.File("p.csv"), "--json");
        Assert.True(predict.Exit == 0, predict.Out);
        var lines = File.ReadAllLines(dir.File("p.csv"));
        Assert.Equal("row,p_conversion|clicked,p_dropoff", lines[0]);
        Assert.Equal(1501, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.All(l.Split(',').Skip(1), v => Assert.InRange(double.Parse(v, CultureInfo.InvariantCulture), 0, 1)));

        var export = CliRunner.Run("export", "onnx", "--model", dir.File("m"), "--out", dir.File("m.onnx"), "--json");
        Assert.True(export.Exit == 0, export.Out);
        Assert.Equal("conversion", (string)export.Json!["model_kind"]!);
        Assert.True(new FileInfo(dir.File("m.onnx")).Length > 1000);
    }

    [Fact]
    public void Train_SingleTaskOnTrueFalseLabels_Works()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("t.csv"), Table(800));
        var run = CliRunner.Run("train", "conversion", "--table", dir.File("t.csv"), "--targets", "Revenue", "--hidden", "8", "--epochs", "5",
            "--no-baselines", "--threads", "1", "--out", dir.File("m"), "--json");
        Assert.True(run.Exit == 0, run.Out + run.Error);
        var output = run.Json!["outputs"]!.AsArray().Single()!;
        Assert.Equal("Revenue", (string)output["name"]!);
        Assert.Single(output["models"]!.AsArray());
    }

    [Theory]
    [InlineData("purchase", "'purchase' is not in the table")]
    [InlineData("conversion:", "not of the form column or column:given")]
    [InlineData("conversion:conversion", "conditioned on its own target")]
    public void Train_BadTargets_AreUsageErrorsNamingTheProblem(string targets, string message)
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("t.csv"), Table(100));
        var run = CliRunner.Run("train", "conversion", "--table", dir.File("t.csv"), "--targets", targets, "--out", dir.File("m"), "--json");
        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("m/conversion_model.json")));
    }

    [Fact]
    public void Train_ATargetWithOneClass_SaysSo()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("t.csv"), "a,y\n1,0\n2,0\n3,0\n");
        var run = CliRunner.Run("train", "conversion", "--table", dir.File("t.csv"), "--targets", "y", "--out", dir.File("m"), "--json");
        Assert.Equal(2, run.Exit);
        Assert.Contains("is 0 in every one of the 3 rows", run.Out, StringComparison.Ordinal);
    }
}
