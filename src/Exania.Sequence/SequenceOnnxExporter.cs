using System.Globalization;
using System.Text.Json;
using Exania.Events;
using Exania.Onnx;

namespace Exania.Sequence;

/// <summary>
/// Exports a <see cref="SequenceModel"/> as one float32 ONNX graph that scores a batch of left-padded windows the way
/// <see cref="SequenceModel.Predict(ReadOnlySpan{int}, ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float})"/> does.
/// </summary>
/// <remarks>
/// <para><b>Contract.</b> Inputs, all [N, L] with N the symbolic batch dimension <c>N</c> and L = <see cref="SequenceModel.MaxLength"/>,
/// left-padded exactly as <see cref="SequenceSamples"/> rows are: <c>tokens</c> int64 (vocabulary ids, 0 = padding),
/// <c>gaps</c> float (log1p of the seconds since the previous event; ignored under padding), and one int64 input per extra
/// input, named after its field (<c>category</c>, <c>page</c>, <c>item</c>, <c>action</c>), then one float input per numeric
/// input, named after its column (<c>scroll_depth</c>, <c>cost</c>, <c>revenue</c>; values as the preprocessor makes them).
/// Outputs: <c>probabilities</c> float [N, Classes]
/// (class k = vocabulary token k + 1) and <c>attention</c> float [N, L], aligned with the input positions and exactly 0
/// under padding. Real events must be the trailing non-padding tokens, with ids inside their vocabularies. A row that is
/// all padding (which <see cref="SequenceModel"/> rejects) is not an error here: it gets attention 0 everywhere and
/// softmax(output bias) as its probabilities, a finite but meaningless answer, so one empty row does not fail a batch.
/// Padding inside the window, or ids outside the vocabulary, give undefined results (onnxruntime rejects ids ≥ the vocabulary size).</para>
/// <para><b>Graph</b> (default-domain opset 17, IR 8; every operator is one onnxruntime-web's wasm backend has):</para>
/// <code>
/// n = ReduceSum(Cast(tokens != 0))                               real events per row
/// roll = (j + L − n) mod L; GatherElements(tokens|gaps|extras, roll)  left padding → right padding
/// Gather(embeddings) ++ Unsqueeze(gaps) ++ Unsqueeze(numerics) → Concat → Transpose   x [L, N, D]
/// LSTM(W, R, B = [b, 0], sequence_lens = max(n, 1)) → Squeeze       one node per layer, gates reordered to i, o, f, c
/// Transpose → h [N, L, H]
/// MatMul(Wa^T) + ba → Tanh → MatMul(v) → Where(j &lt; n, ·, lowest) → Softmax → Where(j &lt; n, ·, 0)   α (right-padded)
/// MatMul(α, h) → Gemm(Wout, bout)                                 logits [N, C]
/// ScatterElements(add) of repeat[d] · (token ≠ 0) at token − 1 over the last min(R, L) positions   (repeat term)
/// Softmax → probabilities;  GatherElements(α, (j + n) mod L) → attention
/// </code>
/// <para><b>Session priors.</b> A model with a prior term (<see cref="NetworkShape.PriorFeatures"/>) takes one more input,
/// <c>session_priors</c> float [N, Classes, F]: the features of <see cref="SessionBaselines.Features"/> laid out densely
/// (<see cref="SequenceModel.DensePriors"/>). They come from the training sessions stored in the model file, which a
/// graph cannot hold as a table of every session; the graph adds MatMul(session_priors, prior weights) to the logits.</para>
/// <para><b>Why a roll and the LSTM operator.</b> The C# network starts the LSTM from a zero state at the first real event.
/// ONNX's LSTM (with <c>sequence_lens</c>) expects the real steps first, so each row is rolled left by its padding
/// count before the embedding lookup. After the roll every padding step comes after the last real step, so it cannot
/// reach a real step's state even on a runtime that ignored <c>sequence_lens</c>; the attention mask removes it
/// entirely. <c>sequence_lens</c> is clamped to 1: the ONNX spec does not say what a zero length means (onnxruntime 1.30
/// accepts it), and the all-padding row it would serve is masked anyway. The one LSTM
/// node per layer keeps the file small (no unrolled copies of the weights) and runs as one fused kernel.</para>
/// <para><b>Parameters.</b> Our gates are i, f, g, o (PyTorch's order); ONNX's are i, o, f, c, so the 4H-row blocks
/// of W, U and b are reordered. The bias goes into ONNX's <c>Wb</c> and zeros into <c>Rb</c>, which sum to ours.
/// Matrices the graph multiplies from the right (attention W) are stored transposed.</para>
/// <para><b>Metadata</b> (<c>metadata_props</c>): <c>model_format</c>, <c>model_format_version</c>, <c>field</c>,
/// <c>max_length</c>, <c>vocabulary</c> (JSON array, token strings in id order), <c>extra_inputs</c> (JSON array of
/// <c>{"field", "input", "vocabulary"}</c>, in input order), <c>classes</c>, <c>class_offset</c> (1: class k is token
/// k + 1), <c>padding</c> (<c>left</c>), <c>gap</c>, <c>embedding</c>, <c>hidden</c>, <c>layers</c>,
/// <c>repeat_positions</c> and <c>op_types</c> (JSON array).</para>
/// </remarks>
public static class SequenceOnnxExporter
{
    /// <summary>The default-domain operator set the graph is written against (ScatterElements' <c>reduction</c> needs 16).</summary>
    public const long Opset = 17;

    public const string TokensName = "tokens";
    public const string GapsName = "gaps";
    public const string ProbabilitiesName = "probabilities";
    public const string AttentionName = "attention";

    /// <summary>The input of a model with a session-prior term: float [N, Classes, F], from <see cref="SequenceModel.DensePriors"/>.</summary>
    public const string PriorsName = "session_priors";

    /// <summary>The symbolic batch dimension of the inputs and outputs.</summary>
    public const string BatchDimension = "N";

    /// <summary>For each ONNX gate block (i, o, f, c), the block of our i, f, g, o order it is taken from.</summary>
    private static readonly int[] OnnxGateSource = [0, 3, 1, 2];

    /// <summary>The graph input name of extra input <paramref name="input"/>: its field, lower case.</summary>
    public static string InputName(ExtraInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return FieldName(input.Field);
    }

    /// <summary>Builds the ONNX model.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">Two extra inputs read the same field (their graph inputs would share a name).</exception>
    public static OnnxModelBuilder Build(SequenceModel model) => Build(model, OnnxGateSource);

    /// <summary>Builds the graph with an explicit gate mapping; tests pass a wrong one to show the parity check catches it.</summary>
    internal static OnnxModelBuilder Build(SequenceModel model, IReadOnlyList<int> gateSource)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(gateSource);
        var shape = model.Shape;
        var parameters = model.Parameters;
        int length = model.MaxLength, e = shape.Embedding, h = shape.Hidden, a = shape.Attention, classes = shape.Classes;

        var builder = new OnnxModelBuilder("exania_sequence_model")
        {
            DocString = "Exania next-action model: embeddings ++ log1p(gap) → LSTM → additive attention → linear (+ repeat term) → softmax.",
            ModelDomain = "ai.exania",
            ModelVersion = SequenceModel.Version,
        };
        builder.ImportOpset(OnnxModelBuilder.DefaultDomain, Opset);
        var g = builder.Graph;
        g.AddInput(TokensName, OnnxElementType.Int64, BatchDimension, length);
        g.AddInput(GapsName, OnnxElementType.Float, BatchDimension, length);
        var extraNames = new string[model.ExtraInputs.Count];
        for (var k = 0; k < extraNames.Length; k++)
        {
            extraNames[k] = InputName(model.ExtraInputs[k]);
            g.AddInput(extraNames[k], OnnxElementType.Int64, BatchDimension, length);
        }
        var numericNames = new string[model.NumericInputs.Count];
        for (var k = 0; k < numericNames.Length; k++)
        {
            numericNames[k] = EventFields.Name(model.NumericInputs[k]);
            g.AddInput(numericNames[k], OnnxElementType.Float, BatchDimension, length);
        }
        if (shape.PriorFeatures > 0)
            g.AddInput(PriorsName, OnnxElementType.Float, BatchDimension, classes, shape.PriorFeatures);
        g.AddOutput(ProbabilitiesName, OnnxElementType.Float, BatchDimension, classes);
        g.AddOutput(AttentionName, OnnxElementType.Float, BatchDimension, length);

        var positions = new long[length];
        for (var j = 0; j < length; j++)
            positions[j] = j;
        g.AddInitializer(OnnxTensor.Int64("positions", positions, 1, length));
        g.AddInitializer(OnnxTensor.Int64("window_length", [length]));
        g.AddInitializer(OnnxTensor.Int64("zero", [0]));
        g.AddInitializer(OnnxTensor.Int64("one", [1]));
        g.AddInitializer(OnnxTensor.Int64("axis_1", [1], 1));
        g.AddInitializer(OnnxTensor.Int64("axis_2", [2], 1));
        g.AddInitializer(OnnxTensor.Float("zero_float", [0f]));
        // Not -inf: an all-padding row then stays NaN-free through the softmax (its weights are masked to 0 after it).
        g.AddInitializer(OnnxTensor.Float("lowest_float", [float.MinValue]));

        // Real events: the non-padding tokens (they are the trailing ones in a valid left-padded row).
        g.AddNode("Greater", "is_event", TokensName, "zero");
        g.AddNode("Cast", "is_event_int", "is_event").Attribute("to", (long)OnnxElementType.Int64);
        g.AddNode("ReduceSum", "events", "is_event_int", "axis_1").Attribute("keepdims", 0);
        g.AddNode("Unsqueeze", "events_column", "events", "axis_1");

        // Roll each row left by its padding count: right-padded position j reads left-padded position (j + L − n) mod L.
        g.AddNode("Sub", "padding_count", "window_length", "events_column");
        g.AddNode("Add", "roll_shifted", "positions", "padding_count");
        g.AddNode("Mod", "roll_index", "roll_shifted", "window_length");
        g.AddNode("Less", "step_is_event", "positions", "events_column");
        g.AddNode("GatherElements", "rolled_tokens", TokensName, "roll_index").Attribute("axis", 1);
        g.AddNode("GatherElements", "rolled_gaps", GapsName, "roll_index").Attribute("axis", 1);

        var pieces = new List<string>();
        g.AddInitializer(OnnxTensor.Float("embedding", parameters.AsSpan(shape.EmbeddingOffset, shape.Tokens * e), shape.Tokens, e));
        g.AddNode("Gather", "embedded_tokens", "embedding", "rolled_tokens");
        pieces.Add("embedded_tokens");
        for (var k = 0; k < extraNames.Length; k++)
        {
            var rows = shape.ExtraTokens[k];
            var table = g.AddInitializer(OnnxTensor.Float($"embedding_{extraNames[k]}", parameters.AsSpan(shape.ExtraEmbeddingOffset(k), rows * e), rows, e));
            g.AddNode("GatherElements", $"rolled_{extraNames[k]}", extraNames[k], "roll_index").Attribute("axis", 1);
            g.AddNode("Gather", $"embedded_{extraNames[k]}", table, $"rolled_{extraNames[k]}");
            pieces.Add($"embedded_{extraNames[k]}");
        }
        g.AddNode("Unsqueeze", "gap_feature", "rolled_gaps", "axis_2");
        pieces.Add("gap_feature");
        foreach (var name in numericNames)
        {
            g.AddNode("GatherElements", $"rolled_{name}", name, "roll_index").Attribute("axis", 1);
            g.AddNode("Unsqueeze", $"{name}_feature", $"rolled_{name}", "axis_2");
            pieces.Add($"{name}_feature");
        }
        g.AddNode("Concat", "step_input", [.. pieces]).Attribute("axis", 2);
        g.AddNode("Transpose", "lstm_input_0", "step_input").Attribute("perm", [1L, 0L, 2L]);

        // sequence_lens = max(n, 1): the spec leaves a zero length undefined, and only an all-padding row has one.
        g.AddNode("Max", "events_at_least_one", "events", "one");
        g.AddNode("Cast", "sequence_lens", "events_at_least_one").Attribute("to", (long)OnnxElementType.Int32);
        var layerInput = "lstm_input_0";
        for (var layer = 0; layer < shape.Layers; layer++)
        {
            var d = shape.LayerInput(layer);
            var w = g.AddInitializer(OnnxTensor.Float($"lstm{layer}_w", ReorderGates(parameters.AsSpan(shape.LstmW(layer), 4 * h * d), h, d, gateSource), 1, 4 * h, d));
            var r = g.AddInitializer(OnnxTensor.Float($"lstm{layer}_r", ReorderGates(parameters.AsSpan(shape.LstmU(layer), 4 * h * h), h, h, gateSource), 1, 4 * h, h));
            var bias = new float[8 * h];
            ReorderGates(parameters.AsSpan(shape.LstmB(layer), 4 * h), h, 1, gateSource).CopyTo(bias, 0);
            var b = g.AddInitializer(OnnxTensor.Float($"lstm{layer}_b", bias, 1, 8 * h));
            g.AddNode("LSTM", [layerInput, w, r, b, "sequence_lens"], [$"lstm{layer}_y"], name: $"lstm{layer}")
                .Attribute("hidden_size", h)
                .Attribute("direction", "forward");
            layerInput = $"lstm{layer}_output";
            g.AddNode("Squeeze", layerInput, $"lstm{layer}_y", "axis_1");
        }
        g.AddNode("Transpose", "hidden_states", layerInput).Attribute("perm", [1L, 0L, 2L]);

        g.AddInitializer(OnnxTensor.Float("attention_w_t", Transpose(parameters.AsSpan(shape.AttentionW, a * h), a, h), h, a));
        g.AddInitializer(OnnxTensor.Float("attention_b", parameters.AsSpan(shape.AttentionB, a), a));
        g.AddInitializer(OnnxTensor.Float("attention_v", parameters.AsSpan(shape.AttentionV, a), a, 1));
        g.AddNode("MatMul", "attention_projected", "hidden_states", "attention_w_t");
        g.AddNode("Add", "attention_pre", "attention_projected", "attention_b");
        g.AddNode("Tanh", "attention_u", "attention_pre");
        g.AddNode("MatMul", "attention_score_column", "attention_u", "attention_v");
        g.AddNode("Squeeze", "attention_scores", "attention_score_column", "axis_2");
        g.AddNode("Where", "attention_scores_masked", "step_is_event", "attention_scores", "lowest_float");
        g.AddNode("Softmax", "attention_softmax", "attention_scores_masked").Attribute("axis", 1);
        // Padding gets exactly 0, whatever the runtime's exp gives for the lowest float.
        g.AddNode("Where", "rolled_attention", "step_is_event", "attention_softmax", "zero_float");
        g.AddNode("Unsqueeze", "attention_row", "rolled_attention", "axis_1");
        g.AddNode("MatMul", "context_row", "attention_row", "hidden_states");
        g.AddNode("Squeeze", "context", "context_row", "axis_1");

        g.AddInitializer(OnnxTensor.Float("output_w", parameters.AsSpan(shape.OutputW, classes * h), classes, h));
        g.AddInitializer(OnnxTensor.Float("output_b", parameters.AsSpan(shape.OutputB, classes), classes));
        var logits = "logits";
        g.AddNode("Gemm", ["context", "output_w", "output_b"], [logits]).Attribute("transB", 1);

        var repeat = Math.Min(shape.RepeatPositions, length);
        if (repeat > 0)
        {
            // Position j of the last `repeat` columns is d = repeat − 1 − j events before the last one (which is at L − 1).
            var byPosition = new float[repeat];
            for (var j = 0; j < repeat; j++)
                byPosition[j] = parameters[shape.Repeat + repeat - 1 - j];
            g.AddInitializer(OnnxTensor.Float("repeat_by_position", byPosition, repeat));
            g.AddInitializer(OnnxTensor.Int64("repeat_start", [length - repeat], 1));
            g.AddInitializer(OnnxTensor.Int64("repeat_end", [length], 1));
            g.AddNode("Slice", "recent_tokens", TokensName, "repeat_start", "repeat_end", "axis_1");
            g.AddNode("Greater", "recent_is_event", "recent_tokens", "zero");
            g.AddNode("Cast", "recent_mask", "recent_is_event").Attribute("to", (long)OnnxElementType.Float);
            g.AddNode("Mul", "repeat_bonus", "recent_mask", "repeat_by_position");
            // Padding adds its 0 bonus to class 0 rather than index −1.
            g.AddNode("Sub", "recent_classes_raw", "recent_tokens", "one");
            g.AddNode("Max", "recent_classes", "recent_classes_raw", "zero");
            g.AddNode("ScatterElements", "logits_with_repeat", "logits", "recent_classes", "repeat_bonus")
                .Attribute("axis", 1)
                .Attribute("reduction", "add");
            logits = "logits_with_repeat";
        }
        if (shape.PriorFeatures > 0)
        {
            // The neighbourhood statistics live with the host (they are the training sessions); the graph weighs them.
            g.AddInitializer(OnnxTensor.Float("prior_w", parameters.AsSpan(shape.Prior, shape.PriorFeatures), shape.PriorFeatures, 1));
            g.AddInitializer(OnnxTensor.Int64("axis_2_for_prior", [2], 1));
            g.AddNode("MatMul", "prior_bonus_column", PriorsName, "prior_w");
            g.AddNode("Squeeze", "prior_bonus", "prior_bonus_column", "axis_2_for_prior");
            g.AddNode("Add", "logits_with_prior", logits, "prior_bonus");
            logits = "logits_with_prior";
        }
        g.AddNode("Softmax", ProbabilitiesName, logits).Attribute("axis", 1);

        // Back to input positions: left-padded position j holds right-padded position (j + n) mod L.
        g.AddNode("Add", "unroll_shifted", "positions", "events_column");
        g.AddNode("Mod", "unroll_index", "unroll_shifted", "window_length");
        g.AddNode("GatherElements", AttentionName, "rolled_attention", "unroll_index").Attribute("axis", 1);

        builder.AddMetadata("model_format", SequenceModel.Format);
        builder.AddMetadata("model_format_version", SequenceModel.Version.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("field", FieldName(model.Field));
        builder.AddMetadata("max_length", length.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("vocabulary", JsonSerializer.Serialize(model.Vocabulary.Tokens));
        builder.AddMetadata("extra_inputs", ExtraInputsJson(model, extraNames));
        builder.AddMetadata("numeric_inputs", JsonSerializer.Serialize(numericNames));
        builder.AddMetadata("classes", classes.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("class_offset", "1");
        builder.AddMetadata("padding", "left");
        builder.AddMetadata("gap", "log1p(seconds since the previous event)");
        builder.AddMetadata("embedding", e.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("hidden", h.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("layers", shape.Layers.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("repeat_positions", shape.RepeatPositions.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("op_types", JsonSerializer.Serialize(g.OpTypes()));
        return builder;
    }

    /// <summary>Exports <paramref name="model"/> to <paramref name="path"/> atomically; returns the builder that was written and the file size.</summary>
    public static (OnnxModelBuilder Model, long Bytes) Save(SequenceModel model, string path)
    {
        var builder = Build(model);
        return (builder, builder.Save(path));
    }

    private static string FieldName(SequenceField field) => field.ToString().ToLowerInvariant();

    /// <summary>Rows of a 4H × <paramref name="columns"/> gate matrix, block k of the result taken from block gateSource[k].</summary>
    private static float[] ReorderGates(ReadOnlySpan<float> source, int hidden, int columns, IReadOnlyList<int> gateSource)
    {
        var block = hidden * columns;
        var result = new float[4 * block];
        for (var k = 0; k < 4; k++)
            source.Slice(gateSource[k] * block, block).CopyTo(result.AsSpan(k * block, block));
        return result;
    }

    private static float[] Transpose(ReadOnlySpan<float> source, int rows, int columns)
    {
        var result = new float[rows * columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                result[c * rows + r] = source[r * columns + c];
        return result;
    }

    private static string ExtraInputsJson(SequenceModel model, string[] names)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            for (var k = 0; k < names.Length; k++)
            {
                json.WriteStartObject();
                json.WriteString("field", FieldName(model.ExtraInputs[k].Field));
                json.WriteString("input", names[k]);
                json.WriteStartArray("vocabulary");
                foreach (var token in model.ExtraInputs[k].Vocabulary.Tokens)
                    json.WriteStringValue(token);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
