using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Click;
using Exania.Core;
using Exania.Onnx;
using Exania.Sequence;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// <c>exania export onnx</c>: writes the click model as an ONNX graph (float features [N, 20] in,
/// <c>click_probability</c> and <c>click_label</c> out) for onnxruntime, including onnxruntime-web in the browser; or
/// the ROAS trees model, or the next-action sequence model (<see cref="SequenceOnnxExporter"/>). The model file's
/// <c>format</c> field tells them apart.
/// </summary>
/// <remarks>The command is named <c>onnx</c>; the caller places it under the <c>export</c> group.</remarks>
internal static class ExportOnnxCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (with click_model.json, roas_model.json, sequence_model.json or conversion_model.json) or file.", Required = true };
        var output = new Option<string>("--out") { Description = "ONNX file to write (atomically), e.g. interaction_predictor.onnx.", Required = true };
        var json = CommonOptions.Json();
        var command = new Command("onnx", "Export a click model (opset 17: standardize, polynomial terms, logistic regression), a ROAS model (ai.onnx.ml TreeEnsembleRegressor) a next-action sequence model (opset 17: embeddings, LSTM, attention) or a conversion network (opset 17: dense ReLU trunk, sigmoid heads) as ONNX.")
        {
            model, output, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var modelPath = ModelFile.Resolve(parse.GetValue(model)!);
                CommonOptions.RefuseOverwritingInput(parse.GetValue(output), "--out", (modelPath, "--model"));
                var result = ModelFile.Identify(modelPath) switch
                {
                    ModelKind.Roas => RunGbt(cli, modelPath, parse.GetValue(output)!),
                    ModelKind.Sequence => RunSequence(cli, modelPath, parse.GetValue(output)!),
                    ModelKind.Conversion => RunConversion(cli, modelPath, parse.GetValue(output)!),
                    _ => Run(cli, modelPath, parse.GetValue(output)!),
                };
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

    /// <summary>Exports a next-action sequence model: left-padded token, gap and extra-input windows in, probabilities and attention out.</summary>
    public static JsonObject RunSequence(CliOutput cli, string modelPath, string outPath)
    {
        if (string.IsNullOrWhiteSpace(outPath))
            throw new ArgumentException("--out must name the ONNX file to write.");
        if (Directory.Exists(outPath))
            throw new ArgumentException($"--out '{outPath}' is a folder; give the ONNX file to write, e.g. {Path.Combine(outPath, "next_action.onnx")}.");
        var watch = Stopwatch.StartNew();
        var model = SequenceModel.Load(modelPath);
        var (onnx, bytes) = SequenceOnnxExporter.Save(model, outPath);
        var ops = onnx.Graph.OpTypes();
        var shape = model.Shape;
        cli.Info($"sequence model ({shape.Layers} LSTM layer{(shape.Layers == 1 ? "" : "s")}, hidden {shape.Hidden}, {shape.Classes} classes, max length {model.MaxLength}) → {Markup.Escape(outPath)}: " +
                 $"{bytes:N0} bytes, opset {SequenceOnnxExporter.Opset}, ops {Markup.Escape(string.Join(' ', ops))}");
        var opTypes = new JsonArray();
        foreach (var op in ops)
            opTypes.Add(op);
        return new JsonObject
        {
            ["command"] = "export onnx",
            ["model_kind"] = "sequence",
            ["out"] = outPath,
            ["bytes"] = bytes,
            ["opset"] = SequenceOnnxExporter.Opset,
            ["op_types"] = opTypes,
            ["inputs"] = Describe(onnx.Graph.Inputs),
            ["outputs"] = Describe(onnx.Graph.Outputs),
            ["field"] = model.Field.ToString().ToLowerInvariant(),
            ["max_length"] = model.MaxLength,
            ["classes"] = shape.Classes,
            ["layers"] = shape.Layers,
            ["seconds"] = CliOutput.Seconds(watch),
        };
    }

    /// <summary>Exports a conversion network; its input is the encoded feature vector (NaN = missing), its output one probability per output.</summary>
    public static JsonObject RunConversion(CliOutput cli, string modelPath, string outPath)
    {
        if (Directory.Exists(outPath))
            throw new ArgumentException($"--out '{outPath}' is a folder; give the ONNX file to write, e.g. {Path.Combine(outPath, "conversion_model.onnx")}.");
        var watch = Stopwatch.StartNew();
        var model = Exania.Conversion.ConversionModel.Load(modelPath);
        var (onnx, bytes) = Exania.Conversion.ConversionOnnxExporter.Save(model, outPath);
        cli.Info($"conversion network ({string.Join('-', model.Shape.Hidden)} trunk, {model.Outputs.Count} outputs, {model.Shape.Inputs} encoded features) → {Markup.Escape(outPath)}: " +
                 $"{bytes:N0} bytes, ops {Markup.Escape(string.Join(' ', onnx.Graph.OpTypes()))}");
        return new JsonObject
        {
            ["command"] = "export onnx",
            ["model_kind"] = "conversion",
            ["out"] = outPath,
            ["bytes"] = bytes,
            ["opset"] = Exania.Conversion.ConversionOnnxExporter.Opset,
            ["inputs"] = Describe(onnx.Graph.Inputs),
            ["outputs"] = Describe(onnx.Graph.Outputs),
            ["output_names"] = new JsonArray(model.Outputs.Select(o => (JsonNode)o.Name).ToArray()),
            ["feature_names"] = new JsonArray(model.Preprocessor.FeatureNames.Select(n => (JsonNode)n).ToArray()),
            ["seconds"] = CliOutput.Seconds(watch),
        };
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
