using System.Globalization;
using System.Text.Json;
using Exania.Onnx;

namespace Exania.Conversion;

/// <summary>
/// Exports a <see cref="ConversionModel"/> as an ONNX graph that scores encoded feature rows the way
/// <see cref="ConversionModel.Predict(ReadOnlySpan{double}, Span{double})"/> does.
/// </summary>
/// <remarks>
/// <code>
/// features float[N, F]                          encoded: numeric columns, then one-hot dummies; NaN = missing
///   -> Where(IsNaN(x), medians, x)              training medians for missing values
///   -> Sub(means) -> Div(scales)                standardized, as the Standardizer
///   -> per trunk layer: Gemm(W, b, transB) -> Relu
///   -> Gemm(W_heads, b_heads, transB) -> Sigmoid    head probabilities [N, H]
///   -> Gather(heads of the outputs) * Gather(partners, or a column of ones)   probabilities float[N, O]
/// </code>
/// <para>The last step gives each output its head's probability, times its partner's for an ESMM product. Metadata:
/// <c>model_format</c>, <c>feature_names</c> (the encoded columns, input order), <c>outputs</c> and <c>thresholds</c>
/// (JSON arrays in output order).</para>
/// <para>The graph runs in float32, as the network does; the model standardizes in double and rounds to float32, so
/// the two agree to float32 rounding of the standardized inputs (the tests ask for 1e-5 on every probability).</para>
/// </remarks>
public static class ConversionOnnxExporter
{
    public const long Opset = 17;

    public const string InputName = "features";

    public const string OutputName = "probabilities";

    public const string BatchDimension = "N";

    public static OnnxModelBuilder Build(ConversionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var shape = model.Shape;
        var builder = new OnnxModelBuilder("exania_conversion_model")
        {
            DocString = "Exania conversion network: impute, standardize, shared dense ReLU trunk, one sigmoid head per task (ESMM products where trained so).",
            ModelDomain = "ai.exania",
            ModelVersion = ConversionModel.FormatVersion,
        };
        builder.ImportOpset(OnnxModelBuilder.DefaultDomain, Opset);
        var g = builder.Graph;
        g.AddInput(InputName, OnnxElementType.Float, BatchDimension, shape.Inputs);
        g.AddOutput(OutputName, OnnxElementType.Float, BatchDimension, model.Outputs.Count);

        var pre = model.Preprocessor;
        var medians = g.AddInitializer(OnnxTensor.Float("medians", ToFloats([.. pre.Medians]), shape.Inputs));
        var means = g.AddInitializer(OnnxTensor.Float("means", ToFloats(pre.Standardizer.Means), shape.Inputs));
        var scales = g.AddInitializer(OnnxTensor.Float("scales", ToFloats(pre.Standardizer.Scales), shape.Inputs));
        g.AddNode("IsNaN", "missing", InputName);
        g.AddNode("Where", "imputed", "missing", medians, InputName);
        g.AddNode("Sub", "centered", "imputed", means);
        g.AddNode("Div", "standardized", "centered", scales);

        var x = "standardized";
        var parameters = model.Parameters;
        for (var l = 0; l < shape.Layers; l++)
        {
            int inputs = shape.LayerInputs(l), outputs = shape.LayerOutputs(l);
            var w = g.AddInitializer(OnnxTensor.Float($"layer{l}_weight", parameters.Slice(shape.WeightOffset(l), inputs * outputs), outputs, inputs));
            var b = g.AddInitializer(OnnxTensor.Float($"layer{l}_bias", parameters.Slice(shape.BiasOffset(l), outputs), outputs));
            var last = l == shape.Layers - 1;
            var z = last ? "logits" : $"layer{l}_pre";
            g.AddNode("Gemm", [x, w, b], [z]).Attribute("transB", 1);
            if (!last)
            {
                x = $"layer{l}";
                g.AddNode("Relu", x, z);
            }
        }
        g.AddNode("Sigmoid", "head_probabilities", "logits");

        // A column of ones after the heads, so an output without a partner multiplies by 1.
        var first = g.AddInitializer(OnnxTensor.Int64("first_head", [0], 1));
        var zero = g.AddInitializer(OnnxTensor.Float("zero", [0f], 1));
        var one = g.AddInitializer(OnnxTensor.Float("one", [1f], 1));
        g.AddNode("Gather", "first_column", "head_probabilities", first).Attribute("axis", 1);
        g.AddNode("Mul", "zero_column", "first_column", zero);
        g.AddNode("Add", "ones_column", "zero_column", one);
        g.AddNode("Concat", "heads_and_one", "head_probabilities", "ones_column").Attribute("axis", 1);
        var headIndex = model.Outputs.Select(o => (long)o.Head).ToArray();
        var partnerIndex = model.Outputs.Select(o => (long)(o.Partner >= 0 ? o.Partner : shape.Heads)).ToArray();
        var heads = g.AddInitializer(OnnxTensor.Int64("output_heads", headIndex, headIndex.Length));
        var partners = g.AddInitializer(OnnxTensor.Int64("output_partners", partnerIndex, partnerIndex.Length));
        g.AddNode("Gather", "output_head_probabilities", "head_probabilities", heads).Attribute("axis", 1);
        g.AddNode("Gather", "output_partner_probabilities", "heads_and_one", partners).Attribute("axis", 1);
        g.AddNode("Mul", OutputName, "output_head_probabilities", "output_partner_probabilities");

        builder.AddMetadata("model_format", ConversionModel.Format);
        builder.AddMetadata("model_format_version", ConversionModel.FormatVersion.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("feature_names", JsonSerializer.Serialize(pre.FeatureNames));
        builder.AddMetadata("outputs", JsonSerializer.Serialize(model.Outputs.Select(o => o.Name)));
        builder.AddMetadata("thresholds", JsonSerializer.Serialize(model.Thresholds));
        builder.AddMetadata("op_types", JsonSerializer.Serialize(g.OpTypes()));
        return builder;
    }

    /// <summary>Exports atomically; returns the builder written and the file size.</summary>
    public static (OnnxModelBuilder Model, long Bytes) Save(ConversionModel model, string path)
    {
        var builder = Build(model);
        return (builder, builder.Save(path));
    }

    private static float[] ToFloats(ReadOnlySpan<double> values)
    {
        var result = new float[values.Length];
        for (var i = 0; i < result.Length; i++)
            result[i] = (float)values[i];
        return result;
    }
}
