using Exania.Testing;

namespace Exania.Trees.Tests;

/// <summary>The exported TreeEnsembleRegressor scored by Microsoft.ML.OnnxRuntime in-process against <see cref="GbtModel"/>.</summary>
public class OnnxParityTests(ITestOutputHelper output)
{
    /// <summary>
    /// Relative, |onnx − C#| ≤ 1e-5·max(1, |C#|): the graph stores thresholds and leaf values as float32 and
    /// onnxruntime sums the 100 leaves in float32, so the error grows with the size of the score (regression targets
    /// are not bounded by 1 as probabilities are); an absolute bound would be loose for small scores or fail for large ones.
    /// </summary>
    private const double RelativeTolerance = 1e-5;

    [Theory]
    [InlineData(GbtObjective.SquaredError)]
    [InlineData(GbtObjective.Logistic)]
    public void Export_OnnxRuntimeOn1000RowsWithNaN_WithinOneHundredThousandthRelative(GbtObjective objective)
    {
        var train = objective == GbtObjective.Logistic ? TestData.Classification(3000, 30) : TestData.Regression(3000, 30);
        var model = GbtTrainer.Train(train, new GbtOptions { Rounds = 100, Objective = objective, Threads = 2 });
        var test = objective == GbtObjective.Logistic ? TestData.Classification(1000, 31) : TestData.Regression(1000, 31);
        // The graph takes float32: give both sides the same float-rounded rows.
        var floats = new float[test.Values.Length];
        var rounded = new double[test.Values.Length];
        for (var i = 0; i < floats.Length; i++)
        {
            floats[i] = (float)test.Values[i];
            rounded[i] = floats[i];
        }
        Assert.Contains(rounded, double.IsNaN);

        using var temp = new TempFolder();
        var path = temp.File("gbt.onnx");
        var (builder, bytes) = GbtOnnxExporter.Save(model, path);
        Assert.True(bytes > 0);
        Assert.Equal(objective == GbtObjective.Logistic ? ["ai.onnx.ml.TreeEnsembleRegressor", "Sigmoid"] : ["ai.onnx.ml.TreeEnsembleRegressor"], builder.Graph.OpTypes());

        var run = OnnxRuntimeRunner.Run(path, GbtOnnxExporter.InputName, floats, test.Rows, test.Columns);
        var name = GbtOnnxExporter.OutputName(objective);
        var onnx = run.Outputs[name].Data;
        Assert.Equal(test.Rows, onnx.Length);
        var expected = new double[test.Rows];
        model.Predict(rounded.AsSpan(), expected);
        double worst = 0, worstAbsolute = 0, largest = 0;
        for (var r = 0; r < test.Rows; r++)
        {
            var difference = Math.Abs(onnx[r] - expected[r]);
            worst = Math.Max(worst, difference / Math.Max(1, Math.Abs(expected[r])));
            worstAbsolute = Math.Max(worstAbsolute, difference);
            largest = Math.Max(largest, Math.Abs(expected[r]));
        }
        output.WriteLine($"{objective}: max |onnx - C#| / max(1, |C#|) = {worst:E2} (max |onnx - C#| = {worstAbsolute:E2}, max |C#| = {largest:F2}) over {test.Rows} rows");
        Assert.True(worst <= RelativeTolerance, $"max relative difference {worst:E2} > {RelativeTolerance:E0}");
        Assert.Equal(GbtModel.Format, run.Metadata["model_format"]);
        Assert.Equal("[\"" + string.Join("\",\"", model.FeatureNames) + "\"]", run.Metadata["feature_names"]);

        // Last, since it skips the test when python3-onnx is missing.
        var file = PythonOnnx.Describe(path);
        output.WriteLine($"onnx.checker (full check) passed, onnx {file.OnnxVersion}");
        Assert.Equal([.. builder.Graph.OpTypes()], file.OpTypes);
    }

    [Fact]
    public void Export_SingleLeafTrees_RunInOnnxRuntime()
    {
        // Constant target: every tree is one leaf (no split pays); the graph must still load and give the base score.
        var model = GbtTrainer.Train(TestData.Column([1, 2, 3, 4], [5, 5, 5, 5]), new GbtOptions { Rounds = 3, Threads = 1 });
        Assert.All(model.Trees, t => Assert.Equal(1, t.NodeCount));
        using var temp = new TempFolder();
        var path = temp.File("leaf.onnx");
        GbtOnnxExporter.Save(model, path);
        var run = OnnxRuntimeRunner.Run(path, GbtOnnxExporter.InputName, [1f, float.NaN], 2, 1);
        Assert.Equal([5.0, 5.0], run.Outputs[GbtOnnxExporter.ScoreName].Data);
    }
}
