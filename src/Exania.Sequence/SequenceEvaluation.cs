namespace Exania.Sequence;

/// <summary>Precision, recall, F1 and support of one class.</summary>
public sealed record ClassScores(string Name, double Precision, double Recall, double F1, int Support);

/// <summary>
/// Multi-class scores of predicted labels against the truth, as scikit-learn's <c>precision_recall_fscore_support</c>
/// with <c>zero_division=0</c> and its default labels: macro averages run over the classes present in the truth or the
/// predictions (so the <c>&lt;oov&gt;</c> class of a vocabulary without rare actions does not dilute them), weighted
/// averages weigh each class by its support. <see cref="Classes"/> lists every class of the vocabulary.
/// </summary>
public sealed class ClassificationReport
{
    private ClassificationReport(int samples, double accuracy, ClassScores[] classes, int[,] confusion, bool[] present)
    {
        Samples = samples;
        Accuracy = accuracy;
        Classes = classes;
        Confusion = confusion;
        var used = classes.Where((_, k) => present[k]).ToArray();
        MacroPrecision = used.Length == 0 ? 0 : used.Average(c => c.Precision);
        MacroRecall = used.Length == 0 ? 0 : used.Average(c => c.Recall);
        MacroF1 = used.Length == 0 ? 0 : used.Average(c => c.F1);
        double w = Math.Max(samples, 1);
        WeightedPrecision = classes.Sum(c => c.Precision * c.Support) / w;
        WeightedRecall = classes.Sum(c => c.Recall * c.Support) / w;
        WeightedF1 = classes.Sum(c => c.F1 * c.Support) / w;
    }

    public int Samples { get; }
    public double Accuracy { get; }
    public IReadOnlyList<ClassScores> Classes { get; }

    /// <summary>Counts [true class, predicted class].</summary>
    public int[,] Confusion { get; }

    public double MacroPrecision { get; }
    public double MacroRecall { get; }
    public double MacroF1 { get; }
    public double WeightedPrecision { get; }
    public double WeightedRecall { get; }
    public double WeightedF1 { get; }

    public static ClassificationReport From(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (truth.Length != predicted.Length)
            throw new ArgumentException("Truth and predictions differ in length.");
        var k = classNames.Count;
        var confusion = new int[k, k];
        var correct = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            confusion[truth[i], predicted[i]]++;
            if (truth[i] == predicted[i]) correct++;
        }
        var classes = new ClassScores[k];
        var present = new bool[k];
        for (var c = 0; c < k; c++)
        {
            int tp = confusion[c, c], support = 0, predictedCount = 0;
            for (var j = 0; j < k; j++)
            {
                support += confusion[c, j];
                predictedCount += confusion[j, c];
            }
            var precision = predictedCount == 0 ? 0 : tp / (double)predictedCount;
            var recall = support == 0 ? 0 : tp / (double)support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes[c] = new ClassScores(classNames[c], precision, recall, f1, support);
            present[c] = support > 0 || predictedCount > 0;
        }
        return new ClassificationReport(truth.Length, truth.Length == 0 ? 0 : correct / (double)truth.Length, classes, confusion, present);
    }
}

/// <summary>The model and the two baselines on one split.</summary>
public sealed record SequenceEvaluation(
    ClassificationReport Model,
    double Top3Accuracy,
    ClassificationReport Markov,
    ClassificationReport Majority,
    double Loss,
    double SequencesPerSecond,
    double MarkovTop3Accuracy,
    double MarkovLoss,
    RankingScores Ranking);

/// <summary>
/// What session-based recommenders report, ranked over the full vocabulary (never sampled negatives): HR@10 (recall@10),
/// MRR@20 and NDCG@10. The target's rank is 1 + the number of classes scored strictly higher.
/// </summary>
public sealed record RankingScores(double HitRate10, double Mrr20, double Ndcg10)
{
    internal static double Mrr(int rank, int cutoff) => rank <= cutoff ? 1.0 / rank : 0;

    internal static double Ndcg(int rank, int cutoff) => rank <= cutoff ? 1 / Math.Log2(rank + 1) : 0;
}

/// <summary>
/// Baselines fitted on the training split: the most frequent next action, and a first-order Markov chain that predicts
/// the most frequent next action after the current (last input) token, falling back to the most frequent action for
/// a token never seen as current. Ties go to the lower class index (numpy's argmax).
/// </summary>
public sealed class NextActionBaselines
{
    private readonly int[] _markov;
    private readonly long[,] _transitions;

    private NextActionBaselines(int majority, int[] markov, long[,] transitions)
    {
        Majority = majority;
        _markov = markov;
        _transitions = transitions;
    }

    public int Majority { get; }

    public int MarkovPrediction(int currentToken) => (uint)currentToken < (uint)_markov.Length ? _markov[currentToken] : Majority;

    /// <summary>
    /// The Markov chain's next-action distribution after <paramref name="currentToken"/>: transition counts with add-one
    /// (Laplace) smoothing, so its log-loss is finite and comparable with the model's.
    /// </summary>
    public void MarkovProbabilities(int currentToken, Span<double> destination)
    {
        var classes = _transitions.GetLength(1);
        var total = 0L;
        for (var k = 0; k < classes; k++) total += _transitions[currentToken, k];
        for (var k = 0; k < classes; k++)
            destination[k] = (_transitions[currentToken, k] + 1.0) / (total + classes);
    }

    public static NextActionBaselines Fit(SequenceSamples train, int tokens)
    {
        ArgumentNullException.ThrowIfNull(train);
        var classes = tokens - 1;
        var counts = new long[classes];
        var transitions = new long[tokens, classes];
        for (var i = 0; i < train.Count; i++)
        {
            counts[train.Targets[i]]++;
            transitions[train.LastToken(i), train.Targets[i]]++;
        }
        var majority = ArgMax(counts);
        var markov = new int[tokens];
        var row = new long[classes];
        for (var t = 0; t < tokens; t++)
        {
            for (var k = 0; k < classes; k++) row[k] = transitions[t, k];
            markov[t] = row.Any(c => c > 0) ? ArgMax(row) : majority;
        }
        return new NextActionBaselines(majority, markov, transitions);
    }

    private static int ArgMax(long[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}

/// <summary>Scores a model and the baselines on a split.</summary>
public static class SequenceEvaluator
{
    public static SequenceEvaluation Evaluate(SequenceModel model, SequenceSamples samples, NextActionBaselines baselines, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(baselines);
        var classes = model.Shape.Classes;
        var n = samples.Count;
        var probabilities = new float[n * classes];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        model.PredictProbabilities(samples, probabilities, threads);
        var seconds = watch.Elapsed.TotalSeconds;
        var predicted = new int[n];
        var markov = new int[n];
        var majority = new int[n];
        var top3 = 0;
        var loss = 0.0;
        var markovTop3 = 0;
        var markovLoss = 0.0;
        var markovP = new double[classes];
        double hits10 = 0, mrr20 = 0, ndcg10 = 0;
        for (var i = 0; i < n; i++)
        {
            var p = probabilities.AsSpan(i * classes, classes);
            var target = samples.Targets[i];
            var best = 0;
            for (var k = 1; k < classes; k++)
                if (p[k] > p[best]) best = k;
            predicted[i] = best;
            // Top-3: the target is in the top 3 when fewer than 3 classes score strictly higher (ties counted for the target).
            var higher = 0;
            for (var k = 0; k < classes; k++)
                if (p[k] > p[target]) higher++;
            if (higher < 3) top3++;
            var rank = higher + 1;
            if (rank <= 10) hits10++;
            mrr20 += RankingScores.Mrr(rank, 20);
            ndcg10 += RankingScores.Ndcg(rank, 10);
            loss -= Math.Log(Math.Max(p[target], float.Epsilon));
            markov[i] = baselines.MarkovPrediction(samples.LastToken(i));
            baselines.MarkovProbabilities(samples.LastToken(i), markovP);
            markovLoss -= Math.Log(markovP[target]);
            var markovHigher = 0;
            for (var k = 0; k < classes; k++)
                if (markovP[k] > markovP[target]) markovHigher++;
            if (markovHigher < 3) markovTop3++;
            majority[i] = baselines.Majority;
        }
        var names = Enumerable.Range(0, classes).Select(model.Vocabulary.ClassName).ToArray();
        return new SequenceEvaluation(
            ClassificationReport.From(samples.Targets, predicted, names),
            n == 0 ? 0 : top3 / (double)n,
            ClassificationReport.From(samples.Targets, markov, names),
            ClassificationReport.From(samples.Targets, majority, names),
            n == 0 ? double.NaN : loss / n,
            n / Math.Max(seconds, 1e-9),
            n == 0 ? 0 : markovTop3 / (double)n,
            n == 0 ? double.NaN : markovLoss / n,
            new RankingScores(n == 0 ? 0 : hits10 / n, n == 0 ? 0 : mrr20 / n, n == 0 ? 0 : ndcg10 / n));
    }
}
