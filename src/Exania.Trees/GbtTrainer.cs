using System.Numerics.Tensors;
using Exania.Core;

namespace Exania.Trees;

/// <summary>
/// Trains gradient-boosted trees with second-order (Newton) boosting, the XGBoost formulation, on quantile histograms.
/// </summary>
/// <remarks>
/// <para>Each round computes per-row gradients g and hessians h of the objective at the current margins, then grows a
/// tree greedily: for a node with sums (G, H) and a candidate split into (G_L, H_L), (G_R, H_R),
/// <c>gain = ½[S(G_L, H_L) + S(G_R, H_R) − S(G, H)] − γ</c> with <c>S(G, H) = T_α(G)² / (H + λ)</c> and
/// <c>T_α(G) = sign(G)·max(|G| − α, 0)</c>. A split needs both children's H ≥ MinChildWeight, a positive gain, and a
/// loss change above XGBoost's 1e-6. Leaves get <c>w = −T_α(G) / (H + λ) · η</c>.</para>
/// <para>Candidate splits are the bin boundaries of <see cref="HistogramCuts"/>. Histograms of (Σg, Σh) per bin are
/// built for the smaller child of each split; the sibling's is the parent's minus it. Missing values have their own
/// bin, and each candidate is tried with them sent right and left; the better direction is stored in the node.</para>
/// <para>Deterministic: the same data, options and seed give the same trees whatever the thread count.</para>
/// </remarks>
public static class GbtTrainer
{
    /// <summary>Trains a model; with <paramref name="validation"/>, tracks the metric per round and stops early if asked.</summary>
    /// <param name="train">Training rows.</param>
    /// <param name="options">Hyper-parameters; null for the defaults.</param>
    /// <param name="validation">Optional rows (same columns) for the early-stopping metric: RMSE for squared error, log-loss for logistic.</param>
    /// <param name="encoder">Optional encoder that produced <paramref name="train"/>'s columns; saved with the model.</param>
    /// <exception cref="ArgumentException">Invalid options, no rows, labels other than 0/1 for logistic (or a single class without a BaseScore), or validation columns that differ.</exception>
    public static GbtModel Train(GbtDataset train, GbtOptions? options = null, GbtDataset? validation = null, FeatureEncoder? encoder = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new GbtOptions();
        options.Validate();
        // The grower sizes its per-lane scratch by the worker count, so 0 (all processors) is resolved once here.
        options = options with { Threads = Parallelism.Resolve(options.Threads) };
        if (train.Rows == 0)
            ExaniaThrow.Argument("The training set has no rows.", nameof(train));
        CheckTarget(train, options.Objective, nameof(train));
        if (validation is not null)
        {
            if (!validation.ColumnNames.SequenceEqual(train.ColumnNames, StringComparer.Ordinal))
                ExaniaThrow.Argument("The validation set's columns differ from the training set's.", nameof(validation));
            if (validation.Rows == 0)
                ExaniaThrow.Argument("The validation set has no rows.", nameof(validation));
            CheckTarget(validation, options.Objective, nameof(validation));
        }

        var n = train.Rows;
        var features = train.Columns;
        var y = train.Target;
        var baseScore = BaseMargin(y, options);

        var data = BinnedMatrix.Build(train.Values, n, features, options.MaxBins, options.Threads);
        var grower = new TreeGrower(data, options);
        var margin = new double[n];
        margin.AsSpan().Fill(baseScore);
        var g = new double[n];
        var h = new double[n];

        // The training loss per round costs one pass over the margins the boosting keeps anyway.
        var trainingHistory = new List<double>(options.Rounds);
        var trainingScratch = options.Objective == GbtObjective.Logistic ? new double[n] : [];
        double[]? validationMargin = null;
        double[]? validationScratch = null;
        List<double>? history = null;
        if (validation is not null)
        {
            validationMargin = new double[validation.Rows];
            validationMargin.AsSpan().Fill(baseScore);
            validationScratch = new double[validation.Rows];
            history = [];
        }

        var rng = new Random(options.Seed);
        var allRows = new int[n];
        for (var i = 0; i < n; i++)
            allRows[i] = i;
        var sampled = new int[n];
        var unsampled = new int[n];
        var featureOrder = new int[features];
        var trees = new List<GbtTree>(options.Rounds);
        var bestIteration = 0;
        var bestScore = double.PositiveInfinity;
        var rounds = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads };

        for (var round = 0; round < options.Rounds; round++)
        {
            Gradients(options.Objective, margin, y, g, h);

            // Row sampling (Bernoulli per row) then column sampling (a seeded partial shuffle), one draw per tree.
            var rows = allRows;
            var rowCount = n;
            var outOfSample = 0;
            if (options.Subsample < 1)
            {
                var m = 0;
                for (var r = 0; r < n; r++)
                {
                    if (rng.NextDouble() < options.Subsample)
                        sampled[m++] = r;
                    else
                        unsampled[outOfSample++] = r;
                }
                rows = sampled;
                rowCount = m;
            }
            var active = ActiveFeatures(data, options.ColsampleByTree, rng, featureOrder);

            var tree = grower.Grow(g, h, rows, rowCount, active, margin);
            if (outOfSample > 0)
                grower.AddToRows(unsampled.AsSpan(0, outOfSample), margin);
            trees.Add(tree);
            rounds++;
            trainingHistory.Add(Metric(options.Objective, margin, y, trainingScratch));

            if (validation is null)
                continue;
            AddTree(tree, validation, validationMargin!, parallel);
            var score = Metric(options.Objective, validationMargin!, validation.Target, validationScratch!);
            history!.Add(score);
            if (score < bestScore)
            {
                bestScore = score;
                bestIteration = round;
            }
            else if (options.EarlyStoppingRounds > 0 && round - bestIteration >= options.EarlyStoppingRounds)
            {
                break;
            }
        }

        if (validation is null)
            bestIteration = trees.Count - 1;
        else if (options.EarlyStoppingRounds > 0)
            trees.RemoveRange(bestIteration + 1, trees.Count - bestIteration - 1);

        var info = new GbtTrainingInfo
        {
            Rows = n,
            ValidationRows = validation?.Rows ?? 0,
            RoundsTrained = rounds,
            BestIteration = bestIteration,
            Metric = validation is null ? null : MetricName(options.Objective),
            BestScore = validation is null ? null : bestScore,
            ValidationHistory = history?.ToArray(),
            TrainingHistory = [.. trainingHistory],
            Options = options,
        };
        return new GbtModel(train.ColumnNames, options.Objective, baseScore, trees, encoder, info);
    }

    /// <summary><c>rmse</c> for squared error, <c>logloss</c> for logistic.</summary>
    public static string MetricName(GbtObjective objective) => objective == GbtObjective.Logistic ? "logloss" : "rmse";

    /// <summary>The initial margin: BaseScore if set (as a logit for logistic), else the mean target or its log-odds.</summary>
    internal static double BaseMargin(ReadOnlySpan<double> y, GbtOptions options)
    {
        var mean = options.BaseScore ?? TensorPrimitives.Sum(y) / y.Length;
        if (options.Objective == GbtObjective.SquaredError)
            return mean;
        if (!(mean > 0 && mean < 1))
            ExaniaThrow.Argument($"The positive rate is {mean}: logistic training needs both classes (or set BaseScore).", "train");
        return Math.Log(mean / (1 - mean));
    }

    /// <summary>Per-row gradient and hessian of the objective at <paramref name="margin"/>.</summary>
    internal static void Gradients(GbtObjective objective, ReadOnlySpan<double> margin, ReadOnlySpan<double> y, Span<double> g, Span<double> h)
    {
        if (objective == GbtObjective.SquaredError)
        {
            TensorPrimitives.Subtract(margin, y, g);
            h.Fill(1);
            return;
        }
        // p = σ(f); g = p − y; h = max(p(1 − p), 1e-16) as XGBoost.
        TensorPrimitives.Sigmoid(margin, g);
        TensorPrimitives.Multiply(g, g, h);
        TensorPrimitives.Subtract(g, h, h);
        TensorPrimitives.Max(h, 1e-16, h);
        TensorPrimitives.Subtract(g, y, g);
    }

    private static int[] ActiveFeatures(BinnedMatrix data, double colsample, Random rng, int[] order)
    {
        var features = order.Length;
        for (var f = 0; f < features; f++)
            order[f] = f;
        var take = features;
        if (colsample < 1)
        {
            // XGBoost: floor(colsample · features), at least one.
            take = Math.Max(1, (int)(colsample * features));
            for (var i = 0; i < take; i++)
            {
                var j = rng.Next(i, features);
                (order[i], order[j]) = (order[j], order[i]);
            }
            Array.Sort(order, 0, take);
        }
        var count = 0;
        for (var i = 0; i < take; i++)
        {
            if (data.ValueBins[order[i]] > 0)
                count++;
        }
        var active = new int[count];
        count = 0;
        for (var i = 0; i < take; i++)
        {
            if (data.ValueBins[order[i]] > 0)
                active[count++] = order[i];
        }
        return active;
    }

    private static void AddTree(GbtTree tree, GbtDataset data, double[] margin, ParallelOptions parallel)
    {
        const int Block = 2048;
        var width = data.Columns;
        var values = data.Values;
        Parallel.For(0, (data.Rows + Block - 1) / Block, parallel, b =>
        {
            var end = Math.Min(data.Rows, (b + 1) * Block);
            for (var r = b * Block; r < end; r++)
                margin[r] += tree.Predict(values.AsSpan(r * width, width));
        });
    }

    private static double Metric(GbtObjective objective, double[] margin, double[] y, double[] scratch)
    {
        if (objective == GbtObjective.SquaredError)
            return Metrics.Rmse(margin, y);
        TensorPrimitives.Sigmoid(margin, scratch);
        return Metrics.LogLoss(scratch, y);
    }

    private static void CheckTarget(GbtDataset data, GbtObjective objective, string paramName)
    {
        if (objective != GbtObjective.Logistic)
            return;
        for (var r = 0; r < data.Rows; r++)
        {
            if (data.Target[r] is not (0 or 1))
                ExaniaThrow.Argument($"Target of row {r} is {data.Target[r]}; the logistic objective needs 0/1 labels.", paramName);
        }
    }
}
