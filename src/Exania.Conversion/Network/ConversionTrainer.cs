using System.Diagnostics;
using System.Numerics.Tensors;
using Exania.Core;
using Exania.Learning;

namespace Exania.Conversion;

/// <summary>Options of the conversion network and its training. Defaults live here, once; <see cref="Validate"/> names a bad field.</summary>
public sealed record ConversionTrainingOptions
{
    public static ConversionTrainingOptions Default { get; } = new();

    /// <summary>Widths of the shared trunk's dense ReLU layers (the peer's 64-64 by default).</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [64, 64];

    /// <summary>Most passes over the training rows.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Epochs without a better validation loss before training stops (0: never stop early, train <see cref="Epochs"/>).</summary>
    public int Patience { get; init; } = 8;

    public int BatchSize { get; init; } = 256;

    /// <summary>Adam's step size (β₁ 0.9, β₂ 0.999, ε 1e-8, as PyTorch's defaults).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>L2 penalty on the weights (not the biases), added to the gradient as <c>decay · w</c>.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>
    /// Weigh each head's rows so both classes carry equal total weight in training (n / (2 n_k), scikit-learn's
    /// "balanced"): the weighted analogue of oversampling, computed from the training rows only.
    /// </summary>
    public bool BalanceClasses { get; init; } = true;

    /// <summary>Train conditional tasks the ESMM way: over every row, through the product with their condition's head.</summary>
    public bool Esmm { get; init; }

    /// <summary>Seed of the initial weights and the shuffles; the same seed gives the same network whatever <see cref="Threads"/>.</summary>
    public int Seed { get; init; }

    /// <summary>Threads for a batch's gradient (0: all processors). The batch is cut in fixed chunks summed in order, so the result does not depend on it.</summary>
    public int Threads { get; init; }

    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it.</exception>
    public ConversionTrainingOptions Validate()
    {
        const string type = nameof(ConversionTrainingOptions);
        if (Hidden is null || Hidden.Count > 8 || Hidden.Any(h => h is < 1 or > ConversionNetworkShape.MaxWidth))
            ExaniaThrow.OptionOutOfRange(type, nameof(Hidden), Hidden is null ? "null" : string.Join(",", Hidden), $"must be at most 8 layers of 1 to {ConversionNetworkShape.MaxWidth} units");
        if (Epochs is < 1 or > 100_000)
            ExaniaThrow.OptionOutOfRange(type, nameof(Epochs), Epochs, "must be in [1, 100000]");
        if (Patience < 0)
            ExaniaThrow.OptionOutOfRange(type, nameof(Patience), Patience, "must be >= 0 (0 = off)");
        if (BatchSize is < 1 or > 1 << 20)
            ExaniaThrow.OptionOutOfRange(type, nameof(BatchSize), BatchSize, "must be in [1, 1048576]");
        if (!(LearningRate > 0 && LearningRate <= 1))
            ExaniaThrow.OptionOutOfRange(type, nameof(LearningRate), LearningRate, "must be in (0, 1]");
        if (!(WeightDecay >= 0 && WeightDecay <= 1))
            ExaniaThrow.OptionOutOfRange(type, nameof(WeightDecay), WeightDecay, "must be in [0, 1]");
        if (Seed < 0)
            ExaniaThrow.OptionOutOfRange(type, nameof(Seed), Seed, "must be >= 0");
        Parallelism.Validate(type, Threads);
        return this;
    }
}

/// <summary>One epoch of training: mean weighted loss on the training rows (as trained) and on the validation rows.</summary>
public sealed record ConversionEpoch(int Epoch, double TrainLoss, double ValidationLoss, double Seconds);

/// <summary>What training returned: the parameters of the best validation epoch, and the history.</summary>
public sealed record ConversionTrainingResult(float[] Parameters, IReadOnlyList<ConversionEpoch> Epochs, int BestEpoch, bool StoppedEarly, double Seconds);

/// <summary>
/// The rows the network trains on: standardized features (row-major), and per row and head a 0/1 label and a loss
/// weight (0 = the row is not in that head's loss).
/// </summary>
internal sealed record NetworkRows(float[] Features, int Width, byte[] Labels, float[] Weights, int[] Partner)
{
    public int Heads => Partner.Length;

    public int Rows => Features.Length / Width;
}

/// <summary>
/// Mini-batch Adam on the summed weighted cross-entropies of the heads, with early stopping on a validation split: the
/// parameters of the epoch with the lowest validation loss are kept.
/// </summary>
public static class ConversionTrainer
{
    /// <summary>A batch's rows are cut into this many chunks, each with its own gradient, summed in chunk order.</summary>
    internal const int Chunks = 4;

    internal static ConversionTrainingResult Train(ConversionNetworkShape shape, NetworkRows data, int[] fitRows, int[] validationRows,
        ConversionTrainingOptions options, CancellationToken cancellationToken = default)
    {
        options.Validate();
        if (fitRows.Length == 0 || validationRows.Length == 0)
            ExaniaThrow.Argument($"Training needs rows to fit on and rows to validate on; got {fitRows.Length} and {validationRows.Length}.", nameof(fitRows));
        var total = Stopwatch.StartNew();
        var parameters = Initialize(shape, options.Seed);
        var best = (float[])parameters.Clone();
        var m = new float[parameters.Length];
        var v = new float[parameters.Length];
        var gradient = new float[parameters.Length];
        var chunkGradients = new float[Chunks][];
        for (var c = 0; c < Chunks; c++)
            chunkGradients[c] = new float[parameters.Length];
        var chunkLoss = new double[Chunks];
        var decayMask = DecayMask(shape, (float)options.WeightDecay);
        var parallel = Parallelism.Options(options.Threads);
        var order = new int[fitRows.Length];
        var history = new List<ConversionEpoch>();
        var bestLoss = double.PositiveInfinity;
        var bestEpoch = 0;
        var stoppedEarly = false;
        var step = 0;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            Shuffle(fitRows, order, options.Seed, epoch);
            double trainLoss = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                var batch = order.AsMemory(start, Math.Min(options.BatchSize, order.Length - start));
                Parallel.For(0, Chunks, parallel, c =>
                {
                    var g = chunkGradients[c];
                    Array.Clear(g);
                    var (lo, hi) = ChunkRange(batch.Length, c);
                    chunkLoss[c] = Accumulate(shape, parameters, data, batch.Span[lo..hi], g);
                });
                Array.Clear(gradient);
                for (var c = 0; c < Chunks; c++)
                {
                    TensorPrimitives.Add(gradient, chunkGradients[c], gradient);
                    trainLoss += chunkLoss[c];
                }
                TensorPrimitives.Multiply(gradient, 1f / batch.Length, gradient);
                if (options.WeightDecay > 0)
                    TensorPrimitives.MultiplyAdd(parameters, decayMask, gradient, gradient);
                Adam.Step(parameters, gradient, m, v, ++step, options.LearningRate);
            }
            var validationLoss = MeanLoss(shape, parameters, data, validationRows, parallel);
            history.Add(new ConversionEpoch(epoch, trainLoss / order.Length, validationLoss, watch.Elapsed.TotalSeconds));
            if (!double.IsFinite(validationLoss))
                ExaniaThrow.InvalidOperation($"The validation loss became {validationLoss} at epoch {epoch}; lower the learning rate.");
            if (validationLoss < bestLoss)
            {
                bestLoss = validationLoss;
                bestEpoch = epoch;
                parameters.CopyTo(best, 0);
            }
            else if (options.Patience > 0 && epoch - bestEpoch >= options.Patience)
            {
                stoppedEarly = true;
                break;
            }
        }
        // Without early stopping the last epoch is the model, as a fixed-epoch peer would ship it.
        if (options.Patience == 0)
            best = parameters;
        return new ConversionTrainingResult(best, history, options.Patience == 0 ? history.Count : bestEpoch, stoppedEarly, total.Elapsed.TotalSeconds);
    }

    /// <summary>Mean weighted loss per row over <paramref name="rows"/>, in fixed chunks summed in order.</summary>
    internal static double MeanLoss(ConversionNetworkShape shape, float[] parameters, NetworkRows data, int[] rows, ParallelOptions parallel)
    {
        var losses = new double[Chunks];
        Parallel.For(0, Chunks, parallel, c =>
        {
            var (lo, hi) = ChunkRange(rows.Length, c);
            losses[c] = Accumulate(shape, parameters, data, rows.AsSpan(lo, hi - lo), gradient: null);
        });
        double sum = 0;
        foreach (var l in losses)
            sum += l;
        return sum / rows.Length;
    }

    /// <summary>The summed loss of <paramref name="rows"/>; with a gradient buffer, their summed gradient is added to it.</summary>
    private static double Accumulate(ConversionNetworkShape shape, float[] parameters, NetworkRows data, ReadOnlySpan<int> rows, float[]? gradient)
    {
        var heads = data.Heads;
        Span<float> logits = stackalloc float[heads];
        Span<float> logitGradient = stackalloc float[heads];
        var activations = new float[shape.HiddenUnits];
        var scratch = new float[2 * shape.MaxLayerWidth];
        double loss = 0;
        foreach (var r in rows)
        {
            var x = data.Features.AsSpan(r * data.Width, data.Width);
            ConversionKernels<float>.Forward(shape, parameters, x, activations, logits);
            loss += ConversionKernels<float>.Loss(logits, data.Labels.AsSpan(r * heads, heads), data.Weights.AsSpan(r * heads, heads), data.Partner, logitGradient);
            if (gradient is not null)
                ConversionKernels<float>.Backward(shape, parameters, x, activations, logitGradient, gradient, scratch);
        }
        return loss;
    }

    private static (int Lo, int Hi) ChunkRange(int length, int chunk) => (length * chunk / Chunks, length * (chunk + 1) / Chunks);

    /// <summary>PyTorch's <c>Linear</c> initialisation: weights and biases uniform in ±1/√fan_in, from the seed alone.</summary>
    internal static float[] Initialize(ConversionNetworkShape shape, int seed)
    {
        var p = new float[shape.ParameterCount];
        for (var l = 0; l < shape.Layers; l++)
        {
            var random = SplitMix64.For(seed, -1, l);
            var bound = 1 / Math.Sqrt(shape.LayerInputs(l));
            var end = shape.BiasOffset(l) + shape.LayerOutputs(l);
            for (var i = shape.WeightOffset(l); i < end; i++)
                p[i] = (float)((random.NextDouble() * 2 - 1) * bound);
        }
        return p;
    }

    /// <summary><paramref name="decay"/> on weights, 0 on biases, so <c>gradient += mask ⊙ parameters</c> is the L2 term.</summary>
    internal static float[] DecayMask(ConversionNetworkShape shape, float decay)
    {
        var mask = new float[shape.ParameterCount];
        for (var l = 0; l < shape.Layers; l++)
            mask.AsSpan(shape.WeightOffset(l), shape.LayerInputs(l) * shape.LayerOutputs(l)).Fill(decay);
        return mask;
    }

    private static void Shuffle(int[] rows, int[] order, int seed, int epoch)
    {
        rows.CopyTo(order, 0);
        var random = SplitMix64.For(seed, epoch, -1);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)(random.Next() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
