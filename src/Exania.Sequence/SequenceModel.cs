using System.Text.Json;
using Exania.Core;
using Exania.Events;

namespace Exania.Sequence;

/// <summary>An extra categorical input of a model: the event field and its vocabulary.</summary>
public sealed record ExtraInput(SequenceField Field, SequenceVocabulary Vocabulary);

/// <summary>Top-k next actions with their probabilities, and the attention weight of each past event used.</summary>
/// <param name="Probabilities">Probability of every class (class k = vocabulary token k + 1).</param>
/// <param name="Attention">Attention weight of each real input event, oldest first (padding is not listed: its weight is 0).</param>
public sealed record SequencePrediction(float[] Probabilities, float[] Attention);

/// <summary>
/// A trained next-action model: embedding ++ log1p(gap) → LSTM → additive attention → linear (+ repeat term) → softmax, float32.
/// </summary>
/// <remarks>
/// File format (JSON, written atomically): <c>{"format": "exania.sequence-model", "version": 1, "max_length", "field",
/// "shape": {"tokens", "classes", "embedding", "hidden", "layers", "repeat"}, "vocabulary": [tokens in index order], "extra_inputs": [{"field", "vocabulary"}], "numeric_inputs": [column names],
/// "tensors": {"embedding": [...], "lstm0.w": [...], ...}}</c>. Matrices are row-major with one row per output unit;
/// LSTM gates are ordered i, f, g, o (PyTorch's order).
/// </remarks>
public sealed class SequenceModel
{
    public const string Format = ModelFile.SequenceFormat;
    public const int Version = 1;

    public SequenceModel(NetworkShape shape, SequenceVocabulary vocabulary, int maxLength, float[] parameters, SequenceField field = SequenceField.Action,
        IReadOnlyList<ExtraInput>? extraInputs = null, IReadOnlyList<EventField>? numericInputs = null, SessionBaselines? priors = null)
    {
        if ((shape?.PriorFeatures > 0) != (priors is not null))
            throw new ArgumentException("A network with a prior term needs the training sessions' statistics (priors), and only such a network takes them.");
        if (priors is not null && priors.Classes != shape!.Classes)
            throw new ArgumentException($"The priors cover {priors.Classes} classes; the network has {shape.Classes}.");
        Priors = priors;
        extraInputs ??= [];
        numericInputs ??= [];
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(parameters);
        shape.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (shape.Tokens != vocabulary.Count)
            throw new ArgumentException($"The shape has {shape.Tokens} tokens but the vocabulary {vocabulary.Count}.");
        if (!extraInputs.Select(x => x.Vocabulary.Count).SequenceEqual(shape.ExtraTokens))
            throw new ArgumentException("The extra inputs' vocabularies do not match the shape's extra embedding tables.");
        if (numericInputs.Count != shape.NumericInputs)
            throw new ArgumentException($"The shape has {shape.NumericInputs} numeric input(s) but {numericInputs.Count} field(s) are named.");
        if (parameters.Length != shape.ParameterCount)
            throw new ArgumentException($"Expected {shape.ParameterCount} parameters, got {parameters.Length}.");
        Shape = shape;
        Vocabulary = vocabulary;
        MaxLength = maxLength;
        Parameters = parameters;
        Field = field;
        ExtraInputs = extraInputs;
        NumericInputs = numericInputs;
    }

    /// <summary>The training sessions' neighbourhood and transition statistics behind the prior term (null without one).</summary>
    public SessionBaselines? Priors { get; }

    /// <summary>Sets the window's session priors on <paramref name="network"/> when the model has a prior term.</summary>
    internal void SetPrior(SequenceNetwork<float> network, ReadOnlySpan<int> window, ref SessionBaselines.Workspace? workspace, string? user = null,
        double sessionStart = double.NaN)
    {
        if (Priors is null) return;
        workspace ??= Priors.CreateWorkspace();
        var (classes, values) = Priors.Features(window, -1, workspace, user, sessionStart);
        network.SetPrior(classes.Span, values.Span);
    }

    /// <summary>
    /// The session priors of a left-padded window as a dense [Classes, F] row-major array (zeros for every class the
    /// statistics do not score): the <c>session_priors</c> input of the exported ONNX graph.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no prior term.</exception>
    /// <param name="window">Left-padded tokens, the last the current item.</param>
    /// <param name="user">The session's user (its earlier training sessions feed the user-history feature), or null.</param>
    /// <param name="sessionStart">The session's first timestamp, epoch seconds.</param>
    public float[] DensePriors(ReadOnlySpan<int> window, string? user = null, double sessionStart = double.NaN)
    {
        if (Priors is null)
            throw new InvalidOperationException("This model has no session-prior term.");
        var f = Shape.PriorFeatures;
        var dense = new float[Shape.Classes * f];
        var (classes, values) = Priors.Features(window, -1, Priors.CreateWorkspace(), user, sessionStart);
        for (var i = 0; i < classes.Length; i++)
            values.Span.Slice(i * f, f).CopyTo(dense.AsSpan(classes.Span[i] * f, f));
        return dense;
    }

    /// <summary>Numeric event fields fed beside the gap, in step-input order (see <see cref="SequenceOptions.NumericInputs"/>).</summary>
    public IReadOnlyList<EventField> NumericInputs { get; }

    /// <summary>Further embedded input fields (e.g. the category beside the action), in step-input order.</summary>
    public IReadOnlyList<ExtraInput> ExtraInputs { get; }

    /// <summary>The event field the model reads and predicts (action, category, page or item).</summary>
    public SequenceField Field { get; }

    public NetworkShape Shape { get; }
    public SequenceVocabulary Vocabulary { get; }
    public int MaxLength { get; }

    /// <summary>All parameters in one buffer; <see cref="NetworkShape.Tensors"/> names the slices.</summary>
    public float[] Parameters { get; }

    /// <summary>
    /// Scores one left-padded (or shorter, unpadded) window of token ids and log1p gaps; <paramref name="extraTokens"/>
    /// holds the extra inputs' tokens input-major (input k at <c>k · tokens.Length</c>). Longer windows keep their last
    /// <see cref="MaxLength"/> steps.
    /// </summary>
    public SequencePrediction Predict(ReadOnlySpan<int> tokens, ReadOnlySpan<float> gaps, ReadOnlySpan<int> extraTokens = default,
        ReadOnlySpan<float> numeric = default) => Predict(tokens, gaps, extraTokens, numeric, null, double.NaN);

    /// <summary>
    /// As <see cref="Predict(ReadOnlySpan{int}, ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float})"/>, with the
    /// session's user and start for the user-history prior (a model with session priors; ignored otherwise).
    /// </summary>
    public SequencePrediction Predict(ReadOnlySpan<int> tokens, ReadOnlySpan<float> gaps, ReadOnlySpan<int> extraTokens,
        ReadOnlySpan<float> numeric, string? user, double sessionStart)
    {
        if (tokens.Length > MaxLength)
        {
            extraTokens = LastSteps(extraTokens, ExtraInputs.Count, tokens.Length, MaxLength);
            numeric = LastSteps(numeric, NumericInputs.Count, tokens.Length, MaxLength);
            tokens = tokens[^MaxLength..];
            gaps = gaps[^MaxLength..];
        }
        // Workspace for this prefix's steps, not the model's longest window: memory follows the data.
        var network = new SequenceNetwork<float>(Shape, Math.Max(1, tokens.Length));
        var random = default(SplitMix64);
        SessionBaselines.Workspace? workspace = null;
        SetPrior(network, tokens, ref workspace, user, sessionStart);
        network.Forward(Parameters, tokens, gaps, 0f, ref random, extraTokens, numeric);
        return new SequencePrediction(network.Probabilities.ToArray(), network.Attention.ToArray());
    }

    /// <summary>
    /// The last <paramref name="keep"/> steps of each of <paramref name="inputs"/> input-major rows of
    /// <paramref name="length"/> values; a span of any other size is returned as it is, for the network to reject.
    /// </summary>
    private static ReadOnlySpan<TValue> LastSteps<TValue>(ReadOnlySpan<TValue> values, int inputs, int length, int keep)
    {
        if (inputs == 0 || values.Length != inputs * length)
            return values;
        var kept = new TValue[inputs * keep];
        for (var k = 0; k < inputs; k++)
            values.Slice(k * length + length - keep, keep).CopyTo(kept.AsSpan(k * keep));
        return kept;
    }

    /// <summary>
    /// Scores a session prefix given as <see cref="Field"/> values (action names by default) and timestamps (epoch seconds, sorted): the last
    /// <see cref="MaxLength"/> events, unknown actions as OOV, gaps as log1p of the time since the previous event.
    /// </summary>
    /// <param name="actions">The predicted field's values, oldest first.</param>
    /// <param name="timestamps">Epoch seconds, sorted; the first is the session's start.</param>
    /// <param name="extraValues">The extra inputs' values, one list per input.</param>
    /// <param name="numericValues">The numeric inputs' values, one list per input.</param>
    /// <param name="user">The session's user, for the user-history prior (null: none).</param>
    public SequencePrediction Predict(IReadOnlyList<string> actions, IReadOnlyList<double> timestamps, IReadOnlyList<IReadOnlyList<string>>? extraValues = null,
        IReadOnlyList<IReadOnlyList<float>>? numericValues = null, string? user = null)
    {
        extraValues ??= [];
        numericValues ??= [];
        if (numericValues.Count != NumericInputs.Count || numericValues.Any(v => v.Count != actions?.Count))
            throw new ArgumentException($"The model takes {NumericInputs.Count} numeric input(s), each with one value per event.");
        if (extraValues.Count != ExtraInputs.Count || extraValues.Any(v => v.Count != actions?.Count))
            throw new ArgumentException($"The model takes {ExtraInputs.Count} extra input(s), each with one value per event.");
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(timestamps);
        if (actions.Count == 0 || actions.Count != timestamps.Count)
            throw new ArgumentException("A prefix needs at least one event, with one timestamp per action.");
        var n = Math.Min(actions.Count, MaxLength);
        var first = actions.Count - n;
        var tokens = new int[n];
        var gaps = new float[n];
        var extraTokens = new int[ExtraInputs.Count * n];
        var numeric = new float[NumericInputs.Count * n];
        for (var i = 0; i < n; i++)
        {
            var j = first + i;
            tokens[i] = Vocabulary.IndexOf(actions[j]);
            for (var k = 0; k < ExtraInputs.Count; k++)
                extraTokens[k * n + i] = ExtraInputs[k].Vocabulary.IndexOf(extraValues[k][j]);
            for (var k = 0; k < NumericInputs.Count; k++)
                numeric[k * n + i] = float.IsFinite(numericValues[k][j]) ? numericValues[k][j] : 0f;
            gaps[i] = j == 0 ? 0f : (float)Math.Log(1 + Math.Max(timestamps[j] - timestamps[j - 1], 0));
        }
        return Predict(tokens, gaps, extraTokens, numeric, user, timestamps[0]);
    }

    /// <summary>Scores a cleaned session prefix (see <see cref="SequencePreprocessor.Prefixes"/>).</summary>
    public SequencePrediction Predict(SessionPrefix prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return Predict(prefix.Actions, prefix.Timestamps, prefix.ExtraValues, prefix.NumericValues, prefix.User);
    }

    /// <summary>Class probabilities of every sample into <paramref name="destination"/> (Count × Classes), in parallel.</summary>
    public void PredictProbabilities(SequenceSamples samples, Span<float> destination, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var classes = Shape.Classes;
        if (destination.Length < samples.Count * classes)
            throw new ArgumentException($"The destination holds {destination.Length} values; {samples.Count * classes} are needed.", nameof(destination));
        if (samples.MaxLength > MaxLength)
            throw new ArgumentException($"Samples are {samples.MaxLength} steps long; the model takes at most {MaxLength}.");
        var output = new float[samples.Count * classes];
        var options = Parallelism.Options(threads);
        const int Block = 256;
        Parallel.For(0, (samples.Count + Block - 1) / Block, options, () => new SequenceNetwork<float>(Shape, MaxLength), (block, _, network) =>
        {
            var random = default(SplitMix64);
            var end = Math.Min(samples.Count, (block + 1) * Block);
            SessionBaselines.Workspace? workspace = null;
            for (var i = block * Block; i < end; i++)
            {
                var (user, start) = samples.ContextOf(i);
                SetPrior(network, samples.TokensOf(i), ref workspace, user, start);
                network.Forward(Parameters, samples.TokensOf(i), samples.GapsOf(i), 0f, ref random, samples.ExtraTokensOf(i), samples.NumericOf(i));
                network.Probabilities.CopyTo(output.AsSpan(i * classes, classes));
            }
            return network;
        }, _ => { });
        output.CopyTo(destination);
    }

    public void Save(string path)
    {
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream);
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", Version);
            json.WriteNumber("max_length", MaxLength);
            json.WriteString("field", Field.ToString().ToLowerInvariant());
            json.WriteStartObject("shape");
            json.WriteNumber("tokens", Shape.Tokens);
            json.WriteNumber("classes", Shape.Classes);
            json.WriteNumber("embedding", Shape.Embedding);
            json.WriteNumber("hidden", Shape.Hidden);
            json.WriteNumber("layers", Shape.Layers);
            json.WriteNumber("repeat", Shape.RepeatPositions);
            json.WriteNumber("prior", Shape.PriorFeatures);
            json.WriteEndObject();
            json.WriteStartArray("vocabulary");
            foreach (var token in Vocabulary.Tokens)
                json.WriteStringValue(token);
            json.WriteEndArray();
            json.WriteStartArray("extra_inputs");
            foreach (var input in ExtraInputs)
            {
                json.WriteStartObject();
                json.WriteString("field", input.Field.ToString().ToLowerInvariant());
                json.WriteStartArray("vocabulary");
                foreach (var token in input.Vocabulary.Tokens)
                    json.WriteStringValue(token);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("numeric_inputs");
            foreach (var numericInput in NumericInputs)
                json.WriteStringValue(EventFields.Name(numericInput));
            json.WriteEndArray();
            if (Priors is not null)
            {
                // The prior term is computed from the training sessions at every prediction, so they travel with the model.
                json.WriteStartObject("priors");
                json.WriteNumber("neighbours", Priors.NeighbourOptions.Neighbours);
                json.WriteNumber("sample_size", Priors.NeighbourOptions.SampleSize);
                json.WriteStartArray("session_users");
                foreach (var user in Priors.SessionUsers) json.WriteStringValue(user);
                json.WriteEndArray();
                json.WriteStartArray("session_ends");
                foreach (var end in Priors.SessionEnds) json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteStartArray("sessions");
                foreach (var session in Priors.SessionTokens)
                {
                    json.WriteStartArray();
                    foreach (var token in session) json.WriteNumberValue(token);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteStartObject("tensors");
            foreach (var (name, offset, length) in Shape.Tensors())
            {
                json.WriteStartArray(name);
                foreach (var value in Parameters.AsSpan(offset, length))
                    json.WriteNumberValue(value); // shortest round-trip form of the float
                json.WriteEndArray();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    /// <exception cref="ModelFormatException">Not a sequence model, another version, malformed JSON or inconsistent shapes.</exception>
    public static SequenceModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return FromBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>A model from the UTF-8 JSON of a model file; <paramref name="path"/> names it in messages.</summary>
    /// <exception cref="ModelFormatException">See <see cref="Load"/>.</exception>
    public static SequenceModel FromBytes(byte[] bytes, string path = "<bytes>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            ModelFile.Expect(ModelFile.ParseHeader(bytes, path), path, ModelKind.Sequence, Version);
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            // Sizes are checked before anything is allocated by them: a file is data, not a promise.
            var maxLength = root.GetProperty("max_length").GetInt32();
            if (maxLength is < 1 or > SequenceOptions.MaxLengthLimit)
                throw new ModelFormatException(path, $"max_length {maxLength} is outside 1..{SequenceOptions.MaxLengthLimit}");
            var extras = new List<ExtraInput>();
            if (root.TryGetProperty("extra_inputs", out var extraElement))
                foreach (var x in extraElement.EnumerateArray())
                    extras.Add(new ExtraInput(ParseField(path, x.GetProperty("field").GetString()),
                        new SequenceVocabulary([.. x.GetProperty("vocabulary").EnumerateArray().Select(e => e.GetString() ?? "")])));
            var numericInputs = new List<EventField>();
            if (root.TryGetProperty("numeric_inputs", out var numericElement))
                foreach (var x in numericElement.EnumerateArray())
                    numericInputs.Add(SequenceOptions.ParseNumericInput(x.GetString()));
            var s = root.GetProperty("shape");
            var shape = new NetworkShape(s.GetProperty("tokens").GetInt32(), s.GetProperty("classes").GetInt32(),
                s.GetProperty("embedding").GetInt32(), s.GetProperty("hidden").GetInt32(), s.GetProperty("layers").GetInt32())
            {
                ExtraTokens = [.. extras.Select(x => x.Vocabulary.Count)],
                RepeatPositions = s.TryGetProperty("repeat", out var repeat) ? repeat.GetInt32() : 0,
                NumericInputs = numericInputs.Count,
                PriorFeatures = s.TryGetProperty("prior", out var prior) ? prior.GetInt32() : 0,
            };
            shape.Validate();
            SessionBaselines? priors = null;
            if (root.TryGetProperty("priors", out var priorsElement))
            {
                var sessions = new List<int[]>();
                foreach (var session in priorsElement.GetProperty("sessions").EnumerateArray())
                {
                    var tokens = new int[session.GetArrayLength()];
                    var k = 0;
                    foreach (var token in session.EnumerateArray())
                    {
                        var t = token.GetInt32();
                        if ((uint)t >= (uint)shape.Tokens)
                            throw new ModelFormatException(path, $"a prior session holds token {t}, outside the vocabulary of {shape.Tokens}");
                        tokens[k++] = t;
                    }
                    sessions.Add(tokens);
                }
                var ends = priorsElement.GetProperty("session_ends").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                priors = SessionBaselines.Fit(sessions, ends, shape.Tokens, new NeighbourOptions
                {
                    Neighbours = priorsElement.GetProperty("neighbours").GetInt32(),
                    SampleSize = priorsElement.GetProperty("sample_size").GetInt32(),
                }, priorsElement.TryGetProperty("session_users", out var users) ? [.. users.EnumerateArray().Select(u => u.GetString() ?? "")] : null);
            }
            var vocabulary = new SequenceVocabulary([.. root.GetProperty("vocabulary").EnumerateArray().Select(e => e.GetString() ?? "")]);
            var parameters = new float[shape.ParameterCount];
            var tensors = root.GetProperty("tensors");
            foreach (var (name, offset, length) in shape.Tensors())
            {
                if (!tensors.TryGetProperty(name, out var tensor) || tensor.ValueKind != JsonValueKind.Array || tensor.GetArrayLength() != length)
                    throw new ModelFormatException(path, $"tensor '{name}' is missing or does not hold {length} values");
                var i = offset;
                foreach (var value in tensor.EnumerateArray())
                {
                    var f = value.GetSingle();
                    if (!float.IsFinite(f))
                        throw new ModelFormatException(path, $"tensor '{name}' holds a non-finite value");
                    parameters[i++] = f;
                }
            }
            var field = root.TryGetProperty("field", out var fieldElement) ? ParseField(path, fieldElement.GetString()) : SequenceField.Action;
            return new SequenceModel(shape, vocabulary, maxLength, parameters, field, extras, numericInputs, priors);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ModelFormatException(path, ex.Message, ex);
        }
    }

    private static SequenceField ParseField(string path, string? name) => name switch
    {
        "action" => SequenceField.Action,
        "category" => SequenceField.Category,
        "page" => SequenceField.Page,
        "item" => SequenceField.Item,
        _ => throw new ModelFormatException(path, $"field '{name}' is not one of action, category, page, item"),
    };
}
