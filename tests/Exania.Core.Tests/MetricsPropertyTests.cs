using Exania.Core;
using FsCheck;
using FsCheck.Fluent;

namespace Exania.Core.Tests;

/// <summary>FsCheck properties: the fast metrics agree with their textbook definitions on arbitrary tied inputs.</summary>
public class MetricsPropertyTests
{
    // Coarse scores (eighths), so ties within and across classes are common; both classes always present.
    private static readonly Arbitrary<(double[] Scores, byte[] Labels)> s_rows =
        Gen.Choose(2, 40)
            .SelectMany(n => Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 8), Gen.Choose(0, 1)), n))
            .Select(pairs =>
            {
                var scores = pairs.Select(p => p.Item1 / 8.0).ToArray();
                var labels = pairs.Select(p => (byte)p.Item2).ToArray();
                labels[0] = 0;
                labels[1] = 1;
                return (scores, labels);
            })
            .ToArbitrary();

    [Fact]
    public void AveragePrecision_EqualsSumOverPositivesOfPrecisionAtTheirScore() =>
        Prop.ForAll(s_rows, data =>
        {
            var (scores, labels) = data;
            // AP = mean over positives of precision at threshold = that positive's score (ties grouped).
            var positives = labels.Count(l => l == 1);
            var sum = 0.0;
            for (var i = 0; i < scores.Length; i++)
            {
                if (labels[i] == 0)
                    continue;
                var predicted = 0;
                var hits = 0;
                for (var j = 0; j < scores.Length; j++)
                {
                    if (scores[j] >= scores[i])
                    {
                        predicted++;
                        hits += labels[j];
                    }
                }
                sum += (double)hits / predicted;
            }
            return Math.Abs(sum / positives - Metrics.AveragePrecision(scores, labels)) < 1e-12;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void RocAuc_IsInvariantUnderStrictlyIncreasingTransforms() =>
        Prop.ForAll(s_rows, data =>
        {
            var (scores, labels) = data;
            var transformed = scores.Select(s => Math.Exp(3 * s) - 7).ToArray();
            return Metrics.RocAuc(scores, labels) == Metrics.RocAuc(transformed, labels)
                && Math.Abs(Metrics.RocAuc(scores.Select(s => -s).ToArray(), labels) - (1 - Metrics.RocAuc(scores, labels))) < 1e-12;
        }).QuickCheckThrowOnFailure();
}
