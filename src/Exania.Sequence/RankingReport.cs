namespace Exania.Sequence;

/// <summary>Recall, MRR and NDCG at one cutoff.</summary>
public sealed record RankingAtK(int K, double Recall, double Mrr, double Ndcg);

/// <summary>
/// The session-based ranking figures of one method (the model or a baseline) on one split, at the cutoffs of
/// <see cref="RankingReport.Cutoffs"/>: Recall@k (a hit when the target ranks k or better), MRR@k (1/rank within k)
/// and NDCG@k (1/log2(rank + 1) within k, one relevant item), over the full class list.
/// </summary>
/// <param name="Method">"model" or a baseline's name.</param>
/// <param name="Samples">Ranked samples (targets known in training).</param>
/// <param name="UnseenTargets">Samples left out because their target was not in the training vocabulary.</param>
/// <param name="Seen">The figures over <paramref name="Samples"/>.</param>
/// <param name="All">The same with the unseen targets counted as misses (scaled by Samples / (Samples + UnseenTargets)).</param>
public sealed record RankingReport(string Method, int Samples, int UnseenTargets, IReadOnlyList<RankingAtK> Seen, IReadOnlyList<RankingAtK> All)
{
    /// <summary>The cutoffs reported: 1, 5, 10 and 20.</summary>
    public static IReadOnlyList<int> Cutoffs { get; } = [1, 5, 10, 20];

    /// <summary>The figures at <paramref name="k"/> over the seen targets.</summary>
    public RankingAtK At(int k) => Seen.FirstOrDefault(r => r.K == k) ?? throw new ArgumentOutOfRangeException(nameof(k), k, $"Reported cutoffs are {string.Join(", ", Cutoffs)}.");

    /// <summary>Figures from 1-based ranks, summed in sample order.</summary>
    public static RankingReport FromRanks(string method, ReadOnlySpan<int> ranks, int unseenTargets)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unseenTargets);
        var seen = new List<RankingAtK>(Cutoffs.Count);
        var all = new List<RankingAtK>(Cutoffs.Count);
        var n = ranks.Length;
        var share = n + unseenTargets == 0 ? 0 : n / (double)(n + unseenTargets);
        foreach (var k in Cutoffs)
        {
            double hits = 0, mrr = 0, ndcg = 0;
            foreach (var rank in ranks)
            {
                if (rank < 1)
                    throw new ArgumentOutOfRangeException(nameof(ranks), rank, "Ranks start at 1.");
                hits += rank <= k ? 1 : 0;
                mrr += RankingScores.Mrr(rank, k);
                ndcg += RankingScores.Ndcg(rank, k);
            }
            var r = n == 0 ? new RankingAtK(k, 0, 0, 0) : new RankingAtK(k, hits / n, mrr / n, ndcg / n);
            seen.Add(r);
            all.Add(new RankingAtK(k, r.Recall * share, r.Mrr * share, r.Ndcg * share));
        }
        return new RankingReport(method, n, unseenTargets, seen, all);
    }
}
