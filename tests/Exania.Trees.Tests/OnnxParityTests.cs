using System.Globalization;
using System.Text;
using System.Text.Json;
using Exania.Testing;

namespace Exania.Trees.Tests;

/// <summary>The exported TreeEnsembleRegressor scored by onnxruntime-node (js/tools/onnx_run.mjs) against <see cref="GbtModel"/>.</summary>
public class OnnxParityTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";
    private const string RequireVariable = "EXANIA_REQUIRE_PYTHON_ONNX";

    [Theory]
    [InlineData(GbtObjective.SquaredError)]
    [InlineData(GbtObjective.Logistic)]
    public void Export_OnnxRuntimeOn1000RowsWithNaN_WithinOneHundredThousandth(GbtObjective objective)
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

        var (outputs, metadata) = RunOnnx(path, temp, floats, test.Rows, test.Columns);
        var name = GbtOnnxExporter.OutputName(objective);
        var onnx = outputs[name];
        Assert.Equal(test.Rows, onnx.Length);
        var expected = new double[test.Rows];
        model.Predict(rounded.AsSpan(), expected);
        double worst = 0;
        for (var r = 0; r < test.Rows; r++)
            worst = Math.Max(worst, Math.Abs(onnx[r] - expected[r]));
        output.WriteLine($"{objective}: max |onnx - C#| = {worst:E2} over {test.Rows} rows");
        Assert.True(worst < 1e-5, $"max abs difference {worst}");
        Assert.Equal(GbtModel.Format, metadata["model_format"]);
        Assert.Equal("[\"" + string.Join("\",\"", model.FeatureNames) + "\"]", metadata["feature_names"]);

        CheckWithPythonOnnx(path);
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
        var (outputs, _) = RunOnnx(path, temp, [1f, float.NaN], 2, 1);
        Assert.Equal([5.0, 5.0], outputs[GbtOnnxExporter.ScoreName]);
    }

    private static (Dictionary<string, double[]> Outputs, Dictionary<string, string> Metadata) RunOnnx(
        string model, TempFolder temp, float[] rowMajor, int rows, int columns)
    {
        RepoPaths.EnsureNodeModules();
        var json = new StringBuilder();
        json.Append("{\"inputs\":{\"").Append(GbtOnnxExporter.InputName).Append("\":{\"dims\":[").Append(rows).Append(',').Append(columns).Append("],\"data\":[");
        for (var i = 0; i < rowMajor.Length; i++)
        {
            if (i > 0)
                json.Append(',');
            // JSON has no NaN; onnx_run.mjs builds a Float32Array, whose Number("NaN") conversion gives NaN.
            json.Append(float.IsNaN(rowMajor[i]) ? "\"NaN\"" : ((double)rowMajor[i]).ToString("R", CultureInfo.InvariantCulture));
        }
        json.Append("]}}}");
        var input = temp.File($"input-{Guid.NewGuid():N}.json");
        var result = temp.File($"output-{Guid.NewGuid():N}.json");
        File.WriteAllText(input, json.ToString());
        var (exit, text) = RepoPaths.Run("node", RepoPaths.Root, Path.Combine(RepoPaths.Js, "tools", "onnx_run.mjs"), model, input, result);
        Assert.True(exit == 0, $"onnx_run.mjs failed ({exit}): {text}");

        using var doc = JsonDocument.Parse(File.ReadAllText(result));
        var outputs = new Dictionary<string, double[]>();
        foreach (var o in doc.RootElement.GetProperty("outputs").EnumerateObject())
            outputs[o.Name] = [.. o.Value.GetProperty("data").EnumerateArray().Select(d => d.GetDouble())];
        var metadata = doc.RootElement.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        return (outputs, metadata);
    }

    private void CheckWithPythonOnnx(string path)
    {
        var available = File.Exists(Python) && RepoPaths.Run(Python, RepoPaths.Root, "-c", "import onnx").Exit == 0;
        if (!available)
        {
            Assert.False(Environment.GetEnvironmentVariable(RequireVariable) == "1", $"{RequireVariable}=1 but `{Python} -c \"import onnx\"` fails; install python3-onnx.");
            output.WriteLine($"python3 cannot import onnx; onnx.checker not run (set {RequireVariable}=1 to make this a failure).");
            return;
        }
        const string Script = "import sys, onnx\nm = onnx.load(sys.argv[1])\nonnx.checker.check_model(m, full_check=True)\nprint('ok', onnx.__version__)";
        var (exit, text) = RepoPaths.Run(Python, RepoPaths.Root, "-c", Script, path);
        Assert.True(exit == 0, $"onnx.checker failed: {text}");
        output.WriteLine(text.Trim());
    }
}
