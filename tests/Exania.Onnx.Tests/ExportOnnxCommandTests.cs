using System.CommandLine;
using System.Text.Json;
using Exania.Cli;
using Exania.Click;
using Exania.Testing;

namespace Exania.Onnx.Tests;

/// <summary><c>onnx</c> (placed under <c>exania export</c> by the app), invoked through System.CommandLine.</summary>
[Collection("onnx")]
public sealed class ExportOnnxCommandTests(ClickModels models)
{
    [Fact]
    public void Onnx_ModelFolder_WritesTheFileAndOneJsonObject()
    {
        using var temp = new TempFolder();
        models.Degree2.Save(temp.File("click_model.json"));
        var onnx = temp.File(Path.Combine("out", "interaction_predictor.onnx"));

        var (exit, stdout, stderr) = Run("onnx", "--model", temp.Path, "--out", onnx, "--json");

        Assert.True(exit == 0, stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal(["command", "out", "bytes", "opset", "inputs", "outputs", "seconds"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("export onnx", root.GetProperty("command").GetString());
        Assert.Equal(onnx, root.GetProperty("out").GetString());
        Assert.Equal(new FileInfo(onnx).Length, root.GetProperty("bytes").GetInt64());
        Assert.Equal(17, root.GetProperty("opset").GetInt32());
        var input = Assert.Single(root.GetProperty("inputs").EnumerateArray());
        Assert.Equal("features", input.GetProperty("name").GetString());
        Assert.Equal("float", input.GetProperty("type").GetString());
        Assert.Equal("[\"N\",20]", input.GetProperty("shape").GetRawText());
        Assert.Equal(["click_probability", "click_label"], root.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.True(root.GetProperty("seconds").GetDouble() >= 0);
        // The command writes what the exporter builds.
        Assert.Equal(ClickModelOnnxExporter.Build(models.Degree2).ToBytes(), File.ReadAllBytes(onnx));
    }

    [Fact]
    public void Onnx_ModelFile_IsAcceptedAndRunsInOnnxRuntime()
    {
        using var temp = new TempFolder();
        var modelFile = temp.File("my_model.json");
        models.Degree1.Save(modelFile);
        var onnx = temp.File("m.onnx");

        var (exit, _, stderr) = Run("onnx", "--model", modelFile, "--out", onnx);

        Assert.True(exit == 0, stderr);
        var run = OnnxRuntimeRunner.Run(onnx, "features", models.Features[..40], 2, 20);
        var expected = models.Reference(models.Degree1);
        Assert.Equal(expected[0], run.Outputs["click_probability"].Data[0], 1e-5);
        Assert.Equal(expected[1], run.Outputs["click_probability"].Data[1], 1e-5);
    }

    [Theory]
    [InlineData("{\"format\": \"sklearn-model\", \"version\": 1}", "format \"sklearn-model\" is not an Exania model")]
    [InlineData("{\"format\": \"exania.click-model\", \"version\": 2}", "version 2 is not supported")]
    [InlineData("not json", "not valid model JSON")]
    public void Onnx_WrongModelFile_ExitsWith2AndSaysWhy(string content, string reason)
    {
        using var temp = new TempFolder();
        var modelFile = temp.File("click_model.json");
        File.WriteAllText(modelFile, content);
        var onnx = temp.File("m.onnx");

        var (exit, stdout, stderr) = Run("onnx", "--model", temp.Path, "--out", onnx, "--json");

        Assert.Equal(2, exit);
        using var doc = JsonDocument.Parse(stdout);
        var error = doc.RootElement.GetProperty("error").GetString()!;
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains(modelFile, error, StringComparison.Ordinal);
        Assert.Contains(reason, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(onnx));
    }

    [Fact]
    public void Onnx_MissingModel_ExitsWith2()
    {
        using var temp = new TempFolder();
        var (exit, _, stderr) = Run("onnx", "--model", temp.File("nowhere.json"), "--out", temp.File("m.onnx"));
        Assert.Equal(2, exit);
        Assert.Contains("nowhere.json", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Onnx_OutIsAFolder_ExitsWith2()
    {
        using var temp = new TempFolder();
        models.Degree1.Save(temp.File("click_model.json"));
        var (exit, _, stderr) = Run("onnx", "--model", temp.Path, "--out", temp.Path);
        Assert.Equal(2, exit);
        Assert.Contains("is a folder", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Onnx_WithoutOut_IsAParseError()
    {
        var (exit, _, _) = Run("onnx", "--model", "x");
        Assert.NotEqual(0, exit);
    }

    private static (int Exit, string Out, string Error) Run(params string[] args)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var exit = new RootCommand { ExportOnnxCommand.Create() }.Parse(args).Invoke();
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
