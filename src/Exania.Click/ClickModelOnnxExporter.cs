using System.Globalization;
using System.Text.Json;
using Exania.Learning;
using Exania.Onnx;

namespace Exania.Click;

/// <summary>Arithmetic type inside an exported graph. Inputs and the probability output are float32 either way.</summary>
public enum OnnxPrecision
{
    /// <summary>float32 throughout: the smallest graph, but not reliably within 1e-5 of <see cref="ClickModel"/> (see <see cref="ClickModelOnnxExporter.Build"/>).</summary>
    Float,

    /// <summary>The input is cast to double, all arithmetic runs in double like <see cref="ClickModel"/>, and only the probability is cast back to float.</summary>
    Double,
}

/// <summary>
/// Exports a <see cref="ClickModel"/> as an ONNX graph that scores a batch of feature rows the way
/// <see cref="ClickModel.PredictProbability"/> and <see cref="ClickModel.PredictClick"/> do.
/// </summary>
/// <remarks>
/// <para><b>Graph</b> (opset 17, IR 8; only operators onnxruntime-web's wasm backend implements):</para>
/// <code>
/// features float[N, F]
///   -> Cast(double)                                   (Double precision only)
///   -> Sub(means[F]) -> Div(scales[F])                 z = (x - mean) / scale, as Standardizer
///   -> for d = 2..degree: Gather(terms_{d-1}, parent_d, axis 1) * Gather(z, factor_d, axis 1) -> terms_d
///   -> Concat(z, terms_2, .., axis 1)                  [N, T] in scikit-learn PolynomialFeatures order
///   -> MatMul(coefficients[T, 1]) -> Add(intercept[1]) -> Sigmoid -> p
///   -> Cast(float)                                     click_probability float[N, 1]
/// p -> GreaterOrEqual(threshold) -> Cast(int64)          click_label int64[N, 1]
/// </code>
/// <para>Each degree-d term is its degree-(d-1) prefix times its last factor, exactly the recurrence of
/// <see cref="PolynomialExpansion"/>, so the graph multiplies the same numbers in the same order.</para>
/// <para><b>Metadata</b> (<c>metadata_props</c>): <c>model_format</c>, <c>model_format_version</c>,
/// <c>feature_names</c> (JSON array, input column order), <c>threshold</c> (round-trip decimal), <c>degree</c>,
/// <c>expanded_terms</c>, <c>precision</c> (<c>float</c> or <c>double</c>) and <c>op_types</c> (JSON array).</para>
/// </remarks>
public static class ClickModelOnnxExporter
{
    /// <summary>The default-domain operator set the graph is written against.</summary>
    public const long Opset = 17;

    public const string InputName = "features";
    public const string ProbabilityName = "click_probability";
    public const string LabelName = "click_label";

    /// <summary>The symbolic batch dimension of the input and outputs.</summary>
    public const string BatchDimension = "N";

    /// <summary>
    /// Builds the graph. <see cref="OnnxPrecision.Double"/> (the default) is what <c>exania export onnx</c> ships.
    /// </summary>
    /// <remarks>
    /// Why double, measured with onnxruntime-node against <see cref="ClickModel"/> on float32-rounded feature rows:
    /// the logit is a sum of a few hundred products of standardized heavy-tailed counts with coefficients of both
    /// signs, which largely cancel, so float32 rounding of each term shows in the result. A float32 graph missed by
    /// up to 3.3e-6 (4,512 windows) and 4.6e-6 (34,187 windows) at the default C = 1, and by 1.0e-5 and 5.5e-5 on the
    /// same data with <c>--c 100</c>: not reliably inside the 1e-5 parity goal. The double graph stays within 3e-8,
    /// which is the final cast of the probability to float32. It costs about 1.2 KB and two Casts, and
    /// onnxruntime-web's wasm backend runs it with the same results as onnxruntime-node.
    /// (Rounding double features to the float32 input is the caller's, and moved probabilities by about 5e-7.)
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public static OnnxModelBuilder Build(ClickModel model, OnnxPrecision precision = OnnxPrecision.Double)
    {
        ArgumentNullException.ThrowIfNull(model);
        var inputs = model.FeatureNames.Count;
        var expansion = model.Expansion;
        var type = precision == OnnxPrecision.Double ? OnnxElementType.Double : OnnxElementType.Float;

        var builder = new OnnxModelBuilder("exania_click_model")
        {
            DocString = "Exania ad-click model: standardize, polynomial expansion (scikit-learn order), logistic regression.",
            ModelDomain = "ai.exania",
            ModelVersion = ClickModel.FormatVersion,
        };
        builder.ImportOpset(OnnxModelBuilder.DefaultDomain, Opset);
        var g = builder.Graph;
        g.AddInput(InputName, OnnxElementType.Float, BatchDimension, inputs);
        g.AddOutput(ProbabilityName, OnnxElementType.Float, BatchDimension, 1);
        g.AddOutput(LabelName, OnnxElementType.Int64, BatchDimension, 1);

        var x = InputName;
        if (type == OnnxElementType.Double)
        {
            x = "features_double";
            g.AddNode("Cast", x, InputName).Attribute("to", (long)OnnxElementType.Double);
        }

        var means = g.AddInitializer(Vector("scaler_means", model.Scaler.Means, type));
        var scales = g.AddInitializer(Vector("scaler_scales", model.Scaler.Scales, type));
        g.AddNode("Sub", "centered", x, means);
        g.AddNode("Div", "standardized", "centered", scales);

        // Degree d terms: Gather the prefix (a degree d-1 term) and the last factor, and multiply them.
        var blocks = new List<string> { "standardized" };
        var previous = "standardized";
        var position = new Dictionary<string, int>(StringComparer.Ordinal); // term key -> column within its degree block
        for (var i = 0; i < inputs; i++)
            position[Key(expansion.TermIndices(i))] = i;
        var term = inputs;
        for (var d = 2; d <= expansion.Degree; d++)
        {
            var parents = new List<long>();
            var factors = new List<long>();
            var next = new Dictionary<string, int>(StringComparer.Ordinal);
            for (; term < expansion.TermCount && expansion.TermIndices(term).Length == d; term++)
            {
                var indices = expansion.TermIndices(term);
                next[Key(indices)] = parents.Count;
                parents.Add(position[Key(indices[..^1])]);
                factors.Add(indices[^1]);
            }
            var parentIndices = g.AddInitializer(OnnxTensor.Int64($"degree{d}_prefix", [.. parents], parents.Count));
            var factorIndices = g.AddInitializer(OnnxTensor.Int64($"degree{d}_factor", [.. factors], factors.Count));
            g.AddNode("Gather", $"degree{d}_prefixes", previous, parentIndices).Attribute("axis", 1);
            g.AddNode("Gather", $"degree{d}_factors", "standardized", factorIndices).Attribute("axis", 1);
            previous = $"degree{d}_terms";
            g.AddNode("Mul", previous, $"degree{d}_prefixes", $"degree{d}_factors");
            blocks.Add(previous);
            position = next;
        }
        var expanded = "standardized";
        if (blocks.Count > 1)
        {
            expanded = "expanded";
            g.AddNode("Concat", expanded, [.. blocks]).Attribute("axis", 1);
        }

        var coefficients = g.AddInitializer(Matrix("coefficients", model.Coefficients, type, model.Coefficients.Length, 1));
        var intercept = g.AddInitializer(Vector("intercept", [model.Intercept], type));
        var threshold = g.AddInitializer(Vector("threshold", [model.Threshold], type));
        g.AddNode("MatMul", "score", expanded, coefficients);
        g.AddNode("Add", "logit", "score", intercept);
        var probability = type == OnnxElementType.Double ? "probability_double" : ProbabilityName;
        g.AddNode("Sigmoid", probability, "logit");
        if (type == OnnxElementType.Double)
            g.AddNode("Cast", ProbabilityName, probability).Attribute("to", (long)OnnxElementType.Float);
        // The label compares the probability at the graph's precision, as PredictClick compares the double.
        g.AddNode("GreaterOrEqual", "is_click", probability, threshold);
        g.AddNode("Cast", LabelName, "is_click").Attribute("to", (long)OnnxElementType.Int64);

        builder.AddMetadata("model_format", ClickModel.Format);
        builder.AddMetadata("model_format_version", ClickModel.FormatVersion.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("feature_names", JsonSerializer.Serialize(model.FeatureNames));
        builder.AddMetadata("threshold", model.Threshold.ToString("R", CultureInfo.InvariantCulture));
        builder.AddMetadata("degree", model.Degree.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("expanded_terms", expansion.TermCount.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("precision", type == OnnxElementType.Double ? "double" : "float");
        builder.AddMetadata("op_types", JsonSerializer.Serialize(g.OpTypes()));
        return builder;
    }

    /// <summary>Exports <paramref name="model"/> to <paramref name="path"/> atomically; returns the builder that was written and the file size.</summary>
    public static (OnnxModelBuilder Model, long Bytes) Save(ClickModel model, string path, OnnxPrecision precision = OnnxPrecision.Double)
    {
        var builder = Build(model, precision);
        return (builder, builder.Save(path));
    }

    private static string Key(ReadOnlySpan<int> indices)
    {
        var parts = new string[indices.Length];
        for (var i = 0; i < indices.Length; i++)
            parts[i] = indices[i].ToString(CultureInfo.InvariantCulture);
        return string.Join(',', parts);
    }

    private static OnnxTensor Vector(string name, ReadOnlySpan<double> values, OnnxElementType type) =>
        Matrix(name, values, type, values.Length);

    private static OnnxTensor Matrix(string name, ReadOnlySpan<double> values, OnnxElementType type, params ReadOnlySpan<long> dims)
    {
        if (type == OnnxElementType.Double)
            return OnnxTensor.Double(name, values, dims);
        var floats = new float[values.Length];
        for (var i = 0; i < floats.Length; i++)
            floats[i] = (float)values[i];
        return OnnxTensor.Float(name, floats, dims);
    }
}
