namespace Exania.Core;

/// <summary>Precision, recall and F1 of the rule "predict positive when score >= threshold".</summary>
/// <param name="Threshold">The decision threshold.</param>
/// <param name="Precision">TP / (TP + FP); 0 when nothing is predicted positive (scikit-learn's zero_division=0).</param>
/// <param name="Recall">TP / (TP + FN).</param>
/// <param name="F1">Harmonic mean of precision and recall; 0 when both are 0.</param>
/// <param name="PredictedPositiveRate">Fraction of rows predicted positive.</param>
public sealed record ThresholdScores(double Threshold, double Precision, double Recall, double F1, double PredictedPositiveRate);

/// <summary>Binary classification metrics matching scikit-learn's definitions.</summary>
/// <remarks>Scores must be finite; labels 0/1. Metrics that need both classes throw when one is missing.</remarks>
public static partial class Metrics
{
    /// <summary>
    /// Area under the ROC curve, as <c>sklearn.metrics.roc_auc_score</c>: the Mann-Whitney statistic with tied scores
    /// given their average rank, i.e. the probability that a random positive outscores a random negative, ties counting 1/2.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, a score is not finite, a label is not 0/1, or only one class is present.</exception>
    public static double RocAuc(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
    {
        var (positives, negatives) = Validate(scores, labels);
        if (positives == 0 || negatives == 0)
            ExaniaThrow.SingleClass("ROC AUC", positives, negatives);
        var order = SortAscending(scores);
        // Sum of (1-based, tie-averaged) ranks of the positives.
        double positiveRankSum = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            var groupPositives = 0;
            var value = scores[order[i]];
            while (j < order.Length && scores[order[j]] == value)
            {
                groupPositives += labels[order[j]];
                j++;
            }
            var averageRank = (i + 1 + j) / 2.0; // mean of ranks i+1 .. j
            positiveRankSum += groupPositives * averageRank;
            i = j;
        }
        var u = positiveRankSum - positives * (positives + 1.0) / 2.0;
        return u / ((double)positives * negatives);
    }

    /// <summary>
    /// Average precision, as <c>sklearn.metrics.average_precision_score</c>: <c>sum_n (R_n - R_{n-1}) P_n</c> over the
    /// distinct score thresholds taken in decreasing order (a step-wise PR AUC, no interpolation).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, a score is not finite, a label is not 0/1, or there is no positive.</exception>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
    {
        var (positives, negatives) = Validate(scores, labels);
        if (positives == 0)
            ExaniaThrow.SingleClass("Average precision", positives, negatives);
        var order = SortAscending(scores);
        double truePositives = 0, falsePositives = 0, previousRecall = 0, sum = 0;
        var i = order.Length - 1;
        while (i >= 0)
        {
            var value = scores[order[i]];
            while (i >= 0 && scores[order[i]] == value)
            {
                if (labels[order[i]] == 1)
                    truePositives++;
                else
                    falsePositives++;
                i--;
            }
            var recall = truePositives / positives;
            var precision = truePositives / (truePositives + falsePositives);
            sum += (recall - previousRecall) * precision;
            previousRecall = recall;
        }
        return sum;
    }

    /// <summary>Precision, recall and F1 when predicting positive for <c>score >= threshold</c>.</summary>
    public static ThresholdScores AtThreshold(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels, double threshold)
    {
        var (positives, _) = Validate(scores, labels);
        if (double.IsNaN(threshold))
            ExaniaThrow.Argument("Threshold is NaN.", nameof(threshold));
        long truePositives = 0, predicted = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] >= threshold)
            {
                predicted++;
                truePositives += labels[i];
            }
        }
        return Scores(threshold, truePositives, predicted, positives, scores.Length);
    }

    /// <summary>
    /// The threshold among the distinct scores that maximises F1 (ties: the highest such threshold), with its scores.
    /// </summary>
    /// <exception cref="ArgumentException">Inputs are invalid or there is no positive row.</exception>
    public static ThresholdScores BestF1Threshold(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
    {
        var (positives, negatives) = Validate(scores, labels);
        if (positives == 0)
            ExaniaThrow.SingleClass("Best-F1 threshold", positives, negatives);
        var order = SortAscending(scores);
        long truePositives = 0, predicted = 0;
        double bestF1 = -1, bestThreshold = double.NaN;
        long bestTp = 0, bestPredicted = 0;
        var i = order.Length - 1;
        while (i >= 0)
        {
            var value = scores[order[i]];
            while (i >= 0 && scores[order[i]] == value)
            {
                predicted++;
                truePositives += labels[order[i]];
                i--;
            }
            var f1 = 2.0 * truePositives / (predicted + positives);
            if (f1 > bestF1)
            {
                bestF1 = f1;
                bestThreshold = value;
                bestTp = truePositives;
                bestPredicted = predicted;
            }
        }
        return Scores(bestThreshold, bestTp, bestPredicted, positives, scores.Length);
    }

    private static ThresholdScores Scores(double threshold, long truePositives, long predicted, int positives, int rows)
    {
        var precision = predicted == 0 ? 0 : (double)truePositives / predicted;
        var recall = positives == 0 ? 0 : (double)truePositives / positives;
        var f1 = precision + recall == 0 ? 0 : 2.0 * truePositives / (predicted + positives);
        return new ThresholdScores(threshold, precision, recall, f1, rows == 0 ? 0 : (double)predicted / rows);
    }

    private static (int Positives, int Negatives) Validate(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
    {
        if (scores.Length != labels.Length)
            ExaniaThrow.Argument($"{scores.Length} scores for {labels.Length} labels.", nameof(labels));
        if (scores.Length == 0)
            ExaniaThrow.Argument("Metrics need at least one row.", nameof(scores));
        var positives = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (!double.IsFinite(scores[i]))
                ExaniaThrow.Argument($"Score of row {i} is {scores[i]}; scores must be finite.", nameof(scores));
            if (labels[i] > 1)
                ExaniaThrow.Argument($"Label of row {i} is {labels[i]}; labels must be 0 or 1.", nameof(labels));
            positives += labels[i];
        }
        return (positives, scores.Length - positives);
    }

    private static int[] SortAscending(ReadOnlySpan<double> scores)
    {
        var keys = scores.ToArray();
        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++)
            order[i] = i;
        Array.Sort(keys, order);
        return order;
    }
}
