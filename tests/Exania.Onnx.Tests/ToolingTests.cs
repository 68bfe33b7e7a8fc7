namespace Exania.Onnx.Tests;

/// <summary>The test tooling itself: the python gate and js/tools/onnx_run.mjs's failure paths.</summary>
[Collection("onnx")]
public sealed class ToolingTests(ITestOutputHelper output)
{
    [Fact]
    public void PythonGate_OnnxMissingAndRequired_Fails()
    {
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => PythonOnnx.Gate(importable: false, "1", output));
    }

    [Fact]
    public void PythonGate_OnnxMissingNotRequired_SkipsTheCheck()
    {
        Assert.False(PythonOnnx.Gate(importable: false, null, output));
        Assert.True(PythonOnnx.Gate(importable: true, "1", output));
    }

    [Fact]
    public void OnnxRunScript_NotAModel_ExitsNonZeroWithAMessage()
    {
        NodeOnnx.EnsureInstalled();
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("model.onnx"), "this is not protobuf");
        File.WriteAllText(temp.File("input.json"), "{\"inputs\": {}}");

        var (exit, _, stderr) = ProcessRunner.Run("node", [NodeOnnx.Script, temp.File("model.onnx"), temp.File("input.json"), temp.File("out.json")]);

        Assert.NotEqual(0, exit);
        Assert.StartsWith("onnx_run: ", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("out.json")));
    }

    [Fact]
    public void OnnxRunScript_InputMissingOrMisshaped_ExitsNonZeroNamingIt()
    {
        NodeOnnx.EnsureInstalled();
        using var temp = new TempFolder();
        var model = new OnnxModelBuilder("g").ImportOpset("", 17);
        model.Graph.AddInput("x", OnnxElementType.Float, "N", 2);
        model.Graph.AddNode("Neg", "y", "x");
        model.Graph.AddOutput("y", OnnxElementType.Float, "N", 2);
        model.Save(temp.File("model.onnx"));

        File.WriteAllText(temp.File("a.json"), "{\"inputs\": {\"z\": {\"dims\": [1, 2], \"data\": [1, 2]}}}");
        var missing = ProcessRunner.Run("node", [NodeOnnx.Script, temp.File("model.onnx"), temp.File("a.json"), temp.File("out.json")]);
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("'x'", missing.Error, StringComparison.Ordinal);

        File.WriteAllText(temp.File("b.json"), "{\"inputs\": {\"x\": {\"dims\": [2, 2], \"data\": [1, 2]}}}");
        var misshaped = ProcessRunner.Run("node", [NodeOnnx.Script, temp.File("model.onnx"), temp.File("b.json"), temp.File("out.json")]);
        Assert.NotEqual(0, misshaped.Exit);
        Assert.Contains("4 values", misshaped.Error, StringComparison.Ordinal);

        var usage = ProcessRunner.Run("node", [NodeOnnx.Script]);
        Assert.NotEqual(0, usage.Exit);
        Assert.Contains("usage", usage.Error, StringComparison.Ordinal);
    }
}
