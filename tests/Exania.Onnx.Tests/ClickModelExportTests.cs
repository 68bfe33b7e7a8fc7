using System.Globalization;
using System.Text.Json;
using Exania.Click;
using Exania.Features;
using Exania.Onnx.Proto;
using Exania.Testing;

namespace Exania.Onnx.Tests;

/// <summary>The exported click graph itself: structure, metadata, size, determinism, and the onnx checker.</summary>
[Collection("onnx")]
public sealed class ClickModelExportTests(ClickModels models, ITestOutputHelper output)
{
    /// <summary>Operators onnxruntime-web's wasm backend implements for these types (opset 17).</summary>
    private static readonly string[] s_wasmOps = ["Cast", "Sub", "Div", "Gather", "Mul", "Concat", "MatMul", "Add", "Sigmoid", "GreaterOrEqual"];

    [Fact]
    public void Export_Degree2_IsAFewKilobytes()
    {
        var bytes = ClickModelOnnxExporter.Build(models.Degree2).ToBytes();
        output.WriteLine($"degree 2 (230 terms), double graph: {bytes.Length:N0} bytes; float graph: {ClickModelOnnxExporter.Build(models.Degree2, OnnxPrecision.Float).ToBytes().Length:N0} bytes");
        Assert.True(bytes.Length < 50 * 1024, $"{bytes.Length} bytes");
    }

    [Fact]
    public void Export_Metadata_DescribesTheModel()
    {
        var model = models.Degree2;
        var proto = ModelProto.Parser.ParseFrom(ClickModelOnnxExporter.Build(model).ToBytes());
        var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);

        Assert.Equal(ClickModel.Format, metadata["model_format"]);
        Assert.Equal("1", metadata["model_format_version"]);
        Assert.Equal(WindowFeatures.Names, JsonSerializer.Deserialize<string[]>(metadata["feature_names"]));
        Assert.Equal(model.Threshold, double.Parse(metadata["threshold"], CultureInfo.InvariantCulture));
        Assert.Equal("2", metadata["degree"]);
        Assert.Equal("230", metadata["expanded_terms"]);
        Assert.Equal("double", metadata["precision"]);
        var opTypes = JsonSerializer.Deserialize<string[]>(metadata["op_types"])!;
        Assert.Equal(proto.Graph.Node.Select(n => n.OpType).Distinct(), opTypes);
    }

    [Theory]
    [InlineData("d1", OnnxPrecision.Double)]
    [InlineData("d2", OnnxPrecision.Double)]
    [InlineData("d3", OnnxPrecision.Double)]
    [InlineData("d2", OnnxPrecision.Float)]
    public void Export_Graph_HasTheDocumentedInterfaceAndOnlyWasmOperators(string name, OnnxPrecision precision)
    {
        var model = models.ByName(name);
        var proto = ModelProto.Parser.ParseFrom(ClickModelOnnxExporter.Build(model, precision).ToBytes());

        Assert.Equal(8, proto.IrVersion);
        var opset = Assert.Single(proto.OpsetImport);
        Assert.Equal(("", 17L), (opset.Domain, opset.Version));
        var input = Assert.Single(proto.Graph.Input);
        Assert.Equal("features", input.Name);
        Assert.Equal((int)OnnxElementType.Float, input.Type.TensorType.ElemType);
        Assert.Equal("N", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(20, input.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal(["click_probability", "click_label"], proto.Graph.Output.Select(o => o.Name));
        Assert.Equal([(int)OnnxElementType.Float, (int)OnnxElementType.Int64], proto.Graph.Output.Select(o => o.Type.TensorType.ElemType));
        Assert.All(proto.Graph.Node, n => Assert.Contains(n.OpType, s_wasmOps));
        Assert.All(proto.Graph.Node, n => Assert.False(n.HasDomain));
        // One Gather pair and one Mul per degree above 1.
        Assert.Equal(model.Degree - 1, proto.Graph.Node.Count(n => n.OpType == "Mul"));
        var coefficients = proto.Graph.Initializer.Single(t => t.Name == "coefficients");
        Assert.Equal([model.Expansion.TermCount, 1L], coefficients.Dims);
        Assert.Equal(precision == OnnxPrecision.Double ? model.Coefficients.ToArray() : [], coefficients.DoubleData);
    }

    [Fact]
    public void Export_SameModel_SameBytes()
    {
        var a = ClickModelOnnxExporter.Build(models.Degree2).ToBytes();
        var b = ClickModelOnnxExporter.Build(ClickModel.FromJson(models.Degree2.ToJson())).ToBytes();
        Assert.Equal(a, b);
    }

    [Fact]
    public void Save_OverwritesAtomically_LeavingNoTemporaryFiles()
    {
        using var temp = new TempFolder();
        var path = temp.File("interaction_predictor.onnx");
        File.WriteAllText(path, "old");
        var (_, bytes) = ClickModelOnnxExporter.Save(models.Degree1, path);
        Assert.Equal(bytes, new FileInfo(path).Length);
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Export_Metadata_IsReadByOnnxRuntimeAndMatchesTheFile()
    {
        using var temp = new TempFolder();
        var path = temp.File("model.onnx");
        ClickModelOnnxExporter.Save(models.Degree2, path);
        var run = OnnxRuntimeRunner.Run(path, ClickModelOnnxExporter.InputName, models.Features[..20], 1, 20);
        Assert.Equal(ClickModel.Format, run.Metadata["model_format"]);
        Assert.Equal([ClickModelOnnxExporter.InputName], run.Inputs);

        // The op types and IR version as the onnx package reads them, independently of the C# writer.
        var file = PythonOnnx.Describe(path);
        Assert.Equal(JsonSerializer.Deserialize<string[]>(run.Metadata["op_types"]), file.OpTypes);
        Assert.Equal(8, file.IrVersion);
    }

    [Theory]
    [InlineData("d1", OnnxPrecision.Double)]
    [InlineData("d2", OnnxPrecision.Double)]
    [InlineData("d3", OnnxPrecision.Double)]
    [InlineData("d2", OnnxPrecision.Float)]
    public void Export_OnnxChecker_FullCheckPasses(string name, OnnxPrecision precision)
    {
        PythonOnnx.Require();
        using var temp = new TempFolder();
        var path = temp.File("model.onnx");
        ClickModelOnnxExporter.Save(models.ByName(name), path, precision);

        var (ok, message) = PythonOnnx.Check(path);
        output.WriteLine(message);
        Assert.True(ok, message);
    }

    [Theory]
    [InlineData("NoSuchOp", OnnxElementType.Float)]
    [InlineData("Neg", OnnxElementType.Int64)]
    public void OnnxChecker_BrokenModel_Fails(string opType, OnnxElementType declaredOutput)
    {
        // The checker can fail: an unknown operator, or an output declared int64 that shape inference finds is float.
        PythonOnnx.Require();
        var model = new OnnxModelBuilder("bad").ImportOpset("", 17);
        model.Graph.AddInput("x", OnnxElementType.Float, "N", 2);
        model.Graph.AddNode(opType, "y", "x");
        model.Graph.AddOutput("y", declaredOutput, "N", 2);
        using var temp = new TempFolder();
        var path = temp.File("bad.onnx");
        model.Save(path);

        var (ok, message) = PythonOnnx.Check(path);
        output.WriteLine(message);
        Assert.False(ok, message);
    }
}
