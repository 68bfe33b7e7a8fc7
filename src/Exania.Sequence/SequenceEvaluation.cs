using Exania.Core;

namespace Exania.Sequence;

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
    RankingScores Ranking)
{
    /// <summary>
    /// The session-based ranking protocol: the model first, then each baseline of <see cref="SessionBaselines"/> when
    /// they were given, all on the same samples (every position of every test session) and the same full class list.
    /// </summary>
    public IReadOnlyList<RankingReport> Rankings { get; init; } = [];
}

/// <summary>
/// What session-based recommenders report, ranked over the full vocabulary (never sampled negatives): HR@10 (recall@10),
/// MRR@20 and NDCG@10. The target's rank is 1 + the number of classes scored higher, a tie going to the lower class
/// index (as argmax and a stable sort break it), for the model and the baselines alike: giving ties to the target
/// would rank it first among thousands of equal zeros of a count-based baseline.
/// </summary>
public sealed record RankingScores(double HitRate10, double Mrr20, double Ndcg10)
{
    internal static double Mrr(int rank, int cutoff) => rank <= cutoff ? 1.0 / rank : 0;

    internal static double Ndcg(int rank, int cutoff) => rank <= cutoff ? 1 / Math.Log2(rank + 1) : 0;
}

/// <summary>
/// Baselines fitted on the training split: the most frequent next action, and a first-order Markov chain that predicts
/// the most frequent next action after the current (last input) token, falling back to the most frequent action for
/// a token never seen as current. Ties go to the lower class index (numpy's argmax). Transitions are stored sparsely
/// (one sorted row of seen successors per token), so item vocabularies of tens of thousands fit.
/// </summary>
public sealed class NextActionBaselines
{
    private readonly int[] _markov;
    private readonly int[] _rowStart;
    private readonly int[] _successor;
    private readonly long[] _count;
    private readonly long[] _rowTotal;
    private readonly long[] _unigram;
    private readonly long _unigramTotal;
    private readonly int _classes;

    private NextActionBaselines(int majority, int[] markov, int[] rowStart, int[] successor, long[] count, long[] rowTotal, long[] unigram, int classes)
    {
        _unigram = unigram;
        foreach (var c in unigram) _unigramTotal += c;
        Majority = majority;
        _markov = markov;
        _rowStart = rowStart;
        _successor = successor;
        _count = count;
        _rowTotal = rowTotal;
        _classes = classes;
    }

    public int Majority { get; }

    public int MarkovPrediction(int currentToken) => (uint)currentToken < (uint)_markov.Length ? _markov[currentToken] : Majority;

    /// <summary>
    /// The Markov chain's next-action distribution after <paramref name="currentToken"/>: transition counts with add-one
    /// (Laplace) smoothing, so its log-loss is finite and comparable with the model's. A token never seen as current
    /// gets the smoothed distribution of all training targets (whose argmax is the majority class, the chain's
    /// prediction there).
    /// </summary>
    public void MarkovProbabilities(int currentToken, Span<double> destination)
    {
        if (_rowStart[currentToken] == _rowStart[currentToken + 1])
        {
            for (var k = 0; k < _classes; k++)
                destination[k] = (_unigram[k] + 1.0) / (_unigramTotal + _classes);
            return;
        }
        var denominator = (double)(_rowTotal[currentToken] + _classes);
        destination[.._classes].Fill(1 / denominator);
        for (var j = _rowStart[currentToken]; j < _rowStart[currentToken + 1]; j++)
            destination[_successor[j]] = (_count[j] + 1) / denominator;
    }

    /// <summary>
    /// The smoothed Markov probability of <paramref name="target"/> after <paramref name="currentToken"/> (as
    /// <see cref="MarkovProbabilities"/>), and how many classes rank above it (higher count, or the same count and a
    /// lower index), from the sparse row alone.
    /// </summary>
    public (double Probability, int Higher) MarkovScore(int currentToken, int target)
    {
        int from = _rowStart[currentToken], to = _rowStart[currentToken + 1];
        if (from == to)
        {
            var count = _unigram[target];
            var above = 0;
            for (var k = 0; k < _classes; k++)
                if (_unigram[k] > count || (_unigram[k] == count && k < target)) above++;
            return ((count + 1.0) / (_unigramTotal + _classes), above);
        }
        var targetCount = 0L;
        var seenBelow = 0; // successors (count >= 1) with a lower index than the target
        for (var j = from; j < to; j++)
        {
            if (_successor[j] == target) targetCount = _count[j];
            if (_successor[j] < target) seenBelow++;
        }
        var higher = 0;
        for (var j = from; j < to; j++)
            if (_count[j] > targetCount || (_count[j] == targetCount && _successor[j] < target)) higher++;
        if (targetCount == 0)
            higher += target - seenBelow; // unseen successors tie at zero; those below the target rank above it
        return ((targetCount + 1.0) / (_rowTotal[currentToken] + _classes), higher);
    }

    public static NextActionBaselines Fit(SequenceSamples train, int tokens)
    {
        ArgumentNullException.ThrowIfNull(train);
        var classes = tokens - 1;
        var counts = new long[classes];
        var pairs = new long[train.Count];
        for (var i = 0; i < train.Count; i++)
        {
            counts[train.Targets[i]]++;
            pairs[i] = (long)train.LastToken(i) * classes + train.Targets[i];
        }
        Array.Sort(pairs);
        var majority = 0;
        for (var k = 1; k < classes; k++)
            if (counts[k] > counts[majority]) majority = k;
        var rowStart = new int[tokens + 1];
        var successor = new List<int>();
        var count = new List<long>();
        var rowTotal = new long[tokens];
        var markov = new int[tokens];
        Array.Fill(markov, majority);
        var best = new long[tokens];
        for (var i = 0; i < pairs.Length;)
        {
            var j = i;
            while (j < pairs.Length && pairs[j] == pairs[i]) j++;
            var token = (int)(pairs[i] / classes);
            var next = (int)(pairs[i] % classes);
            rowStart[token + 1]++;
            successor.Add(next);
            count.Add(j - i);
            rowTotal[token] += j - i;
            // Rows are sorted by class, so a strictly larger count is needed to move the argmax: ties keep the lower class.
            if (j - i > best[token])
            {
                best[token] = j - i;
                markov[token] = next;
            }
            i = j;
        }
        for (var t = 0; t < tokens; t++)
            rowStart[t + 1] += rowStart[t];
        return new NextActionBaselines(majority, markov, rowStart, [.. successor], [.. count], rowTotal, counts, classes);
    }
}

/// <summary>Scores a model and the baselines on a split.</summary>
public static class SequenceEvaluator
{
    /// <summary>The model's classification and ranking figures on <paramref name="samples"/>, beside the baselines'.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="samples">The split to score (usually the test split).</param>
    /// <param name="baselines">The majority and Markov baselines of the classification report.</param>
    /// <param name="threads">Worker threads (0 = all cores); the figures do not depend on it.</param>
    /// <param name="sessionBaselines">When given, the ranking baselines are scored on the same samples (<see cref="SequenceEvaluation.Rankings"/>).</param>
    /// <param name="unseenTargets">Samples of this split dropped for a target outside the training vocabulary, counted as misses in <see cref="RankingReport.All"/>.</param>
    public static SequenceEvaluation Evaluate(SequenceModel model, SequenceSamples samples, NextActionBaselines baselines, int threads = 0,
        SessionBaselines? sessionBaselines = null, int unseenTargets = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(baselines);
        var classes = model.Shape.Classes;
        var n = samples.Count;
        if (samples.MaxLength > model.MaxLength)
            throw new ArgumentException($"Samples are {samples.MaxLength} steps long; the model takes at most {model.MaxLength}.");
        var predicted = new int[n];
        var ranks = new int[n];
        var losses = new double[n];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // Each sample's distribution is ranked as soon as it is computed, so memory stays O(classes) per worker whatever
        // the vocabulary; the per-sample results are summed afterwards in sample order (deterministic).
        const int Block = 256;
        Parallel.For(0, (n + Block - 1) / Block, Parallelism.Options(threads),
            () => new SequenceNetwork<float>(model.Shape, model.MaxLength), (block, _, network) =>
            {
                var random = default(SplitMix64);
                SessionBaselines.Workspace? workspace = null;
                for (var i = block * Block; i < Math.Min(n, (block + 1) * Block); i++)
                {
                    var (user, start) = samples.ContextOf(i);
                    model.SetPrior(network, samples.TokensOf(i), ref workspace, user, start);
                    network.Forward(model.Parameters, samples.TokensOf(i), samples.GapsOf(i), 0f, ref random, samples.ExtraTokensOf(i), samples.NumericOf(i));
                    var p = network.Probabilities;
                    var target = samples.Targets[i];
                    var best = 0;
                    var higher = 0;
                    var pTarget = p[target];
                    for (var k = 0; k < classes; k++)
                    {
                        if (p[k] > p[best]) best = k;
                        if (p[k] > pTarget || (p[k] == pTarget && k < target)) higher++;
                    }
                    predicted[i] = best;
                    ranks[i] = higher + 1;
                    losses[i] = -Math.Log(Math.Max(pTarget, float.Epsilon));
                }
                return network;
            }, _ => { });
        var seconds = watch.Elapsed.TotalSeconds;
        var markov = new int[n];
        var majority = new int[n];
        var top3 = 0;
        var loss = 0.0;
        var markovTop3 = 0;
        var markovLoss = 0.0;
        double hits10 = 0, mrr20 = 0, ndcg10 = 0;
        for (var i = 0; i < n; i++)
        {
            var rank = ranks[i];
            if (rank <= 3) top3++;
            if (rank <= 10) hits10++;
            mrr20 += RankingScores.Mrr(rank, 20);
            ndcg10 += RankingScores.Ndcg(rank, 10);
            loss += losses[i];
            markov[i] = baselines.MarkovPrediction(samples.LastToken(i));
            var (markovP, markovHigher) = baselines.MarkovScore(samples.LastToken(i), samples.Targets[i]);
            markovLoss -= Math.Log(markovP);
            if (markovHigher < 3) markovTop3++; // the same tie rule as the model's rank
            majority[i] = baselines.Majority;
        }
        var names = Enumerable.Range(0, classes).Select(model.Vocabulary.ClassName).ToArray();
        List<RankingReport> rankings = [RankingReport.FromRanks("model", ranks, unseenTargets)];
        if (sessionBaselines is not null)
            rankings.AddRange(RankBaselines(sessionBaselines, samples, unseenTargets, threads));
        return new SequenceEvaluation(
            ClassificationReport.From(samples.Targets, predicted, names),
            n == 0 ? 0 : top3 / (double)n,
            ClassificationReport.From(samples.Targets, markov, names),
            ClassificationReport.From(samples.Targets, majority, names),
            n == 0 ? double.NaN : loss / n,
            n / Math.Max(seconds, 1e-9),
            n == 0 ? 0 : markovTop3 / (double)n,
            n == 0 ? double.NaN : markovLoss / n,
            new RankingScores(n == 0 ? 0 : hits10 / n, n == 0 ? 0 : mrr20 / n, n == 0 ? 0 : ndcg10 / n))
        {
            Rankings = rankings,
        };
    }

    /// <summary>Every baseline of <paramref name="baselines"/> ranked on <paramref name="samples"/>, in <see cref="SessionBaselines.All"/> order.</summary>
    public static IReadOnlyList<RankingReport> RankBaselines(SessionBaselines baselines, SequenceSamples samples, int unseenTargets = 0, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(baselines);
        ArgumentNullException.ThrowIfNull(samples);
        var n = samples.Count;
        var methods = SessionBaselines.All;
        var ranks = new int[methods.Count][];
        for (var m = 0; m < methods.Count; m++) ranks[m] = new int[n];
        const int Block = 256;
        Parallel.For(0, (n + Block - 1) / Block, Parallelism.Options(threads), baselines.CreateWorkspace, (block, _, workspace) =>
        {
            for (var i = block * Block; i < Math.Min(n, (block + 1) * Block); i++)
                for (var m = 0; m < methods.Count; m++)
                    ranks[m][i] = baselines.Rank(methods[m], samples.TokensOf(i), samples.Targets[i], workspace);
            return workspace;
        }, _ => { });
        return [.. methods.Select((method, m) => RankingReport.FromRanks(SessionBaselines.NameOf(method), ranks[m], unseenTargets))];
    }
}
