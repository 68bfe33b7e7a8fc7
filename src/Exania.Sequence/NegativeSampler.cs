using Exania.Core;
namespace Exania.Sequence;

/// <summary>
/// Draws the shared negative classes of a sampled-softmax batch from q ∝ 0.9 · f^0.75 + 0.1 · uniform, where f is the
/// class frequency among the training targets. The 0.75 power (word2vec's) gives rare classes more draws than their
/// frequency; the uniform share makes every class a negative now and then, so classes never seen as a target are
/// still pushed down and do not outrank real ones when the full softmax scores them at evaluation.
/// </summary>
internal sealed class NegativeSampler
{
    private const double Power = 0.75;
    private const double UniformShare = 0.1;
    private readonly double[] _cumulative;

    public NegativeSampler(ReadOnlySpan<int> targets, int classes, int draws)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        Draws = draws;
        var counts = new double[classes];
        foreach (var y in targets) counts[y]++;
        var smoothed = 0.0;
        for (var k = 0; k < classes; k++)
        {
            counts[k] = Math.Pow(counts[k], Power);
            smoothed += counts[k];
        }
        _cumulative = new double[classes];
        LogExpected = new float[classes];
        var running = 0.0;
        for (var k = 0; k < classes; k++)
        {
            var q = (smoothed > 0 ? (1 - UniformShare) * counts[k] / smoothed : 0) + (smoothed > 0 ? UniformShare : 1.0) / classes;
            running += q;
            _cumulative[k] = running;
            LogExpected[k] = (float)Math.Log(draws * q);
        }
        _cumulative[^1] = double.PositiveInfinity; // rounding can leave the total a hair under 1
    }

    /// <summary>Negatives per batch.</summary>
    public int Draws { get; }

    /// <summary>log(expected number of draws) of every class: log(Draws · q_k), the sampled-softmax logit correction.</summary>
    public float[] LogExpected { get; }

    /// <summary>Fills <paramref name="negatives"/> with <see cref="Draws"/> classes drawn with replacement.</summary>
    public void Draw(Span<int> negatives, ref SplitMix64 random)
    {
        for (var i = 0; i < negatives.Length; i++)
        {
            negatives[i] = Find(random.NextDouble());
        }
    }

    private int Find(double u)
    {
        int lo = 0, hi = _cumulative.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_cumulative[mid] > u) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
}
