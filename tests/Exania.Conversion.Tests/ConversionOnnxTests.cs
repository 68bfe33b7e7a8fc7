using Exania.Conversion;
using Exania.Testing;

namespace Exania.Conversion.Tests;

/// <summary>The exported conversion network scores like the C# model in ONNX Runtime, missing values and ESMM products included.</summary>
public class ConversionOnnxTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExportedNetwork_MatchesTheModel_InOnnxRuntime(bool esmm)
    {
        var tasks = ConversionTask.Parse("conversion:clicked,dropoff");
        var table = ConversionNetworkTests.SyntheticSessions(800, 9);
        var data = ConversionDataset.From(table, tasks);
        var options = new ConversionExperimentOptions
        {
            Baselines = false,
            Network = ConversionTrainingOptions.Default with { Hidden = [12, 8], Epochs = 6, Esmm = esmm, Threads = 1 },
        };
        var model = ConversionExperiment.Run(data, tasks, options, cancellationToken: TestContext.Current.CancellationToken).Model;
        var rows = Enumerable.Range(0, data.Rows).ToArray();
        var encoded = model.Preprocessor.Encode(data, rows);
        // Missing values go through the graph's imputation: blank a few cells.
        for (var i = 0; i < encoded.Length; i += 37)
            encoded[i] = double.NaN;
        var width = model.Shape.Inputs;
        var floats = Array.ConvertAll(encoded, v => (float)v);
        var expected = new double[model.Outputs.Count];

        var path = Path.Combine(Path.GetTempPath(), $"exania-conversion-{Guid.NewGuid():N}.onnx");
        try
        {
            var (builder, _) = ConversionOnnxExporter.Save(model, path);
            var run = OnnxRuntimeRunner.Run(path, ConversionOnnxExporter.InputName, floats, data.Rows, width);
            var actual = run.Outputs[ConversionOnnxExporter.OutputName];
            Assert.Equal([data.Rows, model.Outputs.Count], actual.Dims);
            double worst = 0;
            for (var r = 0; r < data.Rows; r++)
            {
                // The C# model reads the same float32-rounded inputs the graph reads.
                var row = new double[width];
                for (var c = 0; c < width; c++)
                    row[c] = floats[r * width + c];
                model.Predict(row, expected);
                for (var o = 0; o < expected.Length; o++)
                    worst = Math.Max(worst, Math.Abs(expected[o] - actual.Data[r * expected.Length + o]));
            }
            output.WriteLine($"esmm={esmm}: max |onnx − C#| = {worst:E2} over {data.Rows} rows × {expected.Length} outputs");
            Assert.True(worst <= Tolerance, $"max difference {worst:E2} > {Tolerance:E0}");
            Assert.Equal(ConversionModel.Format, run.Metadata["model_format"]);
            Assert.Equal(model.Outputs.Select(o => o.Name), System.Text.Json.JsonSerializer.Deserialize<string[]>(run.Metadata["outputs"])!);

            var file = PythonOnnx.Describe(path);
            Assert.Equal([.. builder.Graph.OpTypes()], file.OpTypes);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
