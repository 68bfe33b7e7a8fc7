using Exania.Testing;

namespace Exania.Onnx.Tests;

/// <summary>The test tooling itself: the python3-onnx gate, and the in-process runner's failure paths.</summary>
[Collection("onnx")]
public sealed class ToolingTests
{
    [Fact]
    public void PythonGate_OnnxMissingAndRequired_Fails()
    {
        var failure = Assert.Throws<Xunit.Sdk.FailException>(() => PythonOnnx.SkipReason(importable: false, "1"));
        Assert.Contains("EXANIA_REQUIRE_PYTHON_ONNX=1", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PythonGate_OnnxMissingNotRequired_SkipsTheTestSayingWhy()
    {
        // PythonOnnx.Require passes this reason to Assert.Skip, so the test shows as skipped, not passed.
        Assert.StartsWith("python3-onnx is not installed", PythonOnnx.SkipReason(importable: false, null), StringComparison.Ordinal);
        Assert.NotNull(PythonOnnx.SkipReason(importable: false, "0"));
        Assert.Null(PythonOnnx.SkipReason(importable: true, "1"));
        Assert.Null(PythonOnnx.SkipReason(importable: true, null));
    }

    [Fact]
    public void OnnxRuntimeRunner_NotAModel_Throws()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("model.onnx"), "this is not protobuf");

        Assert.ThrowsAny<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(() => OnnxRuntimeRunner.Run(temp.File("model.onnx"), "x", [1f, 2f], 1, 2));
    }

    [Fact]
    public void OnnxRuntimeRunner_InputMissingUnknownOrMisshaped_ThrowsNamingIt()
    {
        using var temp = new TempFolder();
        var model = new OnnxModelBuilder("g").ImportOpset("", 17);
        model.Graph.AddInput("x", OnnxElementType.Float, "N", 2);
        model.Graph.AddNode("Neg", "y", "x");
        model.Graph.AddOutput("y", OnnxElementType.Float, "N", 2);
        var path = temp.File("model.onnx");
        model.Save(path);

        var missing = Assert.Throws<ArgumentException>(() => OnnxRuntimeRunner.Run(path));
        Assert.Contains("needs input 'x'", missing.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => OnnxRuntimeRunner.Run(path, OnnxInput.Float("x", [1f, 2f], 1, 2), OnnxInput.Float("z", [1f], 1, 1)));
        Assert.Contains("no input 'z'", unknown.Message, StringComparison.Ordinal);
        var misshaped = Assert.Throws<ArgumentException>(() => OnnxRuntimeRunner.Run(path, "x", [1f, 2f], 2, 2));
        Assert.Contains("(4 values) but 2 values", misshaped.Message, StringComparison.Ordinal);

        Assert.Equal([-1.0, -2.0], OnnxRuntimeRunner.Run(path, "x", [1f, 2f], 1, 2).Outputs["y"].Data);
    }
}
