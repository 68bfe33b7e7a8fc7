using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Learning;
using Exania.Onnx;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// <c>exania export onnx</c>: writes the click model as an ONNX graph (float features [N, 20] in,
/// <c>click_probability</c> and <c>click_label</c> out) for onnxruntime, including onnxruntime-web in the browser.
/// </summary>
/// <remarks>The command is named <c>onnx</c>; the caller places it under the <c>export</c> group.</remarks>
internal static class ExportOnnxCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (with click_model.json) or file.", Required = true };
        var output = new Option<string>("--out") { Description = "ONNX file to write (atomically), e.g. interaction_predictor.onnx.", Required = true };
        var json = CommonOptions.Json();
        var command = new Command("onnx", "Export the click model as ONNX (opset 17; standardize, polynomial terms, logistic regression, threshold).")
        {
            model, output, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var result = Run(cli, ClickData.ModelPath(parse.GetValue(model)!), parse.GetValue(output)!);
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    /// <summary>Loads the model, writes the ONNX file and returns the JSON figures.</summary>
    /// <exception cref="ModelFormatException">The model file is not a click model of a supported version.</exception>
    public static JsonObject Run(CliOutput cli, string modelPath, string outPath)
    {
        if (string.IsNullOrWhiteSpace(outPath))
            throw new ArgumentException("--out must name the ONNX file to write.");
        if (Directory.Exists(outPath))
            throw new ArgumentException($"--out '{outPath}' is a folder; give the ONNX file to write, e.g. {Path.Combine(outPath, "interaction_predictor.onnx")}.");
        var watch = Stopwatch.StartNew();
        var clickModel = ClickModel.Load(modelPath);
        var (onnx, bytes) = ClickModelOnnxExporter.Save(clickModel, outPath);
        var seconds = CliOutput.Seconds(watch);
        cli.Info($"click model (degree {clickModel.Degree}, {clickModel.Expansion.TermCount} terms) → {Markup.Escape(outPath)}: {bytes:N0} bytes, opset {ClickModelOnnxExporter.Opset}, ops {Markup.Escape(string.Join(' ', onnx.Graph.OpTypes()))}");
        return new JsonObject
        {
            ["command"] = "export onnx",
            ["out"] = outPath,
            ["bytes"] = bytes,
            ["opset"] = ClickModelOnnxExporter.Opset,
            ["inputs"] = Describe(onnx.Graph.Inputs),
            ["outputs"] = Describe(onnx.Graph.Outputs),
            ["seconds"] = seconds,
        };
    }

    private static JsonArray Describe(IReadOnlyList<OnnxValueInfo> values)
    {
        var array = new JsonArray();
        foreach (var value in values)
        {
            var shape = new JsonArray();
            foreach (var dim in value.Shape)
                shape.Add(dim.Symbol is { } symbol ? JsonValue.Create(symbol) : JsonValue.Create(dim.Value));
            array.Add(new JsonObject
            {
                ["name"] = value.Name,
                ["type"] = value.ElementType.ToString().ToLowerInvariant(),
                ["shape"] = shape,
            });
        }
        return array;
    }
}
