namespace Exania.Sequence;

/// <summary>
/// Sizes of the network and the offsets of every parameter tensor in one flat buffer (so Adam, clipping and the
/// gradient reduction are single span operations). Matrices are row-major, one row per output unit.
/// </summary>
/// <param name="Tokens">Vocabulary size, padding and OOV included (embedding rows).</param>
/// <param name="Classes">Output classes (tokens − 1).</param>
/// <param name="Embedding">Embedding width of every categorical input; the step input is the embeddings plus the gap feature.</param>
/// <param name="Hidden">LSTM hidden size (also the attention size).</param>
/// <param name="Layers">LSTM layers, 1 or 2.</param>
public sealed record NetworkShape(int Tokens, int Classes, int Embedding, int Hidden, int Layers)
{
    /// <summary>Vocabulary sizes of the extra categorical inputs (e.g. the category beside the action), each with its own embedding.</summary>
    public IReadOnlyList<int> ExtraTokens { get; init; } = [];

    /// <summary>
    /// Length of the repeat table (0 = no repeat term): the logit of every class seen among the last
    /// <see cref="RepeatPositions"/> events gets <c>repeat[d]</c> added, d = how many events ago it occurred. It lets the
    /// model say "again what was seen d events back" for any token, which a softmax over embeddings must otherwise learn
    /// per token (rare categories and items never get there).
    /// </summary>
    public int RepeatPositions { get; init; }

    /// <summary>
    /// Session-prior features per class (0 = none; else <see cref="SessionBaselines.FeatureCount"/>): the logit of
    /// class c gets Σ_f prior[f] · x_f(c), with x the sparse features of <see cref="SessionBaselines.Features"/>
    /// (neighbourhood, walk, transition and user-history statistics of the training sessions) and prior[f] a learned
    /// weight. It lets the network start from what those statistics say, which a softmax over embeddings cannot
    /// learn from a few thousand samples of thousands of items.
    /// </summary>
    public int PriorFeatures { get; init; }

    /// <summary>Numeric step inputs after the gap (e.g. scroll depth), fed to the LSTM as they are.</summary>
    public int NumericInputs { get; init; }

    /// <summary>Width of a step's input: the embeddings (predicted field first, then the extra inputs), log1p(gap), then the numeric inputs.</summary>
    public int Input => Embedding * (1 + ExtraTokens.Count) + 1 + NumericInputs;

    /// <summary>Position of log1p(gap) within a step's input.</summary>
    public int GapIndex => Embedding * (1 + ExtraTokens.Count);

    /// <summary>Offset of the embedding table of extra input <paramref name="k"/>.</summary>
    public int ExtraEmbeddingOffset(int k)
    {
        var offset = Tokens * Embedding;
        for (var j = 0; j < k; j++)
            offset += ExtraTokens[j] * Embedding;
        return offset;
    }

    public bool Equals(NetworkShape? other) =>
        other is not null && Tokens == other.Tokens && Classes == other.Classes && Embedding == other.Embedding && Hidden == other.Hidden
        && Layers == other.Layers && RepeatPositions == other.RepeatPositions && NumericInputs == other.NumericInputs && PriorFeatures == other.PriorFeatures
        && ExtraTokens.SequenceEqual(other.ExtraTokens);

    public override int GetHashCode() => HashCode.Combine(Tokens, Classes, Embedding, Hidden, Layers, RepeatPositions, ExtraTokens.Count, NumericInputs);

    public int Attention => Hidden;

    public int EmbeddingOffset => 0;

    public int LayerInput(int layer) => layer == 0 ? Input : Hidden;

    /// <summary>Offset of layer <paramref name="layer"/>'s input weights W (4H × D; gate order i, f, g, o).</summary>
    public int LstmW(int layer)
    {
        var offset = ExtraEmbeddingOffset(ExtraTokens.Count);
        for (var l = 0; l < layer; l++)
            offset += LayerSize(l);
        return offset;
    }

    /// <summary>Offset of the recurrent weights U (4H × H).</summary>
    public int LstmU(int layer) => LstmW(layer) + 4 * Hidden * LayerInput(layer);

    /// <summary>Offset of the gate biases (4H).</summary>
    public int LstmB(int layer) => LstmU(layer) + 4 * Hidden * Hidden;

    public int AttentionW => LstmW(Layers);
    public int AttentionB => AttentionW + Attention * Hidden;
    public int AttentionV => AttentionB + Attention;
    public int OutputW => AttentionV + Attention;
    public int OutputB => OutputW + Classes * Hidden;
    public int Repeat => OutputB + Classes;
    /// <summary>Offset of the prior weights (one per prior feature).</summary>
    public int Prior => Repeat + RepeatPositions;

    public int ParameterCount => Prior + PriorFeatures;

    private int LayerSize(int layer) => 4 * Hidden * (LayerInput(layer) + Hidden + 1);

    /// <summary>Widest embedding or hidden layer a model may have (4,096), so that no size computation overflows.</summary>
    public const int MaxWidth = 4096;

    /// <summary>Most parameters a network may hold: 256 M float32 values, 1 GiB. Checked before anything is allocated.</summary>
    public const long MaxParameters = 256_000_000;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Tokens, 3, nameof(Tokens));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Embedding, MaxWidth, nameof(Embedding));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Hidden, MaxWidth, nameof(Hidden));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(RepeatPositions, SequenceOptions.MaxLengthLimit, nameof(RepeatPositions));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(NumericInputs, 3, nameof(NumericInputs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ExtraTokens.Count, 8, nameof(ExtraTokens));
        // The same sum as ParameterCount, in long arithmetic: sizes read from a file are checked before they overflow
        // an int or allocate gigabytes.
        long embedded = (long)Tokens * Embedding;
        foreach (var extra in ExtraTokens)
            embedded += (long)extra * Embedding;
        long input = (long)Embedding * (1 + ExtraTokens.Count) + 1 + NumericInputs;
        long total = embedded + 4L * Hidden * (input + Hidden + 1) + (Layers - 1) * 4L * Hidden * (2L * Hidden + 1)
                     + (long)Hidden * Hidden + 2L * Hidden + (long)Classes * Hidden + Classes + RepeatPositions + PriorFeatures;
        if (total > MaxParameters)
            throw new ArgumentOutOfRangeException(nameof(Tokens), Tokens,
                $"The network would hold {total:N0} parameters, more than the {MaxParameters:N0} allowed ({Tokens:N0} tokens × {Embedding} embedding, {Hidden} hidden, {Classes:N0} classes).");
        if (Classes != Tokens - 1)
            throw new ArgumentException($"Classes ({Classes}) must be tokens − 1 ({Tokens - 1}).");
        ArgumentOutOfRangeException.ThrowIfLessThan(Embedding, 1, nameof(Embedding));
        ArgumentOutOfRangeException.ThrowIfLessThan(Hidden, 1, nameof(Hidden));
        if (Layers is < 1 or > 2)
            throw new ArgumentOutOfRangeException(nameof(Layers), Layers, "The LSTM has 1 or 2 layers.");
        foreach (var extra in ExtraTokens)
            ArgumentOutOfRangeException.ThrowIfLessThan(extra, 3, nameof(ExtraTokens));
        ArgumentOutOfRangeException.ThrowIfNegative(RepeatPositions, nameof(RepeatPositions));
        ArgumentOutOfRangeException.ThrowIfNegative(NumericInputs, nameof(NumericInputs));
        if (PriorFeatures != 0 && PriorFeatures != SessionBaselines.FeatureCount)
            throw new ArgumentOutOfRangeException(nameof(PriorFeatures), PriorFeatures, $"A network has 0 or {SessionBaselines.FeatureCount} prior features.");
    }

    /// <summary>Named tensors (name, offset, length) in buffer order, for the model file.</summary>
    public IEnumerable<(string Name, int Offset, int Length)> Tensors()
    {
        yield return ("embedding", 0, Tokens * Embedding);
        for (var k = 0; k < ExtraTokens.Count; k++)
            yield return ($"embedding.input{k + 1}", ExtraEmbeddingOffset(k), ExtraTokens[k] * Embedding);
        for (var l = 0; l < Layers; l++)
        {
            yield return ($"lstm{l}.w", LstmW(l), 4 * Hidden * LayerInput(l));
            yield return ($"lstm{l}.u", LstmU(l), 4 * Hidden * Hidden);
            yield return ($"lstm{l}.b", LstmB(l), 4 * Hidden);
        }
        yield return ("attention.w", AttentionW, Attention * Hidden);
        yield return ("attention.b", AttentionB, Attention);
        yield return ("attention.v", AttentionV, Attention);
        yield return ("output.w", OutputW, Classes * Hidden);
        yield return ("output.b", OutputB, Classes);
        if (RepeatPositions > 0)
            yield return ("repeat", Repeat, RepeatPositions);
        if (PriorFeatures > 0)
            yield return ("prior", Prior, PriorFeatures);
    }
}
