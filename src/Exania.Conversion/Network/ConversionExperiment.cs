using System.Diagnostics;
using Exania.Core;
using Exania.Learning;
using Exania.Trees;

namespace Exania.Conversion;

/// <summary>Options of a conversion experiment: the network's, the splits, the seeds and the baselines.</summary>
public sealed record ConversionExperimentOptions
{
    public static ConversionExperimentOptions Default { get; } = new();

    public ConversionTrainingOptions Network { get; init; } = ConversionTrainingOptions.Default;

    /// <summary>Held-out share of the rows, stratified on the first task's target.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Share of the training rows set aside for early stopping and for choosing thresholds.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Independent splits (seeds <see cref="ConversionTrainingOptions.Seed"/>, +1, ...); the report gives the mean and standard deviation.</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>Train the single-task logistic regression and gradient-boosted trees beside the network.</summary>
    public bool Baselines { get; init; } = true;

    /// <summary>
    /// The trees' settings: logistic objective, shallow trees and a small step, stopped on the validation log-loss
    /// (the same validation rows as the network's).
    /// </summary>
    public GbtOptions Trees { get; init; } = new()
    {
        Objective = GbtObjective.Logistic,
        Rounds = 1000,
        MaxDepth = 4,
        LearningRate = 0.05,
        Subsample = 0.8,
        ColsampleByTree = 0.8,
        EarlyStoppingRounds = 50,
    };

    /// <summary>Inverse L2 strength of the logistic regression baseline (scikit-learn's C).</summary>
    public double RegressionC { get; init; } = 1;

    /// <exception cref="ArgumentOutOfRangeException">A field is out of range.</exception>
    public ConversionExperimentOptions Validate()
    {
        const string type = nameof(ConversionExperimentOptions);
        Network.Validate();
        if (!(TestFraction > 0 && TestFraction < 0.9))
            ExaniaThrow.OptionOutOfRange(type, nameof(TestFraction), TestFraction, "must be in (0, 0.9)");
        if (!(ValidationFraction > 0 && ValidationFraction < 0.9))
            ExaniaThrow.OptionOutOfRange(type, nameof(ValidationFraction), ValidationFraction, "must be in (0, 0.9)");
        if (Seeds is < 1 or > 100)
            ExaniaThrow.OptionOutOfRange(type, nameof(Seeds), Seeds, "must be in [1, 100]");
        if (!(RegressionC > 0) || !double.IsFinite(RegressionC))
            ExaniaThrow.OptionOutOfRange(type, nameof(RegressionC), RegressionC, "must be positive");
        return this;
    }
}

/// <summary>Held-out scores of one model on one output: ranking, calibration, and the decision at the validation threshold.</summary>
public sealed record BinaryScores(double RocAuc, double PrAuc, double LogLoss, double Threshold, double Precision, double Recall, double F1);

/// <summary>The mean and the standard deviation (population, over seeds) of a model's scores on one output.</summary>
public sealed record ModelScores(string Model, BinaryScores Mean, BinaryScores Std, IReadOnlyList<BinaryScores> PerSeed);

/// <summary>A model's held-out curves, calibration and threshold table on one output (the first seed's test rows).</summary>
public sealed record ModelDiagnostics(string Model, BinaryDiagnostics Diagnostics);

/// <summary>One output of the network: what it is scored on, and every model's scores there.</summary>
public sealed record OutputReport(string Name, string Population, int TestRows, double TestPositiveRate, IReadOnlyList<ModelScores> Models)
{
    /// <summary>
    /// Each model's diagnostics on the first seed's test rows, at the threshold chosen on its validation rows: what
    /// <c>--report</c> draws. Empty in results written before they were recorded.
    /// </summary>
    public IReadOnlyList<ModelDiagnostics> Diagnostics { get; init; } = [];

    /// <summary>
    /// The network's permutation importance on this output: the test ROC AUC lost when one encoded feature is shuffled
    /// among the first seed's test rows, mean and standard deviation over <see cref="ConversionExperiment.ImportanceRepeats"/>
    /// shuffles, largest first. Empty in results written before it was recorded.
    /// </summary>
    public IReadOnlyList<PermutationImportance> Importance { get; init; } = [];
}

/// <summary>How the network trained in each seed.</summary>
public sealed record NetworkTrainingSummary(IReadOnlyList<int> Hidden, int Parameters, IReadOnlyList<int> EpochsRun, IReadOnlyList<int> BestEpochs,
    IReadOnlyList<double> TrainingSeconds);

/// <summary>What <see cref="ConversionExperiment.Run"/> measured.</summary>
public sealed record ConversionReport
{
    public required int Rows { get; init; }

    public required int SkippedRows { get; init; }

    public required int Features { get; init; }

    public required IReadOnlyList<string> ExcludedColumns { get; init; }

    public required IReadOnlyList<string> Tasks { get; init; }

    public required bool Esmm { get; init; }

    public required IReadOnlyList<int> Seeds { get; init; }

    public required double TestFraction { get; init; }

    public required double ValidationFraction { get; init; }

    public required bool BalanceClasses { get; init; }

    public required IReadOnlyList<OutputReport> Outputs { get; init; }

    public required NetworkTrainingSummary Network { get; init; }

    /// <summary>
    /// The network's training and validation loss by epoch in the first seed (the model that is saved); its best epoch
    /// is <see cref="NetworkTrainingSummary.BestEpochs"/>[0]. Empty in results written before it was recorded.
    /// </summary>
    public IReadOnlyList<ConversionEpoch> FirstSeedEpochs { get; init; } = [];

    /// <summary>Rounds the trees kept per seed and output (after early stopping), in output order within a seed.</summary>
    public IReadOnlyList<int> TreeRounds { get; init; } = [];

    public required double Seconds { get; init; }
}

/// <summary>The result of an experiment: the network of the first seed (ready to save and score) and the report.</summary>
public sealed record ConversionExperimentResult(ConversionModel Model, ConversionReport Report);

/// <summary>
/// Trains the multi-task network and, on the same features and splits, a single-task logistic regression and
/// gradient-boosted trees per output; scores all of them on held-out rows.
/// </summary>
/// <remarks>
/// Per seed: a stratified test split; of the rest, a stratified validation split. The feature preparation is fitted on
/// the remaining training rows only. Every model trains on those rows; the validation rows stop the network and the
/// trees early and choose each model's threshold (best F1 there); the test rows give every reported score. A baseline
/// for an output with a population (conversion given a click) trains and is scored on that population, as the
/// network's head is.
/// </remarks>
public static class ConversionExperiment
{
    public const string NetworkName = "network";
    public const string RegressionName = "logistic_regression";
    public const string TreesName = "gbt";

    /// <summary>Shuffles per feature behind the network's permutation importance.</summary>
    public const int ImportanceRepeats = 5;

    /// <exception cref="ArgumentException">A split leaves a class empty, or an option is invalid.</exception>
    public static ConversionExperimentResult Run(ConversionDataset data, IReadOnlyList<ConversionTask> tasks, ConversionExperimentOptions? options = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options = (options ?? ConversionExperimentOptions.Default).Validate();
        var total = Stopwatch.StartNew();
        var esmm = options.Network.Esmm;
        var (heads, outputs) = ConversionHeads.Plan(tasks, esmm);
        var models = options.Baselines ? new[] { NetworkName, RegressionName, TreesName } : [NetworkName];
        var scores = new List<BinaryScores>[outputs.Count, models.Length];
        for (var o = 0; o < outputs.Count; o++)
            for (var m = 0; m < models.Length; m++)
                scores[o, m] = [];
        var seeds = new List<int>();
        var epochsRun = new List<int>();
        var bestEpochs = new List<int>();
        var seconds = new List<double>();
        var treeRounds = new List<int>();
        ConversionModel? first = null;
        IReadOnlyList<ConversionEpoch> firstEpochs = [];
        var (testRows, testPositiveRate) = (new int[outputs.Count], new double[outputs.Count]);
        PermutationImportance[][] importance = [];
        var diagnostics = new List<ModelDiagnostics>[outputs.Count];
        for (var o = 0; o < outputs.Count; o++)
            diagnostics[o] = [];
        var stratifyOn = data.Label(tasks[0].Target);

        for (var s = 0; s < options.Seeds; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seed = options.Network.Seed + s;
            seeds.Add(seed);
            var (train, test) = TrainTestSplit.Stratified(stratifyOn, options.TestFraction, seed);
            var (fit, validation) = TrainTestSplit.Stratified(stratifyOn, options.ValidationFraction, seed + 1_000_003, train);
            var preprocessor = ConversionPreprocessor.Fit(data, fit);
            var all = Enumerable.Range(0, data.Rows).ToArray();
            var encoded = preprocessor.Encode(data, all);
            var standardized = (double[])encoded.Clone();
            preprocessor.Standardize(standardized);

            var shape = new ConversionNetworkShape(preprocessor.Width, options.Network.Hidden, heads.Count);
            var rows = NetworkRowsOf(data, heads, standardized, preprocessor.Width, fit, options.Network.BalanceClasses);
            progress?.Report($"seed {seed}: training the network on {fit.Length:N0} rows ({validation.Length:N0} validation, {test.Length:N0} test)");
            var trained = ConversionTrainer.Train(shape, rows, fit, validation, options.Network with { Seed = seed }, cancellationToken);
            epochsRun.Add(trained.Epochs.Count);
            if (s == 0)
                firstEpochs = trained.Epochs;
            bestEpochs.Add(trained.BestEpoch);
            seconds.Add(trained.Seconds);
            var provisional = new ConversionModel(preprocessor, shape, trained.Parameters, tasks, esmm, new double[outputs.Count]);
            var networkScores = provisional.PredictStandardized(standardized);

            var thresholds = new double[outputs.Count];
            for (var o = 0; o < outputs.Count; o++)
            {
                var output = outputs[o];
                var labels = OutputLabels(data, output);
                var inPopulation = Population(data, output);
                var validationRows = Filter(validation, inPopulation);
                var testOnly = Filter(test, inPopulation);
                testRows[o] = testOnly.Length;
                testPositiveRate[o] = testOnly.Average(r => (double)labels[r]);
                var network = Column(networkScores, outputs.Count, o);
                thresholds[o] = Metrics.BestF1Threshold(Gather(network, validationRows), Gather(labels, validationRows)).Threshold;
                scores[o, 0].Add(Score(network, labels, testOnly, thresholds[o]));
                if (s == 0)
                    diagnostics[o].Add(Diagnose(NetworkName, network, labels, testOnly, thresholds[o]));
                if (!options.Baselines)
                    continue;
                var fitRows = Filter(fit, inPopulation);
                progress?.Report($"seed {seed}: baselines for {output.Name}");
                var regression = RegressionScores(standardized, preprocessor.Width, labels, fitRows, options.RegressionC);
                var regressionThreshold = Metrics.BestF1Threshold(Gather(regression, validationRows), Gather(labels, validationRows)).Threshold;
                scores[o, 1].Add(Score(regression, labels, testOnly, regressionThreshold));
                var (trees, rounds) = TreeScores(encoded, preprocessor, labels, fitRows, validationRows, options.Trees with { Seed = seed });
                treeRounds.Add(rounds);
                var treesThreshold = Metrics.BestF1Threshold(Gather(trees, validationRows), Gather(labels, validationRows)).Threshold;
                scores[o, 2].Add(Score(trees, labels, testOnly, treesThreshold));
                if (s == 0)
                {
                    diagnostics[o].Add(Diagnose(RegressionName, regression, labels, testOnly, regressionThreshold));
                    diagnostics[o].Add(Diagnose(TreesName, trees, labels, testOnly, treesThreshold));
                }
            }
            if (s == 0)
            {
                progress?.Report($"seed {seed}: permutation importance of {preprocessor.Width} features");
                importance = NetworkImportance(provisional, standardized, test, outputs.Select(o => (Population(data, o), OutputLabels(data, o))).ToArray(),
                    preprocessor.FeatureNames, seed, options.Network.Threads);
            }
            first ??= new ConversionModel(preprocessor, shape, trained.Parameters, tasks, esmm, thresholds);
        }

        var outputReports = new List<OutputReport>();
        for (var o = 0; o < outputs.Count; o++)
        {
            var perModel = new List<ModelScores>();
            for (var m = 0; m < models.Length; m++)
                perModel.Add(Summarize(models[m], scores[o, m]));
            var population = outputs[o].Population is { } p ? $"rows with {p} = 1" : "all rows";
            outputReports.Add(new OutputReport(outputs[o].Name, population, testRows[o], testPositiveRate[o], perModel)
            {
                Diagnostics = diagnostics[o],
                Importance = importance.Length > o ? importance[o] : [],
            });
        }
        var report = new ConversionReport
        {
            Rows = data.Rows,
            SkippedRows = data.SkippedRows,
            Features = first!.Preprocessor.Width,
            ExcludedColumns = data.ExcludedColumns,
            Tasks = [.. tasks.Select(t => t.Name)],
            Esmm = esmm,
            Seeds = seeds,
            TestFraction = options.TestFraction,
            ValidationFraction = options.ValidationFraction,
            BalanceClasses = options.Network.BalanceClasses,
            Outputs = outputReports,
            Network = new NetworkTrainingSummary(options.Network.Hidden, first.Shape.ParameterCount, epochsRun, bestEpochs, seconds),
            FirstSeedEpochs = firstEpochs,
            TreeRounds = treeRounds,
            Seconds = total.Elapsed.TotalSeconds,
        };
        return new ConversionExperimentResult(first, report);
    }

    /// <summary>
    /// The network's rows: per head the label (for an ESMM head, target ∧ given) and the loss weight — 0 outside a
    /// conditional head's population, else the task weight times, when balancing, n / (2 n_k) over the fit rows.
    /// </summary>
    internal static NetworkRows NetworkRowsOf(ConversionDataset data, IReadOnlyList<ConversionHead> heads, double[] standardized, int width,
        int[] fitRows, bool balance)
    {
        var rows = data.Rows;
        var count = heads.Count;
        var labels = new byte[rows * count];
        var weights = new float[rows * count];
        var partner = new int[count];
        for (var h = 0; h < count; h++)
        {
            var head = heads[h];
            partner[h] = head.Partner;
            var target = data.Label(head.Target);
            var given = head.Given is { } g ? data.Label(g) : null;
            var product = head.Partner >= 0;
            for (var r = 0; r < rows; r++)
                labels[r * count + h] = (byte)(product ? target[r] & given![r] : target[r]);
            bool Included(int r) => product || given is null || given[r] == 1;
            long positives = 0, included = 0;
            foreach (var r in fitRows)
            {
                if (!Included(r))
                    continue;
                included++;
                positives += labels[r * count + h];
            }
            if (positives == 0 || positives == included)
                ExaniaThrow.Argument($"Head {head.Name} has {positives} positive rows of {included} in training; it needs both classes.", nameof(data));
            var positiveWeight = balance ? included / (2.0 * positives) : 1;
            var negativeWeight = balance ? included / (2.0 * (included - positives)) : 1;
            for (var r = 0; r < rows; r++)
            {
                if (Included(r))
                    weights[r * count + h] = (float)(head.Weight * (labels[r * count + h] == 1 ? positiveWeight : negativeWeight));
            }
        }
        var features = new float[standardized.Length];
        for (var i = 0; i < features.Length; i++)
            features[i] = (float)standardized[i];
        return new NetworkRows(features, width, labels, weights, partner);
    }

    /// <summary>The 0/1 label of an output per row: its target, and its condition too for an ESMM product.</summary>
    internal static byte[] OutputLabels(ConversionDataset data, ConversionOutput output)
    {
        var target = data.Label(output.Target);
        if (output.AlsoRequires is not { } also)
            return target;
        var given = data.Label(also);
        var labels = new byte[target.Length];
        for (var r = 0; r < labels.Length; r++)
            labels[r] = (byte)(target[r] & given[r]);
        return labels;
    }

    private static bool[] Population(ConversionDataset data, ConversionOutput output)
    {
        var included = new bool[data.Rows];
        if (output.Population is not { } p)
        {
            Array.Fill(included, true);
            return included;
        }
        var given = data.Label(p);
        for (var r = 0; r < included.Length; r++)
            included[r] = given[r] == 1;
        return included;
    }

    private static int[] Filter(int[] rows, bool[] included) => [.. rows.Where(r => included[r])];

    private static double[] Column(double[] rowMajor, int width, int column)
    {
        var result = new double[rowMajor.Length / width];
        for (var r = 0; r < result.Length; r++)
            result[r] = rowMajor[r * width + column];
        return result;
    }

    private static T[] Gather<T>(T[] values, int[] rows)
    {
        var result = new T[rows.Length];
        for (var i = 0; i < rows.Length; i++)
            result[i] = values[rows[i]];
        return result;
    }

    /// <summary>
    /// Per output, the test ROC AUC lost when each feature column is shuffled among the test rows (seeded, one seed per
    /// column and repeat, so the result does not depend on the threads), over each output's population.
    /// </summary>
    private static PermutationImportance[][] NetworkImportance(ConversionModel network, double[] standardized, int[] test,
        (bool[] Population, byte[] Labels)[] outputs, IReadOnlyList<string> names, int seed, int threads)
    {
        var width = network.Shape.Inputs;
        var matrix = new double[test.Length * width];
        for (var i = 0; i < test.Length; i++)
            standardized.AsSpan(test[i] * width, width).CopyTo(matrix.AsSpan(i * width));
        // Positions (within the test rows) of each output's population, and their labels.
        var positions = new int[outputs.Length][];
        var labels = new byte[outputs.Length][];
        for (var o = 0; o < outputs.Length; o++)
        {
            positions[o] = [.. Enumerable.Range(0, test.Length).Where(i => outputs[o].Population[test[i]])];
            labels[o] = [.. positions[o].Select(i => outputs[o].Labels[test[i]])];
        }
        double[] Aucs(double[] predictions)
        {
            var aucs = new double[outputs.Length];
            for (var o = 0; o < outputs.Length; o++)
            {
                var scores = new double[positions[o].Length];
                for (var k = 0; k < scores.Length; k++)
                    scores[k] = predictions[positions[o][k] * outputs.Length + o];
                aucs[o] = Metrics.RocAuc(scores, labels[o]);
            }
            return aucs;
        }
        var baseline = Aucs(network.PredictStandardized(matrix));
        var drops = new double[width, ImportanceRepeats, outputs.Length];
        Parallel.For(0, width, Parallelism.Options(threads), column =>
        {
            var shuffled = (double[])matrix.Clone();
            var donors = new int[test.Length];
            for (var repeat = 0; repeat < ImportanceRepeats; repeat++)
            {
                var random = new Random(unchecked(seed * 31 + column * 7919 + repeat * 104729));
                for (var i = 0; i < donors.Length; i++)
                    donors[i] = i;
                random.Shuffle(donors);
                for (var i = 0; i < donors.Length; i++)
                    shuffled[i * width + column] = matrix[donors[i] * width + column];
                var aucs = Aucs(network.PredictStandardized(shuffled));
                for (var o = 0; o < outputs.Length; o++)
                    drops[column, repeat, o] = baseline[o] - aucs[o];
            }
        });
        var result = new PermutationImportance[outputs.Length][];
        for (var o = 0; o < outputs.Length; o++)
        {
            var features = new PermutationImportance[width];
            for (var column = 0; column < width; column++)
            {
                double sum = 0, squares = 0;
                for (var repeat = 0; repeat < ImportanceRepeats; repeat++)
                    sum += drops[column, repeat, o];
                var mean = sum / ImportanceRepeats;
                for (var repeat = 0; repeat < ImportanceRepeats; repeat++)
                    squares += (drops[column, repeat, o] - mean) * (drops[column, repeat, o] - mean);
                features[column] = new PermutationImportance(names[column], mean, Math.Sqrt(squares / ImportanceRepeats));
            }
            // Stable: ties keep column order.
            result[o] = [.. features.OrderByDescending(f => f.AucDropMean)];
        }
        return result;
    }

    private static ModelDiagnostics Diagnose(string model, double[] scores, byte[] labels, int[] rows, double threshold) =>
        new(model, BinaryDiagnostics.Compute(Gather(scores, rows), Gather(labels, rows), threshold));

    private static BinaryScores Score(double[] scores, byte[] labels, int[] rows, double threshold)
    {
        var s = Gather(scores, rows);
        var y = Gather(labels, rows);
        var decision = Metrics.AtThreshold(s, y, threshold);
        var yDouble = Array.ConvertAll(y, b => (double)b);
        return new BinaryScores(Metrics.RocAuc(s, y), Metrics.AveragePrecision(s, y), Metrics.LogLoss(s, yDouble),
            threshold, decision.Precision, decision.Recall, decision.F1);
    }

    /// <summary>Balanced L2 logistic regression on the standardized features of the fit rows; probabilities for every row.</summary>
    private static double[] RegressionScores(double[] standardized, int width, byte[] labels, int[] fitRows, double c)
    {
        var x = new double[fitRows.Length * width];
        for (var i = 0; i < fitRows.Length; i++)
            standardized.AsSpan(fitRows[i] * width, width).CopyTo(x.AsSpan(i * width));
        var y = Gather(labels, fitRows);
        var fitted = LogisticRegression.Fit(x, fitRows.Length, width, y, LogisticRegression.BalancedSampleWeights(y), c);
        var rows = standardized.Length / width;
        var result = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            var z = fitted.Intercept + System.Numerics.Tensors.TensorPrimitives.Dot(standardized.AsSpan(r * width, width), fitted.Coefficients);
            result[r] = LogisticRegression.Sigmoid(z);
        }
        return result;
    }

    /// <summary>Trees on the encoded features (NaN kept) of the fit rows, stopped on the validation rows; probabilities for every row.</summary>
    private static (double[] Scores, int Rounds) TreeScores(double[] encoded, ConversionPreprocessor preprocessor, byte[] labels, int[] fitRows,
        int[] validationRows, GbtOptions options)
    {
        var width = preprocessor.Width;
        GbtDataset Subset(int[] rows)
        {
            var values = new double[rows.Length * width];
            for (var i = 0; i < rows.Length; i++)
                encoded.AsSpan(rows[i] * width, width).CopyTo(values.AsSpan(i * width));
            return new GbtDataset(values, rows.Length, width, preprocessor.FeatureNames, Array.ConvertAll(Gather(labels, rows), b => (double)b));
        }
        // Early stopping keeps the trees up to the best validation round.
        var model = GbtTrainer.Train(Subset(fitRows), options, Subset(validationRows));
        var all = new GbtDataset(encoded, encoded.Length / width, width, preprocessor.FeatureNames, new double[encoded.Length / width]);
        return (model.Predict(all), model.Trees.Count);
    }

    private static ModelScores Summarize(string model, List<BinaryScores> perSeed)
    {
        BinaryScores Map(Func<IEnumerable<double>, double> f) => new(
            f(perSeed.Select(s => s.RocAuc)), f(perSeed.Select(s => s.PrAuc)), f(perSeed.Select(s => s.LogLoss)),
            f(perSeed.Select(s => s.Threshold)), f(perSeed.Select(s => s.Precision)), f(perSeed.Select(s => s.Recall)), f(perSeed.Select(s => s.F1)));
        static double Std(IEnumerable<double> values)
        {
            var list = values.ToList();
            var mean = list.Average();
            return Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / list.Count);
        }
        return new ModelScores(model, Map(v => v.Average()), Map(Std), perSeed);
    }
}
