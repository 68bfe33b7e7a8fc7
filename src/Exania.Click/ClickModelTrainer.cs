using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Exania.Core;
using Exania.Learning;

namespace Exania.Click;

/// <summary>
/// Cross-validates and trains the <see cref="ClickModel"/>: standardize (fitted on the training rows), polynomial
/// expansion, L2 logistic regression by L-BFGS.
/// </summary>
/// <remarks>
/// Folds are fitted one after another; each fit's loss and gradient run in parallel over fixed row chunks
/// (<see cref="LogisticLoss"/>), so results are identical for a given seed and machine. The standardized, expanded
/// matrix is built once per fold into one buffer reused by every fold and by the final fit.
/// </remarks>
public static class ClickModelTrainer
{
    /// <summary>
    /// Stratified k-fold cross-validation: per-fold and pooled out-of-fold ROC AUC, average precision, the F1-optimal
    /// threshold with its precision/recall/F1 (and the same at 0.5), and permutation importance of the base features.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid, or there are fewer minority-class rows than folds.</exception>
    public static ClickTrainingReport CrossValidate(LabeledMatrix data, ClickTrainingOptions? options = null,
        IProgress<ClickTrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= ClickTrainingOptions.Default;
        options.Validate();
        var clock = Stopwatch.StartNew();
        var split = StratifiedKFold.Split(data.Labels, options.Folds, options.Seed);
        var expansion = new PolynomialExpansion(data.Columns, options.Degree);
        var terms = expansion.TermCount;
        var workspace = new Workspace(data, expansion);
        var lbfgs = options.ToLbfgsOptions();

        var outOfFold = new double[data.Rows];
        var foldAucs = new double[options.Folds];
        var foldIterations = new int[options.Folds];
        var foldConverged = new bool[options.Folds];
        var foldNewtonSteps = new int[options.Folds];
        var drops = new double[options.Folds, data.Columns];
        var foldCurves = new BinaryCurves[options.Folds];
        for (var fold = 0; fold < options.Folds; fold++)
        {
            var foldClock = Stopwatch.StartNew();
            var train = split.TrainRows(fold);
            var test = split.TestRows(fold);
            var scaler = Standardizer.Fit(data.Values, data.Columns, train);
            workspace.Fill(scaler, train, 0);
            workspace.Fill(scaler, test, train.Length);
            var fit = workspace.Fit(train, options, lbfgs);
            foldIterations[fold] = fit.Optimization.Iterations;
            foldConverged[fold] = fit.Optimization.Converged;
            foldNewtonSteps[fold] = fit.NewtonSteps;

            var testScores = new double[test.Length];
            var testLabels = new byte[test.Length];
            workspace.Score(train.Length, fit, testScores);
            for (var i = 0; i < test.Length; i++)
            {
                testLabels[i] = data.Labels[test[i]];
                outOfFold[test[i]] = testScores[i];
            }
            foldCurves[fold] = BinaryCurves.Of(testScores, testLabels);
            foldAucs[fold] = foldCurves[fold].RocAuc;

            var model = new ClickModel(data.ColumnNames, scaler, expansion, fit.Coefficients, fit.Intercept, 0.5);
            PermutationDrops(data, model, test, testLabels, foldAucs[fold], options, fold, drops);
            progress?.Report(new ClickTrainingProgress("fold", fold + 1, options.Folds, foldAucs[fold],
                fit.Optimization.Iterations, foldClock.Elapsed.TotalSeconds));
        }

        var best = Metrics.BestF1Threshold(outOfFold, data.Labels);
        var half = Metrics.AtThreshold(outOfFold, data.Labels, 0.5);
        var importance = RankImportance(data.ColumnNames, drops);
        var top = new string[Math.Min(options.TopFeatures, importance.Length)];
        for (var i = 0; i < top.Length; i++)
            top[i] = importance[i].Feature;

        return new ClickTrainingReport
        {
            Rows = data.Rows,
            Features = data.Columns,
            ExpandedFeatures = terms,
            Degree = options.Degree,
            Folds = options.Folds,
            C = options.C,
            ClassBalancing = options.ClassBalancing,
            Seed = options.Seed,
            PositiveRate = (double)data.PositiveCount / data.Rows,
            FoldAucs = foldAucs,
            AucMean = Mean(foldAucs),
            AucStd = PopulationStd(foldAucs),
            OofAuc = Metrics.RocAuc(outOfFold, data.Labels),
            PrAuc = Metrics.AveragePrecision(outOfFold, data.Labels),
            Threshold = best.Threshold,
            Precision = best.Precision,
            Recall = best.Recall,
            F1 = best.F1,
            PredictedPositiveRate = best.PredictedPositiveRate,
            AtHalf = half,
            FoldIterations = foldIterations,
            FoldConverged = foldConverged,
            FoldNewtonSteps = foldNewtonSteps,
            FeatureImportance = importance,
            TopFeatures = top,
            Diagnostics = BinaryDiagnostics.Compute(outOfFold, data.Labels, best.Threshold, foldCurves),
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>
    /// Cross-validates (unless <paramref name="crossValidation"/> is given) and fits the final model on all rows,
    /// with the F1-optimal threshold found by cross-validation.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="crossValidation"/> was made for other data or options.</exception>
    public static ClickModel Train(LabeledMatrix data, ClickTrainingOptions? options = null,
        ClickTrainingReport? crossValidation = null, IProgress<ClickTrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= ClickTrainingOptions.Default;
        options.Validate();
        if (crossValidation is null)
        {
            crossValidation = CrossValidate(data, options, progress);
        }
        else if (crossValidation.Rows != data.Rows || crossValidation.Features != data.Columns
            || crossValidation.Degree != options.Degree || crossValidation.C != options.C
            || crossValidation.ClassBalancing != options.ClassBalancing)
        {
            ExaniaThrow.Argument(
                $"The cross-validation report ({crossValidation.Rows} rows x {crossValidation.Features}, degree {crossValidation.Degree}, C {crossValidation.C}, balancing {crossValidation.ClassBalancing}) does not match the data ({data.Rows} x {data.Columns}) and options (degree {options.Degree}, C {options.C}, balancing {options.ClassBalancing}).",
                nameof(crossValidation));
        }

        var clock = Stopwatch.StartNew();
        var expansion = new PolynomialExpansion(data.Columns, options.Degree);
        var workspace = new Workspace(data, expansion);
        var all = new int[data.Rows];
        for (var i = 0; i < all.Length; i++)
            all[i] = i;
        var scaler = Standardizer.Fit(data.Values, data.Columns, all);
        workspace.Fill(scaler, all, 0);
        var fit = workspace.Fit(all, options, options.ToLbfgsOptions());
        var training = new ClickModelTraining
        {
            Rows = data.Rows,
            PositiveRate = (double)data.PositiveCount / data.Rows,
            C = options.C,
            ClassBalancing = options.ClassBalancing,
            Seed = options.Seed,
            Folds = options.Folds,
            Iterations = fit.Optimization.Iterations,
            Converged = fit.Optimization.Converged,
            CvAucMean = crossValidation.AucMean,
            CvPrAuc = crossValidation.PrAuc,
        };
        progress?.Report(new ClickTrainingProgress("final", 1, 1, null, fit.Optimization.Iterations, clock.Elapsed.TotalSeconds));
        return new ClickModel(data.ColumnNames, scaler, expansion, fit.Coefficients, fit.Intercept, crossValidation.Threshold, training);
    }

    /// <summary>
    /// For each base column: shuffle it among the held-out rows (seeded), re-score, and record the fold AUC minus the
    /// shuffled AUC into <paramref name="drops"/>[fold, column]. Columns run in parallel; each has its own seed and output.
    /// </summary>
    private static void PermutationDrops(LabeledMatrix data, ClickModel model, int[] test, byte[] testLabels, double foldAuc,
        ClickTrainingOptions options, int fold, double[,] drops) =>
        Parallel.For(0, data.Columns, Parallelism.Options(options.Threads),
            column => drops[fold, column] = foldAuc - PermutedAuc(data, model, test, testLabels, column, PermutationSeed(options.Seed, fold, column)));

    /// <summary>ROC AUC of the held-out rows with <paramref name="column"/> taken from a seeded shuffle of those rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double PermutedAuc(LabeledMatrix data, ClickModel model, int[] test, byte[] testLabels, int column, int seed)
    {
        var columns = data.Columns;
        var random = new Random(seed);
        var donors = (int[])test.Clone();
        for (var i = donors.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (donors[i], donors[j]) = (donors[j], donors[i]);
        }
        var row = new double[columns];
        var scratch = new double[columns + model.Expansion.TermCount];
        var scores = new double[test.Length];
        var values = data.Values;
        for (var i = 0; i < test.Length; i++)
        {
            values.AsSpan(test[i] * columns, columns).CopyTo(row);
            row[column] = values[donors[i] * columns + column];
            scores[i] = LogisticRegression.Sigmoid(model.Decision(row, scratch));
        }
        return Metrics.RocAuc(scores, testLabels);
    }

    private static int PermutationSeed(int seed, int fold, int column) =>
        unchecked((int)(((uint)seed * 2654435761u) ^ ((uint)(fold + 1) * 40503u) ^ ((uint)(column + 1) * 2246822519u)));

    private static PermutationImportance[] RankImportance(IReadOnlyList<string> names, double[,] drops)
    {
        var folds = drops.GetLength(0);
        var columns = drops.GetLength(1);
        var result = new PermutationImportance[columns];
        var perFold = new double[folds];
        for (var c = 0; c < columns; c++)
        {
            for (var f = 0; f < folds; f++)
                perFold[f] = drops[f, c];
            result[c] = new PermutationImportance(names[c], Mean(perFold), PopulationStd(perFold));
        }
        // Stable: ties keep column order.
        return [.. result.OrderByDescending(r => r.AucDropMean)];
    }

    private static double Mean(ReadOnlySpan<double> values) => TensorPrimitives.Sum(values) / values.Length;

    private static double PopulationStd(ReadOnlySpan<double> values)
    {
        var mean = Mean(values);
        var sum = 0.0;
        foreach (var v in values)
            sum += (v - mean) * (v - mean);
        return Math.Sqrt(sum / values.Length);
    }

    /// <summary>Buffers shared by the fold fits and the final fit: the expanded matrix and the label/weight vectors.</summary>
    private sealed class Workspace(LabeledMatrix data, PolynomialExpansion expansion)
    {
        private readonly double[] _standardized = new double[data.Columns];
        private readonly byte[] _labels = new byte[data.Rows];

        /// <summary>Standardized, expanded rows, row-major: rows x terms.</summary>
        public double[] Matrix { get; } = new double[(long)data.Rows * expansion.TermCount];

        /// <summary>Writes the listed data rows, standardized and expanded, starting at matrix row <paramref name="at"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Fill(Standardizer scaler, int[] rows, int at)
        {
            var columns = data.Columns;
            var terms = expansion.TermCount;
            var values = data.Values;
            for (var i = 0; i < rows.Length; i++)
            {
                scaler.Transform(values.AsSpan(rows[i] * columns, columns), _standardized);
                expansion.Expand(_standardized, Matrix.AsSpan((at + i) * terms, terms));
            }
        }

        /// <summary>Probabilities of matrix rows <paramref name="first"/>.. under <paramref name="fit"/>, one per destination element.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Score(int first, LogisticRegressionFit fit, Span<double> destination)
        {
            var terms = expansion.TermCount;
            for (var i = 0; i < destination.Length; i++)
            {
                var row = Matrix.AsSpan((first + i) * terms, terms);
                destination[i] = LogisticRegression.Sigmoid(TensorPrimitives.Dot(row, fit.Coefficients) + fit.Intercept);
            }
        }

        /// <summary>Fits on the first <c>rows.Length</c> matrix rows, whose labels are those of <paramref name="rows"/>.</summary>
        public LogisticRegressionFit Fit(int[] rows, ClickTrainingOptions options, LbfgsOptions lbfgs)
        {
            var labels = _labels.AsSpan(0, rows.Length);
            for (var i = 0; i < rows.Length; i++)
                labels[i] = data.Labels[rows[i]];
            ReadOnlyMemory<double> weights = options.ClassBalancing ? LogisticRegression.BalancedSampleWeights(labels) : default;
            return LogisticRegression.Fit(Matrix, rows.Length, expansion.TermCount, _labels.AsMemory(0, rows.Length), weights, options.C, lbfgs, options.Threads);
        }
    }
}
