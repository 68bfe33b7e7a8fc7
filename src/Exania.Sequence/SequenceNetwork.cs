using System.Numerics;
using System.Numerics.Tensors;
using Exania.Core;

namespace Exania.Sequence;

/// <summary>
/// One sample through the whole network and back: embedding ++ gap → LSTM (1–2 layers, dropout between them) →
/// additive attention → dropout → linear (+ the repeat term, when the shape has one) → softmax, or a sampled softmax
/// in training. Left padding is skipped: the LSTM starts at the first real event with a zero state, and the attention
/// runs over the real steps only, so padding gets exactly zero weight.
/// A workspace holds every activation of one sample; one workspace per worker, never shared.
/// </summary>
internal sealed class SequenceNetwork<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NetworkShape _shape;
    private readonly T[] _x;
    private readonly T[][] _gates;
    private readonly T[][] _c;
    private readonly T[][] _h;
    private readonly T[][] _tc;
    private readonly T[] _layerInput;
    private readonly T[] _layerMask;
    private readonly T[] _u;
    private readonly T[] _alpha;
    private readonly T[] _context;
    private readonly T[] _contextDropped;
    private readonly T[] _contextMask;
    private readonly T[] _probabilities;
    private readonly T[] _dh;
    private readonly T[] _dx0;
    private readonly T[] _dx1;
    private readonly T[] _dContext;
    private readonly T[] _scratch;
    private readonly int[] _tokens;
    private readonly int[] _extraTokens;
    private readonly T[] _classScratch;
    private int[] _candidates = [];
    private int[] _priorClasses = [];
    private T[] _priorValues = [];
    private int _priorCount;
    private bool _priorSet;
    private int _candidateCount;
    private int _steps;
    private bool _dropout;

    public SequenceNetwork(NetworkShape shape, int maxLength)
    {
        _shape = shape;
        int h = shape.Hidden, l = maxLength;
        _x = new T[l * shape.Input];
        _gates = new T[shape.Layers][];
        _c = new T[shape.Layers][];
        _h = new T[shape.Layers][];
        _tc = new T[shape.Layers][];
        for (var k = 0; k < shape.Layers; k++)
        {
            _gates[k] = new T[l * 4 * h];
            _c[k] = new T[l * h];
            _h[k] = new T[l * h];
            _tc[k] = new T[l * h];
        }
        _layerInput = new T[l * h];
        _layerMask = new T[l * h];
        _u = new T[l * shape.Attention];
        _alpha = new T[l];
        _context = new T[h];
        _contextDropped = new T[h];
        _contextMask = new T[h];
        _probabilities = new T[shape.Classes];
        _dh = new T[l * h];
        _dx0 = new T[l * shape.Input];
        _dx1 = new T[l * h];
        _dContext = new T[h];
        _scratch = new T[6 * h + shape.Attention + l];
        _tokens = new int[l];
        _extraTokens = new int[l * shape.ExtraTokens.Count];
        _classScratch = new T[shape.Classes];
    }

    public int MaxLength => _alpha.Length;

    /// <summary>Real (non-padding) steps of the last forward pass.</summary>
    public int Steps => _steps;

    public ReadOnlySpan<T> Probabilities => _probabilities;

    /// <summary>Attention weights over the real steps of the last forward pass (oldest first).</summary>
    public ReadOnlySpan<T> Attention => _alpha.AsSpan(0, _steps);

    /// <summary>
    /// The sparse session priors of the next forward pass (see <see cref="NetworkShape.PriorFeatures"/>):
    /// <paramref name="classes"/> and their feature values, class-major. A network with priors refuses a forward pass
    /// without them, so no sample is scored with another's.
    /// </summary>
    public void SetPrior(ReadOnlySpan<int> classes, ReadOnlySpan<float> values)
    {
        var f = _shape.PriorFeatures;
        if (f == 0)
            throw new InvalidOperationException("This network has no prior term.");
        if (values.Length != classes.Length * f)
            throw new ArgumentException($"Expected {f} prior value(s) per class, got {values.Length} for {classes.Length} classes.");
        if (_priorClasses.Length < classes.Length)
        {
            _priorClasses = new int[Math.Max(classes.Length, 2 * _priorClasses.Length)];
            _priorValues = new T[f * _priorClasses.Length];
        }
        for (var i = 0; i < classes.Length; i++)
        {
            if ((uint)classes[i] >= (uint)_shape.Classes)
                throw new ArgumentException($"Prior class {classes[i]} is outside the {_shape.Classes} classes.");
            _priorClasses[i] = classes[i];
        }
        for (var i = 0; i < values.Length; i++)
            _priorValues[i] = T.CreateTruncating(values[i]);
        _priorCount = classes.Length;
        _priorSet = true;
    }

    /// <summary>Adds the prior term to <paramref name="logits"/> (indexed by class).</summary>
    private void AddPrior(ReadOnlySpan<T> parameters, Span<T> logits)
    {
        var f = _shape.PriorFeatures;
        if (f == 0) return;
        if (!_priorSet)
            throw new InvalidOperationException("This network has a prior term: call SetPrior before every forward pass.");
        _priorSet = false;
        var weights = parameters.Slice(_shape.Prior, f);
        for (var i = 0; i < _priorCount; i++)
        {
            var sum = T.Zero;
            for (var k = 0; k < f; k++) sum += weights[k] * _priorValues[i * f + k];
            logits[_priorClasses[i]] += sum;
        }
    }

    /// <summary>
    /// Forward pass over a left-padded window. With <paramref name="dropout"/> &gt; 0 the masks are drawn from
    /// <paramref name="random"/> (inverted dropout: kept units are scaled by 1/(1−p)).
    /// <paramref name="extraTokens"/> holds the extra categorical inputs, input-major: input k's tokens for the window at
    /// <c>[k·L, (k+1)·L)</c> with L = <c>tokens.Length</c>; <paramref name="numeric"/> the numeric inputs, laid out alike.
    /// </summary>
    /// <exception cref="ArgumentException">The window has no real event or is longer than the workspace.</exception>
    public void Forward(ReadOnlySpan<T> parameters, ReadOnlySpan<int> tokens, ReadOnlySpan<float> gaps, T dropout, ref SplitMix64 random,
        ReadOnlySpan<int> extraTokens = default, ReadOnlySpan<float> numeric = default)
    {
        Encode(parameters, tokens, gaps, dropout, ref random, extraTokens, numeric);
        var shape = _shape;
        _candidateCount = 0;
        SoftmaxOutput<T>.Logits(_contextDropped, shape.Hidden, shape.Classes, parameters.Slice(shape.OutputW, shape.Classes * shape.Hidden),
            parameters.Slice(shape.OutputB, shape.Classes), _probabilities);
        if (shape.RepeatPositions > 0)
        {
            var repeat = parameters.Slice(shape.Repeat, shape.RepeatPositions);
            for (var t = RepeatStart; t < _steps; t++)
                _probabilities[_tokens[t] - 1] += repeat[_steps - 1 - t];
        }
        AddPrior(parameters, _probabilities);
        AdditiveAttention<T>.StableSoftmax(_probabilities);
    }

    /// <summary>
    /// Training-time forward pass with a sampled softmax: the softmax runs over the target (candidate 0) and the shared
    /// <paramref name="negatives"/> only, each logit lowered by <paramref name="logExpected"/>[class] = log(expected
    /// draws of the class), the correction that makes the sampled loss's gradient an estimate of the full one
    /// (Jean et al., 2015). A negative that equals the target (an "accidental hit") is masked out.
    /// <see cref="Loss"/> and <see cref="Backward"/> then work on the candidates; <see cref="Probabilities"/> is not
    /// the full distribution.
    /// </summary>
    public void ForwardSampled(ReadOnlySpan<T> parameters, ReadOnlySpan<int> tokens, ReadOnlySpan<float> gaps, T dropout, ref SplitMix64 random,
        ReadOnlySpan<int> extraTokens, int target, ReadOnlySpan<int> negatives, ReadOnlySpan<T> logExpected, ReadOnlySpan<float> numeric = default)
    {
        if (_shape.PriorFeatures > 0)
            throw new InvalidOperationException("A network with a prior term trains with the full softmax: the prior's classes must all be in the partition.");
        Encode(parameters, tokens, gaps, dropout, ref random, extraTokens, numeric);
        var shape = _shape;
        int h = shape.Hidden, m = negatives.Length + 1;
        if (_candidates.Length < m)
            _candidates = new int[m];
        _candidates[0] = target;
        negatives.CopyTo(_candidates.AsSpan(1));
        _candidateCount = m;
        var bonus = _classScratch;
        var repeat = parameters.Slice(shape.Repeat, shape.RepeatPositions);
        for (var t = RepeatStart; t < _steps; t++)
            bonus[_tokens[t] - 1] += repeat[_steps - 1 - t];
        var w = parameters.Slice(shape.OutputW, shape.Classes * h);
        var b = parameters.Slice(shape.OutputB, shape.Classes);
        var logits = _probabilities.AsSpan(0, m);
        for (var j = 0; j < m; j++)
        {
            var c = _candidates[j];
            logits[j] = j > 0 && c == target
                ? T.NegativeInfinity
                : b[c] + TensorPrimitives.Dot(w.Slice(c * h, h), _contextDropped) + bonus[c] - logExpected[c];
        }
        for (var t = RepeatStart; t < _steps; t++)
            bonus[_tokens[t] - 1] = T.Zero;
        AdditiveAttention<T>.StableSoftmax(logits);
    }

    private void Encode(ReadOnlySpan<T> parameters, ReadOnlySpan<int> tokens, ReadOnlySpan<float> gaps, T dropout, ref SplitMix64 random,
        ReadOnlySpan<int> extraTokens, ReadOnlySpan<float> numeric)
    {
        var shape = _shape;
        if (tokens.Length > MaxLength || gaps.Length != tokens.Length)
            throw new ArgumentException($"A window holds at most {MaxLength} steps with one gap per token.");
        var extras = shape.ExtraTokens.Count;
        if (extraTokens.Length != extras * tokens.Length)
            throw new ArgumentException($"Expected {extras} extra input(s) of {tokens.Length} tokens each, got {extraTokens.Length} tokens.");
        var numerics = shape.NumericInputs;
        if (numeric.Length != numerics * tokens.Length)
            throw new ArgumentException($"Expected {numerics} numeric input(s) of {tokens.Length} values each, got {numeric.Length} values.");
        var first = 0;
        while (first < tokens.Length && tokens[first] == SequenceVocabulary.Padding) first++;
        var steps = tokens.Length - first;
        if (steps == 0)
            throw new ArgumentException("The window holds no event (only padding).");
        _steps = steps;
        _dropout = dropout > T.Zero;
        int e = shape.Embedding, d0 = shape.Input, h = shape.Hidden;
        var embedding = parameters.Slice(shape.EmbeddingOffset, shape.Tokens * e);
        for (var t = 0; t < steps; t++)
        {
            var token = tokens[first + t];
            if (token == SequenceVocabulary.Padding || (uint)token >= (uint)shape.Tokens)
                throw new ArgumentException($"Token {token} at step {first + t} is padding inside the window or outside the vocabulary of {shape.Tokens}.");
            _tokens[t] = token;
            embedding.Slice(token * e, e).CopyTo(_x.AsSpan(t * d0, e));
            for (var k = 0; k < extras; k++)
            {
                var extra = extraTokens[k * tokens.Length + first + t];
                if ((uint)extra >= (uint)shape.ExtraTokens[k])
                    throw new ArgumentException($"Token {extra} is outside the vocabulary of extra input {k + 1} ({shape.ExtraTokens[k]}).");
                _extraTokens[k * MaxLength + t] = extra;
                parameters.Slice(shape.ExtraEmbeddingOffset(k) + extra * e, e).CopyTo(_x.AsSpan(t * d0 + (k + 1) * e, e));
            }
            _x[t * d0 + shape.GapIndex] = T.CreateTruncating(gaps[first + t]);
            for (var k = 0; k < numerics; k++)
                _x[t * d0 + shape.GapIndex + 1 + k] = T.CreateTruncating(numeric[k * tokens.Length + first + t]);
        }

        ReadOnlySpan<T> input = _x;
        for (var layer = 0; layer < shape.Layers; layer++)
        {
            var d = shape.LayerInput(layer);
            if (layer > 0)
            {
                _h[layer - 1].AsSpan(0, steps * h).CopyTo(_layerInput);
                if (_dropout)
                {
                    FillMask(_layerMask.AsSpan(0, steps * h), dropout, ref random);
                    TensorPrimitives.Multiply(_layerInput.AsSpan(0, steps * h), _layerMask.AsSpan(0, steps * h), _layerInput.AsSpan(0, steps * h));
                }
                input = _layerInput;
            }
            Lstm<T>.Forward(input, steps, d, h,
                parameters.Slice(shape.LstmW(layer), 4 * h * d), parameters.Slice(shape.LstmU(layer), 4 * h * h), parameters.Slice(shape.LstmB(layer), 4 * h),
                _gates[layer], _c[layer], _h[layer], _tc[layer]);
        }
        var top = _h[shape.Layers - 1];
        var a = shape.Attention;
        AdditiveAttention<T>.Forward(top, steps, h, a, parameters.Slice(shape.AttentionW, a * h), parameters.Slice(shape.AttentionB, a),
            parameters.Slice(shape.AttentionV, a), _u, _alpha, _context);
        _context.CopyTo(_contextDropped, 0);
        if (_dropout)
        {
            FillMask(_contextMask, dropout, ref random);
            TensorPrimitives.Multiply(_contextDropped, _contextMask, _contextDropped);
        }
    }

    /// <summary>First real step inside the repeat table's reach (the table covers the last RepeatPositions steps).</summary>
    private int RepeatStart => Math.Max(0, _steps - _shape.RepeatPositions);

    /// <summary>−log p_target of the last forward pass (of candidate 0, the target, after <see cref="ForwardSampled"/>).</summary>
    public T Loss(int target) => SoftmaxOutput<T>.Loss(_probabilities, _candidateCount > 0 ? 0 : target);

    /// <summary>Accumulates <paramref name="scale"/> · ∂(−log p_target)/∂θ of the last forward pass into <paramref name="gradient"/>.</summary>
    public void Backward(ReadOnlySpan<T> parameters, int target, T scale, Span<T> gradient)
    {
        var shape = _shape;
        int h = shape.Hidden, a = shape.Attention, steps = _steps, e = shape.Embedding;
        if (_candidateCount > 0)
            SampledOutputBackward(parameters, scale, gradient);
        else
            FullOutputBackward(parameters, target, scale, gradient);
        if (_dropout)
            TensorPrimitives.Multiply(_dContext, _contextMask, _dContext);
        var dh = _dh.AsSpan(0, steps * h);
        dh.Clear();
        var top = _h[shape.Layers - 1];
        AdditiveAttention<T>.Backward(top, steps, h, a, parameters.Slice(shape.AttentionW, a * h), parameters.Slice(shape.AttentionV, a),
            _u, _alpha, _dContext, dh, gradient.Slice(shape.AttentionW, a * h), gradient.Slice(shape.AttentionB, a), gradient.Slice(shape.AttentionV, a), _scratch);
        for (var layer = shape.Layers - 1; layer >= 0; layer--)
        {
            var d = shape.LayerInput(layer);
            ReadOnlySpan<T> input = layer == 0 ? _x : _layerInput;
            var dx = layer == 0 ? _dx0 : _dx1;
            Lstm<T>.Backward(input, steps, d, h,
                parameters.Slice(shape.LstmW(layer), 4 * h * d), parameters.Slice(shape.LstmU(layer), 4 * h * h),
                _gates[layer], _c[layer], _h[layer], _tc[layer], dh, dx,
                gradient.Slice(shape.LstmW(layer), 4 * h * d), gradient.Slice(shape.LstmU(layer), 4 * h * h), gradient.Slice(shape.LstmB(layer), 4 * h), _scratch);
            if (layer > 0)
            {
                _dx1.AsSpan(0, steps * h).CopyTo(dh);
                if (_dropout)
                    TensorPrimitives.Multiply(dh, _layerMask.AsSpan(0, steps * h), dh);
            }
        }
        var dEmbedding = gradient.Slice(shape.EmbeddingOffset, shape.Tokens * e);
        for (var t = 0; t < steps; t++)
        {
            var row = dEmbedding.Slice(_tokens[t] * e, e);
            TensorPrimitives.Add(row, _dx0.AsSpan(t * shape.Input, e), row);
            for (var k = 0; k < shape.ExtraTokens.Count; k++)
            {
                var extraRow = gradient.Slice(shape.ExtraEmbeddingOffset(k) + _extraTokens[k * MaxLength + t] * e, e);
                TensorPrimitives.Add(extraRow, _dx0.AsSpan(t * shape.Input + (k + 1) * e, e), extraRow);
            }
        }
    }

    private void FullOutputBackward(ReadOnlySpan<T> parameters, int target, T scale, Span<T> gradient)
    {
        var shape = _shape;
        var h = shape.Hidden;
        SoftmaxOutput<T>.Backward(_contextDropped, h, shape.Classes, parameters.Slice(shape.OutputW, shape.Classes * h), _probabilities, target, scale,
            gradient.Slice(shape.OutputW, shape.Classes * h), gradient.Slice(shape.OutputB, shape.Classes), _dContext);
        var dRepeat = gradient.Slice(shape.Repeat, shape.RepeatPositions);
        for (var t = RepeatStart; t < _steps; t++)
        {
            var k = _tokens[t] - 1;
            dRepeat[_steps - 1 - t] += scale * (_probabilities[k] - (k == target ? T.One : T.Zero));
        }
        var f = shape.PriorFeatures;
        if (f == 0) return;
        var dPrior = gradient.Slice(shape.Prior, f);
        for (var i = 0; i < _priorCount; i++)
        {
            var c = _priorClasses[i];
            var g = scale * (_probabilities[c] - (c == target ? T.One : T.Zero));
            for (var k = 0; k < f; k++) dPrior[k] += g * _priorValues[i * f + k];
        }
    }

    /// <summary>Only the candidates' output rows get a gradient: that is what makes the sampled softmax cheap.</summary>
    private void SampledOutputBackward(ReadOnlySpan<T> parameters, T scale, Span<T> gradient)
    {
        var shape = _shape;
        var h = shape.Hidden;
        var w = parameters.Slice(shape.OutputW, shape.Classes * h);
        var dw = gradient.Slice(shape.OutputW, shape.Classes * h);
        var db = gradient.Slice(shape.OutputB, shape.Classes);
        var perClass = _classScratch; // ∂L/∂(class logit), summed over the candidates drawn more than once
        _dContext.AsSpan().Clear();
        for (var j = 0; j < _candidateCount; j++)
        {
            var g = scale * (_probabilities[j] - (j == 0 ? T.One : T.Zero));
            if (g == T.Zero) continue; // accidental hits (probability exactly 0)
            var c = _candidates[j];
            perClass[c] += g;
            db[c] += g;
            var dwc = dw.Slice(c * h, h);
            TensorPrimitives.MultiplyAdd(_contextDropped, g, dwc, dwc);
            TensorPrimitives.MultiplyAdd(w.Slice(c * h, h), g, _dContext, _dContext);
        }
        var dRepeat = gradient.Slice(shape.Repeat, shape.RepeatPositions);
        for (var t = RepeatStart; t < _steps; t++)
            dRepeat[_steps - 1 - t] += perClass[_tokens[t] - 1];
        for (var j = 0; j < _candidateCount; j++)
            perClass[_candidates[j]] = T.Zero;
    }

    /// <summary>∂L/∂(log1p gap) of real step <paramref name="step"/> after <see cref="Backward"/> (for the gradient checks).</summary>
    public T GapGradient(int step) => _dx0[step * _shape.Input + _shape.GapIndex];

    private static void FillMask(Span<T> mask, T p, ref SplitMix64 random)
    {
        var keep = T.One / (T.One - p);
        var threshold = double.CreateTruncating(p);
        for (var i = 0; i < mask.Length; i++)
            mask[i] = random.NextDouble() < threshold ? T.Zero : keep;
    }
}
