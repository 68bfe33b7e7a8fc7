using Exania.Core;

namespace Exania.Core.Tests;

public class MetricsTests
{
    // Scores with ties across and within classes.
    private static readonly double[] s_scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.1, 0.9, 0.35, 0.4, 0.2, 0.8, 0.5];
    private static readonly byte[] s_labels = [0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0];

    [Fact]
    public void RocAuc_WithTies_MatchesScikitLearn() =>
        // sklearn 1.2.1 roc_auc_score(labels, scores)
        Assert.Equal(0.7361111111111112, Metrics.RocAuc(s_scores, s_labels), 1e-15);

    [Fact]
    public void AveragePrecision_WithTies_MatchesScikitLearn() =>
        // sklearn 1.2.1 average_precision_score(labels, scores)
        Assert.Equal(0.7878306878306879, Metrics.AveragePrecision(s_scores, s_labels), 1e-15);

    [Fact]
    public void RocAuc_AllScoresEqual_IsHalf() =>
        Assert.Equal(0.5, Metrics.RocAuc([0.3, 0.3, 0.3, 0.3], [0, 1, 1, 0]));

    [Fact]
    public void RocAuc_PerfectAndReversed()
    {
        Assert.Equal(1.0, Metrics.RocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]));
        Assert.Equal(0.0, Metrics.RocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]));
    }

    [Fact]
    public void RocAuc_SingleClass_ThrowsClearly()
    {
        var e = Assert.Throws<ArgumentException>(() => Metrics.RocAuc([0.1, 0.2], [1, 1]));
        Assert.Contains("only one class", e.Message);
        Assert.Contains("2 positive, 0 negative", e.Message);
    }

    [Fact]
    public void AveragePrecision_NoPositives_Throws() =>
        Assert.Throws<ArgumentException>(() => Metrics.AveragePrecision([0.1, 0.2], [0, 0]));

    [Fact]
    public void RocAuc_NaNScore_ThrowsNamingRow()
    {
        var e = Assert.Throws<ArgumentException>(() => Metrics.RocAuc([0.1, double.NaN], [0, 1]));
        Assert.Contains("row 1", e.Message);
    }

    [Fact]
    public void RocAuc_EqualsPairwiseCountOnRandomInputs()
    {
        var random = new Random(17);
        for (var trial = 0; trial < 200; trial++)
        {
            var n = random.Next(2, 60);
            var scores = new double[n];
            var labels = new byte[n];
            for (var i = 0; i < n; i++)
            {
                scores[i] = random.Next(0, 8) / 8.0; // coarse, so ties are common
                labels[i] = (byte)random.Next(2);
            }
            labels[0] = 0;
            labels[1] = 1;
            double wins = 0, pairs = 0;
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    if (labels[i] == 1 && labels[j] == 0)
                    {
                        pairs++;
                        wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                    }
                }
            }
            Assert.Equal(wins / pairs, Metrics.RocAuc(scores, labels), 1e-12);
        }
    }

    [Fact]
    public void AtThreshold_CountsScoresAtOrAboveThreshold()
    {
        var result = Metrics.AtThreshold(s_scores, s_labels, 0.4);
        // Predicted positive: 0.4 x3, 0.8 x2, 0.9, 0.5 -> 7 rows, of which 4 are positive; 6 positives in all.
        Assert.Equal(4.0 / 7, result.Precision, 1e-15);
        Assert.Equal(4.0 / 6, result.Recall, 1e-15);
        Assert.Equal(2 * 4.0 / (7 + 6), result.F1, 1e-15);
        Assert.Equal(7.0 / 12, result.PredictedPositiveRate, 1e-15);
    }

    [Fact]
    public void AtThreshold_NothingPredicted_GivesZeroPrecision()
    {
        var result = Metrics.AtThreshold(s_scores, s_labels, 0.95);
        Assert.Equal(0.0, result.Precision);
        Assert.Equal(0.0, result.Recall);
        Assert.Equal(0.0, result.F1);
    }

    [Fact]
    public void BestF1Threshold_MaximisesF1OverAllCandidateThresholds()
    {
        var best = Metrics.BestF1Threshold(s_scores, s_labels);
        foreach (var candidate in s_scores)
            Assert.True(Metrics.AtThreshold(s_scores, s_labels, candidate).F1 <= best.F1 + 1e-15);
        Assert.Equal(best, Metrics.AtThreshold(s_scores, s_labels, best.Threshold));
        // By hand: 0.2 predicts 10 rows holding all 6 positives -> F1 = 12/16; 0.8 gives 6/9, 0.35 gives 10/15.
        Assert.Equal(0.2, best.Threshold);
        Assert.Equal(0.75, best.F1, 1e-15);
    }
}
