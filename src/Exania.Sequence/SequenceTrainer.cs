using System.Diagnostics;
using System.Numerics.Tensors;
using Exania.Core;
using Exania.Learning;

namespace Exania.Sequence;

/// <summary>Hyperparameters of <see cref="SequenceTrainer"/>; the defaults match <c>seq_next_action.py</c> where it has them.</summary>
public sealed record SequenceTrainingOptions
{
    public int Epochs { get; init; } = 5;
    public int Embedding { get; init; } = 32;
    public int Hidden { get; init; } = 64;

    /// <summary>LSTM layers, 1 or 2.</summary>
    public int Layers { get; init; } = 1;

    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Dropout rate between LSTM layers and on the attention context (0 disables it).</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Gradients are rescaled so their global L2 norm is at most this (0 disables clipping).</summary>
    public double ClipNorm { get; init; } = 5;

    /// <summary>Stop after this many epochs without a lower validation loss; the best epoch's parameters are kept.</summary>
    public int Patience { get; init; } = 2;

    /// <summary>Weight each sample's loss by n / (classes_seen · n_class), so rare actions count as much as frequent ones.</summary>
    public bool ClassWeights { get; init; }

    /// <summary>
    /// Add the repeat term (see <see cref="NetworkShape.RepeatPositions"/>) over the whole window; it starts at zero.
    /// On by default: it is what lets category and item targets beat the Markov chain, and costs nothing measurable
    /// on action targets.
    /// </summary>
    public bool Repeat { get; init; } = true;

    /// <summary>
    /// Add the session-prior term (see <see cref="NetworkShape.PriorFeatures"/>): SKNN, walk, Markov and user-history
    /// statistics of the training sessions, each weighted by a learned scalar, added to the logits. Trains with the full softmax. For
    /// item, category and page targets; on actions every session shares the same few tokens and it says nothing.
    /// </summary>
    public bool SessionPriors { get; init; }

    /// <summary>
    /// Adam's learning rate for the repeat table and the prior weights, a few scalars that must travel from 0 to logit
    /// boosts of several units: at the network's rate they end near rate × steps, far short of their optimum (0.59 on
    /// the DIGINETICA sample against a needed 5 or more). Null: the network's <see cref="LearningRate"/>.
    /// </summary>
    public double? PriorLearningRate { get; init; }

    /// <summary>
    /// Negatives per batch of a sampled softmax in training (0 = the full softmax). Null picks it from the vocabulary:
    /// the full softmax up to <see cref="FullSoftmaxLimit"/> classes, <see cref="AutoNegatives"/> negatives above.
    /// Evaluation always scores the full vocabulary.
    /// </summary>
    public int? SampledSoftmax { get; init; }

    /// <summary>Largest class count trained with the full softmax when <see cref="SampledSoftmax"/> is null.</summary>
    public const int FullSoftmaxLimit = 4096;

    /// <summary>Negatives per batch when <see cref="SampledSoftmax"/> is null and the vocabulary is larger than <see cref="FullSoftmaxLimit"/>.</summary>
    public const int AutoNegatives = 1024;

    /// <summary>The negatives per batch used for <paramref name="classes"/> classes (0 = full softmax).</summary>
    public int NegativesFor(int classes) => SessionPriors ? 0 : SampledSoftmax ?? (classes > FullSoftmaxLimit ? AutoNegatives : 0);

    public int Seed { get; init; }

    /// <summary>What early stopping (and the kept epoch) is chosen by.</summary>
    public EarlyStoppingMetric EarlyStopping { get; init; } = EarlyStoppingMetric.Loss;

    /// <summary>Worker threads (0 = all cores). The result does not depend on it.</summary>
    public int Threads { get; init; }

    public static SequenceTrainingOptions Defaults { get; } = new();

    /// <summary>
    /// The defaults for ranked targets (item, category, page): the session priors at their own rate (0.5), a slower
    /// network (5e-4) with more dropout (0.4), up to 10 epochs, early stopping on validation MRR@20. Chosen on the
    /// DIGINETICA sample (3 seeds, docs/sequence.md): the network overfits thousands of items within an epoch or two
    /// at the action defaults, and the prior weights need to travel several units.
    /// </summary>
    public static SequenceTrainingOptions RankedTargetDefaults { get; } = new()
    {
        Epochs = 10,
        LearningRate = 5e-4,
        Dropout = 0.4,
        SessionPriors = true,
        PriorLearningRate = 0.5,
        EarlyStopping = EarlyStoppingMetric.Mrr20,
    };

    /// <summary>The defaults for predicting <paramref name="field"/>: <see cref="Defaults"/> for actions, else <see cref="RankedTargetDefaults"/>.</summary>
    public static SequenceTrainingOptions DefaultsFor(SequenceField field) => field == SequenceField.Action ? Defaults : RankedTargetDefaults;

    internal void Validate()
    {
        Parallelism.Validate(nameof(SequenceTrainingOptions), Threads);
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(Embedding, 1, nameof(Embedding));
        ArgumentOutOfRangeException.ThrowIfLessThan(Hidden, 1, nameof(Hidden));
        if (Layers is < 1 or > 2)
            throw new ArgumentOutOfRangeException(nameof(Layers), Layers, "The LSTM has 1 or 2 layers.");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        if (!(LearningRate > 0 && double.IsFinite(LearningRate)))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive.");
        if (!(Dropout >= 0 && Dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
        if (!(ClipNorm >= 0))
            throw new ArgumentOutOfRangeException(nameof(ClipNorm), ClipNorm, "The clipping norm must be >= 0.");
        ArgumentOutOfRangeException.ThrowIfLessThan(Patience, 1, nameof(Patience));
        ArgumentOutOfRangeException.ThrowIfNegative(Seed, nameof(Seed));
        if (SampledSoftmax is < 0)
            throw new ArgumentOutOfRangeException(nameof(SampledSoftmax), SampledSoftmax, "The number of sampled negatives must be >= 0 (0 = full softmax).");
        ArgumentOutOfRangeException.ThrowIfNegative(Threads, nameof(Threads));
        if (SessionPriors && SampledSoftmax > 0)
            throw new ArgumentException("The session priors train with the full softmax (every class they boost must be in the partition); leave the sampled softmax at 0.", nameof(SampledSoftmax));
        if (PriorLearningRate is { } rate && !(rate > 0 && double.IsFinite(rate)))
            throw new ArgumentOutOfRangeException(nameof(PriorLearningRate), rate, "The prior learning rate must be positive.");
    }
}

/// <summary>One epoch: mean training loss (weighted as trained; the sampled-softmax loss when sampling), validation loss (unweighted; NaN without validation samples), seconds.</summary>
public sealed record EpochReport(int Epoch, double TrainLoss, double ValidationLoss, double Seconds)
{
    /// <summary>MRR@20 on the validation split over the full class list (NaN without validation samples).</summary>
    public double ValidationMrr20 { get; init; } = double.NaN;
}

/// <summary>What early stopping watches on the validation split.</summary>
public enum EarlyStoppingMetric
{
    /// <summary>The mean −log p of the target (lower is better): the calibrated choice, for action targets.</summary>
    Loss,

    /// <summary>MRR@20 over the full class list (higher is better): what item rankings are judged by.</summary>
    Mrr20,
}

/// <summary>The trained model (parameters of the best validation epoch) and the epoch history.</summary>
public sealed record SequenceTrainingResult(SequenceModel Model, IReadOnlyList<EpochReport> Epochs, int BestEpoch, bool StoppedEarly, float[] ClassWeights)
{
    /// <summary>Mean seconds of the epochs run.</summary>
    public double SecondsPerEpoch => Epochs.Count == 0 ? 0 : Epochs.Average(e => e.Seconds);
}

/// <summary>
/// Mini-batch Adam with backpropagation through time, global-norm clipping, dropout and early stopping.
/// </summary>
/// <remarks>
/// Determinism: each batch is cut into <see cref="Chunks"/> fixed, contiguous chunks; every chunk accumulates its
/// gradient into its own buffer (on whichever thread runs it) and the buffers are summed in chunk order, so the result
/// is the same for any thread count or schedule. Dropout masks come from a generator seeded by (seed, epoch, sample).
/// </remarks>
public static class SequenceTrainer
{
    /// <summary>Fixed number of gradient partitions per batch (the unit of parallel work and of the ordered reduction).</summary>
    public const int Chunks = 8;


    public static SequenceTrainingResult Train(SequenceDataset data, SequenceTrainingOptions? options = null, IProgress<EpochReport>? epochs = null,
        Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= SequenceTrainingOptions.Defaults;
        options.Validate();
        var train = data.Train;
        if (train.Count == 0)
            throw new ArgumentException("The training split has no samples.");
        var vocabulary = data.Vocabulary;
        var shape = new NetworkShape(vocabulary.Count, vocabulary.ClassCount, options.Embedding, options.Hidden, options.Layers)
        {
            ExtraTokens = [.. data.ExtraVocabularies.Select(v => v.Count)],
            RepeatPositions = options.Repeat ? train.MaxLength : 0,
            NumericInputs = train.NumericInputs,
            PriorFeatures = options.SessionPriors ? SessionBaselines.FeatureCount : 0,
        };
        shape.Validate();
        var priors = options.SessionPriors ? SessionBaselines.Fit(data) : null;
        // A training sample's own session is left out of its priors (leave-one-session-out); other splits use them whole.
        var trainSessionOf = new int[data.SessionNames.Length];
        Array.Fill(trainSessionOf, -1);
        for (var k = 0; k < data.TrainSessionIds.Count; k++) trainSessionOf[data.TrainSessionIds[k]] = k;
        var workspaces = new SessionBaselines.Workspace?[Chunks];
        var parameters = Initialize(shape, options.Seed);
        var classWeights = ClassWeightsOf(train, shape.Classes, options.ClassWeights);
        var negativeCount = options.NegativesFor(shape.Classes);
        var sampler = negativeCount > 0 ? new NegativeSampler(train.Targets, shape.Classes, negativeCount) : null;
        var negatives = new int[negativeCount];
        var gradients = new float[Chunks][];
        var networks = new SequenceNetwork<float>[Chunks];
        for (var c = 0; c < Chunks; c++)
        {
            gradients[c] = new float[shape.ParameterCount];
            networks[c] = new SequenceNetwork<float>(shape, train.MaxLength);
        }
        var chunkLoss = new double[Chunks];
        var gradient = gradients[0];
        var m = new float[shape.ParameterCount];
        var v = new float[shape.ParameterCount];
        var parallel = Parallelism.Options(options.Threads);
        var order = new int[train.Count];
        var dropout = (float)options.Dropout;
        var history = new List<EpochReport>();
        var best = (float[])parameters.Clone();
        var bestLoss = double.PositiveInfinity;
        var bestEpoch = 0;
        var sinceBest = 0;
        var step = 0;
        var batches = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var stoppedEarly = false;

        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            Shuffle(order, options.Seed, epoch);
            double lossSum = 0, weightSum = 0;
            for (var batch = 0; batch < batches; batch++)
            {
                var start = batch * options.BatchSize;
                var end = Math.Min(train.Count, start + options.BatchSize);
                var batchWeight = 0.0;
                for (var i = start; i < end; i++)
                    batchWeight += classWeights[train.Targets[order[i]]];
                if (batchWeight <= 0) continue;
                var scale = (float)(1 / batchWeight);
                var length = end - start;
                if (sampler is not null)
                {
                    var draw = SplitMix64.For(options.Seed, epoch, -2 - batch);
                    sampler.Draw(negatives, ref draw);
                }
                Parallel.For(0, Chunks, parallel, c =>
                {
                    var g = gradients[c];
                    Array.Clear(g);
                    var network = networks[c];
                    var loss = 0.0;
                    for (var k = start + c * length / Chunks; k < start + (c + 1) * length / Chunks; k++)
                    {
                        var sample = order[k];
                        var target = train.Targets[sample];
                        var weight = classWeights[target];
                        if (weight == 0) continue;
                        var random = SplitMix64.For(options.Seed, epoch, sample);
                        if (priors is not null)
                        {
                            workspaces[c] ??= priors.CreateWorkspace();
                            var (user, start) = train.ContextOf(sample);
                            var (classes, values) = priors.Features(train.TokensOf(sample), trainSessionOf[train.Sessions[sample]], workspaces[c]!, user, start);
                            network.SetPrior(classes.Span, values.Span);
                        }
                        if (sampler is null)
                            network.Forward(parameters, train.TokensOf(sample), train.GapsOf(sample), dropout, ref random, train.ExtraTokensOf(sample),
                                train.NumericOf(sample));
                        else
                            network.ForwardSampled(parameters, train.TokensOf(sample), train.GapsOf(sample), dropout, ref random, train.ExtraTokensOf(sample),
                                target, negatives, sampler.LogExpected, train.NumericOf(sample));
                        loss += weight * network.Loss(target);
                        network.Backward(parameters, target, weight * scale, g);
                    }
                    chunkLoss[c] = loss;
                });
                for (var c = 1; c < Chunks; c++)
                    TensorPrimitives.Add(gradient, gradients[c], gradient);
                for (var c = 0; c < Chunks; c++)
                    lossSum += chunkLoss[c];
                weightSum += batchWeight;
                Clip(gradient, options.ClipNorm);
                // The repeat table and the prior weights (the tail of the buffer) move at their own rate.
                ++step;
                var tail = shape.Repeat;
                Adam.Step(parameters.AsSpan(0, tail), gradient.AsSpan(0, tail), m.AsSpan(0, tail), v.AsSpan(0, tail), step, options.LearningRate);
                Adam.Step(parameters.AsSpan(tail), gradient.AsSpan(tail), m.AsSpan(tail), v.AsSpan(tail), step, options.PriorLearningRate ?? options.LearningRate);
                progress?.Invoke(((epoch - 1) * batches + batch + 1) / (double)(options.Epochs * batches));
            }
            var trainSeconds = watch.Elapsed.TotalSeconds;
            var (validationLoss, validationMrr) = data.Validation.Count > 0 ? Validate(parameters, data.Validation, networks, parallel, priors) : (double.NaN, double.NaN);
            var report = new EpochReport(epoch, lossSum / Math.Max(weightSum, 1e-300), validationLoss, trainSeconds) { ValidationMrr20 = validationMrr };
            history.Add(report);
            epochs?.Report(report);
            // Both criteria as "lower is better".
            var criterion = options.EarlyStopping == EarlyStoppingMetric.Loss ? validationLoss : -validationMrr;
            if (double.IsNaN(criterion) || criterion < bestLoss)
            {
                bestLoss = double.IsNaN(criterion) ? bestLoss : criterion;
                bestEpoch = epoch;
                sinceBest = 0;
                parameters.CopyTo(best, 0);
            }
            else if (++sinceBest >= options.Patience)
            {
                stoppedEarly = epoch < options.Epochs;
                break;
            }
        }
        var model = new SequenceModel(shape, vocabulary, train.MaxLength, best, data.Options.Field,
            [.. data.Options.ExtraInputs.Zip(data.ExtraVocabularies, (field, v) => new ExtraInput(field, v))], data.Options.NumericInputs, priors);
        return new SequenceTrainingResult(model, history, bestEpoch, stoppedEarly, classWeights);
    }

    /// <summary>Mean −log p_target over <paramref name="samples"/> (no dropout), summed in fixed chunk order.</summary>
    public static double MeanLoss(SequenceModel model, SequenceSamples samples, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        var networks = new SequenceNetwork<float>[Chunks];
        for (var c = 0; c < Chunks; c++)
            networks[c] = new SequenceNetwork<float>(model.Shape, Math.Max(model.MaxLength, samples.MaxLength));
        return Validate(model.Parameters, samples, networks,
            Parallelism.Options(threads), model.Priors).Loss;
    }

    /// <summary>Mean −log p_target and MRR@20 (full class list, ties to the lower index) over <paramref name="samples"/>, summed in fixed chunk order.</summary>
    private static (double Loss, double Mrr20) Validate(float[] parameters, SequenceSamples samples, SequenceNetwork<float>[] networks, ParallelOptions parallel, SessionBaselines? priors)
    {
        if (samples.Count == 0) return (double.NaN, double.NaN);
        var sums = new double[Chunks];
        var mrr = new double[Chunks];
        Parallel.For(0, Chunks, parallel, c =>
        {
            var network = networks[c];
            var random = default(SplitMix64);
            var sum = 0.0;
            var reciprocal = 0.0;
            var workspace = priors?.CreateWorkspace();
            for (var i = c * samples.Count / Chunks; i < (c + 1) * samples.Count / Chunks; i++)
            {
                if (priors is not null)
                {
                    var (user, start) = samples.ContextOf(i);
                    var (classes, values) = priors.Features(samples.TokensOf(i), -1, workspace!, user, start);
                    network.SetPrior(classes.Span, values.Span);
                }
                network.Forward(parameters, samples.TokensOf(i), samples.GapsOf(i), 0f, ref random, samples.ExtraTokensOf(i), samples.NumericOf(i));
                var target = samples.Targets[i];
                sum += network.Loss(target);
                var p = network.Probabilities;
                var pTarget = p[target];
                var higher = 0;
                for (var k = 0; k < p.Length && higher < 20; k++)
                    if (p[k] > pTarget || (p[k] == pTarget && k < target)) higher++;
                reciprocal += RankingScores.Mrr(higher + 1, 20);
            }
            sums[c] = sum;
            mrr[c] = reciprocal;
        });
        double total = 0, totalMrr = 0;
        for (var c = 0; c < Chunks; c++)
        {
            total += sums[c];
            totalMrr += mrr[c];
        }
        return (total / samples.Count, totalMrr / samples.Count);
    }

    /// <summary>
    /// PyTorch's initialisation: embeddings N(0, 1) with a zero padding row; LSTM, attention and output weights and
    /// biases U(−1/√fan_in, 1/√fan_in); the forget-gate bias starts at 1 so early gradients flow through time.
    /// </summary>
    internal static float[] Initialize(NetworkShape shape, int seed)
    {
        var random = new Random(seed);
        var p = new float[shape.ParameterCount];
        var e = shape.Embedding;
        void Normal(int offset, int rows)
        {
            // Row 0 (padding) stays zero. Box–Muller.
            for (var i = offset + e; i < offset + rows * e; i++)
            {
                var u1 = 1 - random.NextDouble();
                var u2 = random.NextDouble();
                p[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
        }
        Normal(shape.EmbeddingOffset, shape.Tokens);
        for (var k = 0; k < shape.ExtraTokens.Count; k++)
            Normal(shape.ExtraEmbeddingOffset(k), shape.ExtraTokens[k]);
        void Uniform(int offset, int length, double bound)
        {
            for (var i = offset; i < offset + length; i++)
                p[i] = (float)((random.NextDouble() * 2 - 1) * bound);
        }
        var h = shape.Hidden;
        var lstmBound = 1 / Math.Sqrt(h);
        for (var l = 0; l < shape.Layers; l++)
        {
            Uniform(shape.LstmW(l), 4 * h * shape.LayerInput(l), lstmBound);
            Uniform(shape.LstmU(l), 4 * h * h, lstmBound);
            Uniform(shape.LstmB(l), 4 * h, lstmBound);
            for (var k = 0; k < h; k++)
                p[shape.LstmB(l) + h + k] += 1f;
        }
        var bound = 1 / Math.Sqrt(h);
        Uniform(shape.AttentionW, shape.Attention * h, bound);
        Uniform(shape.AttentionB, shape.Attention, bound);
        Uniform(shape.AttentionV, shape.Attention, 1 / Math.Sqrt(shape.Attention));
        Uniform(shape.OutputW, shape.Classes * h, bound);
        Uniform(shape.OutputB, shape.Classes, bound);
        return p;
    }

    internal static float[] ClassWeightsOf(SequenceSamples train, int classes, bool balanced)
    {
        var weights = new float[classes];
        if (!balanced)
        {
            Array.Fill(weights, 1f);
            return weights;
        }
        var counts = new long[classes];
        foreach (var y in train.Targets) counts[y]++;
        var seen = counts.Count(c => c > 0);
        for (var k = 0; k < classes; k++)
            weights[k] = counts[k] == 0 ? 1f : (float)(train.Count / ((double)seen * counts[k]));
        return weights;
    }

    private static void Shuffle(int[] order, int seed, int epoch)
    {
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var random = SplitMix64.For(seed, epoch, -1);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)(random.Next() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    internal static void Clip(Span<float> gradient, double maxNorm)
    {
        if (maxNorm <= 0) return;
        var norm = Math.Sqrt(TensorPrimitives.SumOfSquares<float>(gradient));
        if (norm > maxNorm)
            TensorPrimitives.Multiply(gradient, (float)(maxNorm / norm), gradient);
    }
}
