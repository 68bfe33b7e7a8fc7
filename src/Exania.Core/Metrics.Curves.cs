namespace Exania.Core;

/// <summary>
/// ROC curve points, as <c>sklearn.metrics.roc_curve</c> with <c>drop_intermediate=True</c>: one point per distinct score
/// threshold (taken in decreasing order) that is a corner of the curve, starting at (0, 0) with threshold +∞.
/// </summary>
public sealed record RocCurve(IReadOnlyList<double> FalsePositiveRate, IReadOnlyList<double> TruePositiveRate, IReadOnlyList<double> Thresholds);

/// <summary>
/// Precision-recall points, as <c>sklearn.metrics.precision_recall_curve</c> with <c>drop_intermediate=True</c>: recall
/// decreasing, ending at (recall 0, precision 1) with no threshold; <see cref="Thresholds"/> has one element fewer.
/// </summary>
public sealed record PrecisionRecallCurve(IReadOnlyList<double> Precision, IReadOnlyList<double> Recall, IReadOnlyList<double> Thresholds);

/// <summary>One bin of a reliability diagram.</summary>
/// <param name="Low">Lower edge of the bin (a probability equal to an inner edge falls into the bin below it).</param>
/// <param name="High">Upper edge.</param>
/// <param name="Rows">Rows whose probability falls into the bin.</param>
/// <param name="MeanPredicted">Mean predicted probability of those rows.</param>
/// <param name="FractionPositive">Fraction of those rows that are positive.</param>
public sealed record CalibrationBin(double Low, double High, int Rows, double MeanPredicted, double FractionPositive);

/// <summary>Counts of the rule "positive when score ≥ threshold".</summary>
public sealed record ConfusionCounts(double Threshold, long TruePositives, long FalsePositives, long FalseNegatives, long TrueNegatives);

public static partial class Metrics
{
    /// <summary>ROC curve of <paramref name="scores"/> against <paramref name="labels"/> (see <see cref="RocCurve"/>).</summary>
    /// <exception cref="ArgumentException">Inputs are invalid or only one class is present.</exception>
    public static RocCurve Roc(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
    {
        var (positives, negatives) = Validate(scores, labels);
        if (positives == 0 || negatives == 0)
            ExaniaThrow.SingleClass("ROC curve", positives, negatives);
        var (tps, fps, thresholds) = CumulativeCounts(scores, labels);
        // A point is kept when it is the first or last, or the curve turns there (the second difference of either
        // count is not zero); collinear points between two corners draw nothing.
        var fpr = new List<double>(tps.Count + 1) { 0 };
        var tpr = new List<double>(tps.Count + 1) { 0 };
        var kept = new List<double>(tps.Count + 1) { double.PositiveInfinity };
        for (var i = 0; i < tps.Count; i++)
        {
            var corner = i == 0 || i == tps.Count - 1
                || fps[i - 1] - 2 * fps[i] + fps[i + 1] != 0 || tps[i - 1] - 2 * tps[i] + tps[i + 1] != 0;
            if (!corner) continue;
            fpr.Add(fps[i] / negatives);
            tpr.Add(tps[i] / positives);
            kept.Add(thresholds[i]);
        }
        return new RocCurve(fpr, tpr, kept);
    }

    /// <summary>Precision-recall curve of <paramref name="scores"/> against <paramref name="labels"/> (see <see cref="PrecisionRecallCurve"/>).</summary>
    /// <param name="scores">Finite scores, higher meaning more likely positive.</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="dropIntermediate">Leave out the thresholds that the step plot does not need (scikit-learn 1.3's
    /// <c>drop_intermediate=True</c>); false keeps one point per distinct score, as scikit-learn before 1.3.</param>
    /// <exception cref="ArgumentException">Inputs are invalid or there is no positive row.</exception>
    public static PrecisionRecallCurve PrecisionRecall(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels, bool dropIntermediate = true)
    {
        var (positives, negatives) = Validate(scores, labels);
        if (positives == 0)
            ExaniaThrow.SingleClass("Precision-recall curve", positives, negatives);
        var (tps, fps, thresholds) = CumulativeCounts(scores, labels);
        // Kept: the first and last thresholds, and those where the true-positive count changes on either side: a run
        // of thresholds that only adds false positives keeps its ends, which are all the step plot needs.
        var keep = new List<int>(tps.Count);
        for (var i = 0; i < tps.Count; i++)
        {
            if (!dropIntermediate || tps.Count <= 2 || i == 0 || i == tps.Count - 1 || tps[i] != tps[i - 1] || tps[i + 1] != tps[i])
                keep.Add(i);
        }
        var precision = new double[keep.Count + 1];
        var recall = new double[keep.Count + 1];
        var kept = new double[keep.Count];
        for (var k = 0; k < keep.Count; k++)
        {
            var i = keep[keep.Count - 1 - k]; // lowest threshold (highest recall) first
            var predicted = tps[i] + fps[i];
            precision[k] = predicted == 0 ? 1 : tps[i] / predicted;
            recall[k] = tps[i] / positives;
            kept[k] = thresholds[i];
        }
        precision[keep.Count] = 1;
        recall[keep.Count] = 0;
        return new PrecisionRecallCurve(precision, recall, kept);
    }

    /// <summary>
    /// Reliability diagram with <paramref name="bins"/> equal-width bins over [0, 1], as
    /// <c>sklearn.calibration.calibration_curve(strategy="uniform")</c>; empty bins are left out.
    /// </summary>
    /// <exception cref="ArgumentException">Inputs are invalid or a probability is outside [0, 1].</exception>
    public static IReadOnlyList<CalibrationBin> Calibration(ReadOnlySpan<double> probabilities, ReadOnlySpan<byte> labels, int bins = 10)
    {
        Validate(probabilities, labels);
        if (bins < 1)
            ExaniaThrow.ArgumentOutOfRange(nameof(bins), bins, "At least one bin is needed.");
        var rows = new int[bins];
        var sums = new double[bins];
        var hits = new int[bins];
        for (var i = 0; i < probabilities.Length; i++)
        {
            var p = probabilities[i];
            if (p is < 0 or > 1)
                ExaniaThrow.Argument($"Probability of row {i} is {p}; calibration needs values in [0, 1].", nameof(probabilities));
            var bin = BinOf(p, bins);
            rows[bin]++;
            sums[bin] += p;
            hits[bin] += labels[i];
        }
        var result = new List<CalibrationBin>(bins);
        for (var b = 0; b < bins; b++)
        {
            if (rows[b] == 0) continue;
            result.Add(new CalibrationBin(Edge(b, bins), Edge(b + 1, bins), rows[b], sums[b] / rows[b], hits[b] / (double)rows[b]));
        }
        return result;
    }

    /// <summary>Mean squared difference between probability and label, as <c>sklearn.metrics.brier_score_loss</c>.</summary>
    public static double BrierScore(ReadOnlySpan<double> probabilities, ReadOnlySpan<byte> labels)
    {
        Validate(probabilities, labels);
        var sum = 0.0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var d = probabilities[i] - labels[i];
            sum += d * d;
        }
        return sum / probabilities.Length;
    }

    /// <summary>Confusion counts of "positive when score ≥ <paramref name="threshold"/>".</summary>
    public static ConfusionCounts Confusion(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels, double threshold)
    {
        var (positives, negatives) = Validate(scores, labels);
        long truePositives = 0, falsePositives = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] < threshold) continue;
            if (labels[i] == 1) truePositives++;
            else falsePositives++;
        }
        return new ConfusionCounts(threshold, truePositives, falsePositives, positives - truePositives, negatives - falsePositives);
    }

    /// <summary>Edge <paramref name="k"/> of <c>numpy.linspace(0, 1, bins + 1)</c>.</summary>
    private static double Edge(int k, int bins) => k == bins ? 1.0 : k * (1.0 / bins);

    /// <summary>The bin of <c>numpy.searchsorted(inner edges, p)</c> (side left): p on an inner edge goes below it.</summary>
    private static int BinOf(double p, int bins)
    {
        var bin = 0;
        while (bin < bins - 1 && Edge(bin + 1, bins) < p)
            bin++;
        return bin;
    }

    /// <summary>
    /// True and false positives counted at each distinct score, taken in decreasing order (scikit-learn's
    /// <c>_binary_clf_curve</c>): element i counts the rows with score ≥ threshold i.
    /// </summary>
    private static (List<double> TruePositives, List<double> FalsePositives, List<double> Thresholds) CumulativeCounts(
        ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
    {
        var order = SortAscending(scores);
        var tps = new List<double>();
        var fps = new List<double>();
        var thresholds = new List<double>();
        double truePositives = 0, seen = 0;
        var i = order.Length - 1;
        while (i >= 0)
        {
            var value = scores[order[i]];
            while (i >= 0 && scores[order[i]] == value)
            {
                truePositives += labels[order[i]];
                seen++;
                i--;
            }
            tps.Add(truePositives);
            fps.Add(seen - truePositives);
            thresholds.Add(value);
        }
        return (tps, fps, thresholds);
    }
}
