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
        var model = new Option<string>("--model") { Description = "Model folder (with click_model.json or roas_model.json) or file.", Required = true };
        var output = new Option<string>("--out") { Description = "ONNX file to write (atomically), e.g. interaction_predictor.onnx.", Required = true };
        var json = CommonOptions.Json();
        var command = new Command("onnx", "Export a click model (opset 17: standardize, polynomial terms, logistic regression) or a ROAS model (ai.onnx.ml TreeEnsembleRegressor) as ONNX.")
        {
            model, output, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var modelPath = ResolveModel(parse.GetValue(model)!);
                var result = IsGbtModel(modelPath)
                    ? RunGbt(cli, modelPath, parse.GetValue(output)!)
                    : Run(cli, modelPath, parse.GetValue(output)!);
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

    /// <summary>A folder holding click_model.json or roas_model.json, or a model file.</summary>
    private static string ResolveModel(string option)
    {
        if (!Directory.Exists(option))
            return option;
        var click = Path.Combine(option, ClickData.ModelFileName);
        var roas = Path.Combine(option, RoasData.ModelFileName);
        return File.Exists(click) || !File.Exists(roas) ? click : roas;
    }

    /// <summary>True when the file declares the gradient-boosted-trees format (anything else goes to the click loader, whose errors name the file).</summary>
    private static bool IsGbtModel(string path)
    {
        if (!File.Exists(path))
            return false;
        try
        {
            using var stream = File.OpenRead(path);
            using var document = System.Text.Json.JsonDocument.Parse(stream);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object &&
                   document.RootElement.TryGetProperty("format", out var format) &&
                   format.ValueKind == System.Text.Json.JsonValueKind.String &&
                   format.GetString() == Exania.Trees.GbtModel.Format;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>Exports a ROAS (gradient-boosted trees) model; its input is the encoded feature vector.</summary>
    public static JsonObject RunGbt(CliOutput cli, string modelPath, string outPath)
    {
        if (Directory.Exists(outPath))
            throw new ArgumentException($"--out '{outPath}' is a folder; give the ONNX file to write, e.g. {Path.Combine(outPath, "roas_model.onnx")}.");
        var watch = Stopwatch.StartNew();
        var gbt = Exania.Trees.GbtModel.Load(modelPath);
        var (onnx, bytes) = Exania.Trees.GbtOnnxExporter.Save(gbt, outPath);
        cli.Info($"ROAS model ({gbt.Trees.Count} trees, {gbt.FeatureNames.Count} encoded features) → {Markup.Escape(outPath)}: {bytes:N0} bytes, ops {Markup.Escape(string.Join(' ', onnx.Graph.OpTypes()))}");
        return new JsonObject
        {
            ["command"] = "export onnx",
            ["model_kind"] = "roas",
            ["out"] = outPath,
            ["bytes"] = bytes,
            ["opset"] = Exania.Trees.GbtOnnxExporter.Opset,
            ["ml_opset"] = Exania.Trees.GbtOnnxExporter.MlOpset,
            ["inputs"] = Describe(onnx.Graph.Inputs),
            ["outputs"] = Describe(onnx.Graph.Outputs),
            ["feature_names"] = new JsonArray(gbt.FeatureNames.Select(n => (JsonNode)n).ToArray()),
            ["seconds"] = CliOutput.Seconds(watch),
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
