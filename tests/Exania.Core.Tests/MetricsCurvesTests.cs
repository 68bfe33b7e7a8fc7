using Exania.Core;

namespace Exania.Core.Tests;

/// <summary>
/// The curves a report draws, against scikit-learn 1.2.1 (Debian's python3-sklearn) on fixed data with ties and a
/// probability on a bin edge; the golden values were printed by <c>roc_curve</c>, <c>precision_recall_curve</c>,
/// <c>calibration_curve(n_bins=10)</c> and <c>brier_score_loss</c> on exactly these arrays.
/// </summary>
public class MetricsCurvesTests
{
    private static readonly double[] s_scores =
        [0.9, 0.8, 0.8, 0.7, 0.65, 0.6, 0.6, 0.6, 0.55, 0.5, 0.45, 0.4, 0.4, 0.35, 0.3, 0.3, 0.2, 0.1, 0.1, 0.05, 0.0, 1.0, 0.7, 0.2, 0.3];
    private static readonly byte[] s_labels =
        [1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0];

    [Fact]
    public void Roc_MatchesScikitLearnRocCurve()
    {
        var roc = Metrics.Roc(s_scores, s_labels);
        double[] fpr = [0.0, 0.0, 0.0, 0.125, 0.1875, 0.3125, 0.3125, 0.375, 0.375, 0.5, 0.5625, 0.6875, 0.75, 0.875, 1.0];
        double[] tpr = [0.0, 1 / 9.0, 2 / 9.0, 4 / 9.0, 4 / 9.0, 5 / 9.0, 6 / 9.0, 6 / 9.0, 7 / 9.0, 7 / 9.0, 7 / 9.0, 8 / 9.0, 1.0, 1.0, 1.0];
        // scikit-learn 1.2 starts at max + 1 (here 2.0); 1.3 and later at +inf, as Exania does. The rest are the scores.
        double[] thresholds = [1.0, 0.9, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.2, 0.1, 0.0];
        Assert.Equal(fpr, roc.FalsePositiveRate);
        Assert.Equal(tpr.Length, roc.TruePositiveRate.Count);
        for (var i = 0; i < tpr.Length; i++)
            Assert.Equal(tpr[i], roc.TruePositiveRate[i], 1e-15);
        Assert.Equal(double.PositiveInfinity, roc.Thresholds[0]);
        Assert.Equal(thresholds, roc.Thresholds.Skip(1));
    }

    [Fact]
    public void PrecisionRecall_AllPoints_MatchScikitLearn12()
    {
        var pr = Metrics.PrecisionRecall(s_scores, s_labels, dropIntermediate: false);
        double[] precision = [0.36, 0.375, 0.391304347826087, 0.42857142857142855, 0.42105263157894735, 0.4375, 0.4666666666666667,
            0.5384615384615384, 0.5, 0.5454545454545454, 0.5, 0.5714285714285714, 0.6666666666666666, 0.75, 1.0, 1.0, 1.0];
        double[] recall = [1.0, 1.0, 1.0, 1.0, 8 / 9.0, 7 / 9.0, 7 / 9.0, 7 / 9.0, 6 / 9.0, 6 / 9.0, 5 / 9.0, 4 / 9.0, 4 / 9.0, 3 / 9.0, 2 / 9.0, 1 / 9.0, 0.0];
        double[] thresholds = [0.0, 0.05, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 1.0];
        Assert.Equal(precision.Length, pr.Precision.Count);
        for (var i = 0; i < precision.Length; i++)
        {
            Assert.Equal(precision[i], pr.Precision[i], 1e-15);
            Assert.Equal(recall[i], pr.Recall[i], 1e-15);
        }
        Assert.Equal(thresholds, pr.Thresholds);
    }

    [Fact]
    public void PrecisionRecall_DropIntermediate_KeepsTheEndsOfEachRunOfFalsePositives()
    {
        // By hand, thresholds in decreasing order: 0.9 → TP 1 FP 0; 0.8 → 1/1; 0.7 → 1/2; 0.6 → 1/3; 0.5 → 2/3.
        // 0.8 and 0.7 only add false positives between two kept points (TP equal on both sides), so they go.
        var pr = Metrics.PrecisionRecall([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 0, 0, 1]);
        Assert.Equal([0.4, 0.25, 1.0, 1.0], pr.Precision);
        Assert.Equal([1.0, 0.5, 0.5, 0.0], pr.Recall);
        Assert.Equal([0.5, 0.6, 0.9], pr.Thresholds);
        // Every kept point is a point of the full curve.
        var full = Metrics.PrecisionRecall(s_scores, s_labels, dropIntermediate: false);
        var kept = Metrics.PrecisionRecall(s_scores, s_labels);
        Assert.True(kept.Thresholds.Count < full.Thresholds.Count);
        for (var i = 0; i < kept.Thresholds.Count; i++)
        {
            var at = full.Thresholds.ToList().IndexOf(kept.Thresholds[i]);
            Assert.Equal(full.Precision[at], kept.Precision[i]);
            Assert.Equal(full.Recall[at], kept.Recall[i]);
        }
    }

    [Fact]
    public void Calibration_MatchesScikitLearnCalibrationCurve_AndCountsByHand()
    {
        var bins = Metrics.Calibration(s_scores, s_labels);
        double[] fractionPositive = [0.0, 0.5, 1 / 3.0, 0.0, 0.5, 0.5, 1 / 3.0, 0.5, 1.0, 1.0];
        double[] meanPredicted = [0.0625, 0.2, 0.3, 0.3833333333333333, 0.475, 0.5874999999999999, 0.6833333333333332, 0.8, 0.9, 1.0];
        Assert.Equal(10, bins.Count);
        for (var b = 0; b < bins.Count; b++)
        {
            Assert.Equal(fractionPositive[b], bins[b].FractionPositive, 1e-15);
            Assert.Equal(meanPredicted[b], bins[b].MeanPredicted, 1e-15);
        }
        // By hand: 0.1 sits on the first inner edge and counts in the bin below; [0, 0.1] holds 0.1, 0.1, 0.05, 0.0.
        Assert.Equal(4, bins[0].Rows);
        Assert.Equal((0.0, 0.1), (bins[0].Low, bins[0].High));
        Assert.Equal(s_scores.Length, bins.Sum(b => b.Rows));
    }

    [Fact]
    public void Calibration_LeavesEmptyBinsOut() =>
        Assert.Equal([0.0, 0.9], Metrics.Calibration([0.05, 0.95], [0, 1]).Select(b => b.Low).Select(l => Math.Round(l, 10)));

    [Fact]
    public void BrierScore_MatchesScikitLearn() => Assert.Equal(0.2057, Metrics.BrierScore(s_scores, s_labels), 1e-15);

    [Fact]
    public void Confusion_CountsByHand()
    {
        var c = Metrics.Confusion(s_scores, s_labels, 0.6);
        // score >= 0.6: 0.9(1) 0.8(1) 0.8(0) 0.7(1) 0.65(0) 0.6(1) 0.6(0) 0.6(0) 1.0(1) 0.7(0) → TP 5, FP 5; 9 positives, 16 negatives.
        Assert.Equal((5L, 5L, 4L, 11L), (c.TruePositives, c.FalsePositives, c.FalseNegatives, c.TrueNegatives));
    }

    [Fact]
    public void Diagnostics_ThresholdTable_HoldsTheGridAndTheChosenThreshold()
    {
        var d = BinaryDiagnostics.Compute(s_scores, s_labels, 0.37);
        Assert.Equal(20, d.Thresholds.Count);
        Assert.Contains(d.Thresholds, t => t.Threshold == 0.37);
        Assert.Equal(d.Thresholds.Select(t => t.Threshold).Order(), d.Thresholds.Select(t => t.Threshold));
        Assert.Equal(9 / 25.0 * (16 / 25.0), d.PrevalenceBrier, 1e-15);
        Assert.Equal(Metrics.RocAuc(s_scores, s_labels), d.Pooled.RocAuc);
    }
}
