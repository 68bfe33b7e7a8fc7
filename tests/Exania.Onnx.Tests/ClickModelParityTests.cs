using Exania.Click;
using Exania.Testing;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Exania.Onnx.Tests;

/// <summary>The exported graph, run by Microsoft.ML.OnnxRuntime in-process, against <see cref="ClickModel"/> in C#.</summary>
[Collection("onnx")]
public sealed class ClickModelParityTests(ClickModels models, ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData("d1")]
    [InlineData("d2")]
    [InlineData("d2-c100")]
    [InlineData("d3")]
    public void Export_DoublePrecision_MatchesClickModelOnEveryWindow(string name)
    {
        var model = models.ByName(name);
        var (maxDiff, labelMismatches, run) = Score(model, OnnxPrecision.Double);
        output.WriteLine($"{name}, double graph: {models.Rows} rows, max |p_onnx - p_cs| = {maxDiff:E3}, label mismatches {labelMismatches}");

        Assert.True(models.Rows >= 1000, $"only {models.Rows} feature vectors");
        Assert.True(maxDiff < Tolerance, $"max abs difference {maxDiff:E3} >= {Tolerance:E0}");
        Assert.Equal(0, labelMismatches);
        Assert.Equal(TensorElementType.Float, run.Outputs[ClickModelOnnxExporter.ProbabilityName].Type);
        Assert.Equal(TensorElementType.Int64, run.Outputs[ClickModelOnnxExporter.LabelName].Type);
        Assert.Equal([models.Rows, 1L], run.Outputs[ClickModelOnnxExporter.ProbabilityName].Dims);
        Assert.Equal([models.Rows, 1L], run.Outputs[ClickModelOnnxExporter.LabelName].Dims);
    }

    [Fact]
    public void Export_DoublePrecision_PredictsBothClasses()
    {
        // Guards the label comparison against a model that trivially predicts one class.
        var (_, _, run) = Score(models.Degree2, OnnxPrecision.Double);
        var labels = run.Outputs[ClickModelOnnxExporter.LabelName].Data;
        Assert.Contains(0.0, labels);
        Assert.Contains(1.0, labels);
    }

    /// <summary>
    /// float32 arithmetic, measured: the reason <see cref="OnnxPrecision.Double"/> is the default. The bound here is
    /// loose (the graph is still the right function); the measured figure is written to the test output.
    /// </summary>
    [Theory]
    [InlineData("d2")]
    [InlineData("d2-c100")]
    [InlineData("d3")]
    public void Export_FloatPrecision_IsCloseButLessExact(string name)
    {
        var model = models.ByName(name);
        var (floatDiff, floatLabels, _) = Score(model, OnnxPrecision.Float);
        var (doubleDiff, _, _) = Score(model, OnnxPrecision.Double);
        output.WriteLine($"{name}: float graph max |dp| = {floatDiff:E3} ({floatLabels} label mismatches); double graph {doubleDiff:E3}");

        Assert.True(floatDiff < 1e-3, $"float graph max abs difference {floatDiff:E3}");
        Assert.True(doubleDiff <= floatDiff, $"double graph ({doubleDiff:E3}) less exact than float ({floatDiff:E3})");
    }

    private (double MaxDiff, int LabelMismatches, OnnxRun Run) Score(ClickModel model, OnnxPrecision precision)
    {
        using var temp = new TempFolder();
        var path = temp.File("model.onnx");
        ClickModelOnnxExporter.Save(model, path, precision);
        var run = OnnxRuntimeRunner.Run(path, ClickModelOnnxExporter.InputName, models.Features, models.Rows, model.FeatureNames.Count);
        var expected = models.Reference(model);
        var probabilities = run.Outputs[ClickModelOnnxExporter.ProbabilityName].Data;
        var labels = run.Outputs[ClickModelOnnxExporter.LabelName].Data;
        Assert.Equal(expected.Length, probabilities.Length);
        Assert.Equal(expected.Length, labels.Length);
        var maxDiff = 0.0;
        var mismatches = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(probabilities[i] - expected[i]));
            if (labels[i] != (expected[i] >= model.Threshold ? 1 : 0))
                mismatches++;
        }
        return (maxDiff, mismatches, run);
    }
}
