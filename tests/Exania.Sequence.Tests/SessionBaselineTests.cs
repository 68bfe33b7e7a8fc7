namespace Exania.Sequence.Tests;

/// <summary>
/// The ranking baselines against hand-computed ranks on a toy log, and their sparse ranks against a dense brute force
/// (every class scored, sorted by score, popularity, index) on random sessions.
/// </summary>
public class SessionBaselineTests
{
    // Tokens: 0 pad, 1 oov, 2..7 are classes 1..6.
    private static readonly int[][] Toy =
    [
        [2, 3, 4],    // classes 1 2 3
        [2, 3, 5],    // 1 2 4
        [3, 4, 4],    // 2 3 3
        [6, 7],       // 5 6
    ];

    private static readonly double[] ToyEnds = [1, 2, 3, 4];

    private static int[] Window(params int[] tokens)
    {
        var w = new int[5];
        tokens.CopyTo(w.AsSpan(w.Length - tokens.Length));
        return w;
    }

    [Fact]
    public void Ranks_MatchHandComputedValues_OnAToyLog()
    {
        var b = SessionBaselines.Fit(Toy, ToyEnds, 8);
        var ws = b.CreateWorkspace();
        // Popularity (non-first events): class 2 ×2, class 3 ×3, class 4 ×1, class 6 ×1 → order 3, 2, 4, 6, 0, 1, 5.
        Assert.Equal(1, b.Rank(RankingBaseline.Pop, Window(2), 3, ws));
        Assert.Equal(2, b.Rank(RankingBaseline.Pop, Window(2), 2, ws));
        Assert.Equal(4, b.Rank(RankingBaseline.Pop, Window(2), 6, ws));
        Assert.Equal(7, b.Rank(RankingBaseline.Pop, Window(2), 5, ws));
        // S-POP on window [class 6, class 5, class 6]: 6 (×2) first, then 5, then the POP order of the rest.
        Assert.Equal(1, b.Rank(RankingBaseline.SessionPop, Window(7, 6, 7), 6, ws));
        Assert.Equal(2, b.Rank(RankingBaseline.SessionPop, Window(7, 6, 7), 5, ws));
        Assert.Equal(3, b.Rank(RankingBaseline.SessionPop, Window(7, 6, 7), 3, ws));
        // An <oov> token in the window scores nothing.
        Assert.Equal(1, b.Rank(RankingBaseline.SessionPop, Window(1, 1), 3, ws));
        // Markov after token 3 (class 2): successors class 3 (×2: sessions 0 and 2) and class 4 (×1).
        Assert.Equal(1, b.Rank(RankingBaseline.Markov, Window(3), 3, ws));
        Assert.Equal(2, b.Rank(RankingBaseline.Markov, Window(3), 4, ws));
        Assert.Equal(3, b.Rank(RankingBaseline.Markov, Window(3), 2, ws)); // then POP order: 2 is the first unscored
        // SKNN for window {class 1}: sessions 0 {1,2,3} and 1 {1,2,4} share it, both with cosine 1/√3.
        // Scores: 1 and 2 → 2/√3; 3 and 4 → 1/√3. Ties by popularity: 2 (×2) before 1 (×0); 3 (×3) before 4 (×1).
        Assert.Equal(1, b.Rank(RankingBaseline.Sknn, Window(2), 2, ws));
        Assert.Equal(2, b.Rank(RankingBaseline.Sknn, Window(2), 1, ws));
        Assert.Equal(3, b.Rank(RankingBaseline.Sknn, Window(2), 3, ws));
        Assert.Equal(4, b.Rank(RankingBaseline.Sknn, Window(2), 4, ws));
        Assert.Equal(5, b.Rank(RankingBaseline.Sknn, Window(2), 6, ws));
        // V-SKNN for window [class 3, class 4]: class 4 (now, weight 1) is only in session 1 ({1,2,4}, |n| = 3);
        // class 3 (one back, weight 1/2) in sessions 0 and 2 ({1,2,3}, {2,3}). Overlaps 1, 1/2, 1/2 over √(2·|n|).
        // Session 1: 1/√6 ≈ .408, session 0: .5/√6 ≈ .204, session 2: .5/√4 = .25.
        // Scores: 1 → .612, 2 → .862, 4 → .408, 3 → .454.
        Assert.Equal(1, b.Rank(RankingBaseline.VSknn, Window(4, 5), 2, ws));
        Assert.Equal(2, b.Rank(RankingBaseline.VSknn, Window(4, 5), 1, ws));
        Assert.Equal(3, b.Rank(RankingBaseline.VSknn, Window(4, 5), 3, ws));
        Assert.Equal(4, b.Rank(RankingBaseline.VSknn, Window(4, 5), 4, ws));
    }

    [Fact]
    public void SparseRanks_EqualADenseBruteForce_OnRandomSessions()
    {
        var random = new Random(7);
        const int Tokens = 40;
        var sessions = new int[60][];
        var ends = new double[sessions.Length];
        for (var s = 0; s < sessions.Length; s++)
        {
            sessions[s] = new int[random.Next(1, 7)];
            for (var i = 0; i < sessions[s].Length; i++) sessions[s][i] = random.Next(1, Tokens);
            ends[s] = random.Next(0, 20); // ties in recency on purpose
        }
        var b = SessionBaselines.Fit(sessions, ends, Tokens, new NeighbourOptions { Neighbours = 5, SampleSize = 1000 });
        var ws = b.CreateWorkspace();
        var pop = b.Popularity.ToArray();
        for (var trial = 0; trial < 200; trial++)
        {
            var window = new int[6];
            var length = random.Next(1, 7);
            for (var i = window.Length - length; i < window.Length; i++) window[i] = random.Next(1, Tokens);
            var target = random.Next(0, Tokens - 1);
            foreach (var method in new[] { RankingBaseline.Pop, RankingBaseline.SessionPop, RankingBaseline.Markov })
            {
                var scores = new double[Tokens - 1];
                for (var i = window.Length - length; i < window.Length; i++)
                {
                    if (method == RankingBaseline.SessionPop && window[i] > 1) scores[window[i] - 1]++;
                }
                if (method == RankingBaseline.Markov)
                    foreach (var s in sessions)
                        for (var i = 1; i < s.Length; i++)
                            if (s[i - 1] == window[^1] && s[i] > 1) scores[s[i] - 1]++;
                var above = 0;
                for (var c = 0; c < scores.Length; c++)
                    if (c != target && (scores[c] > scores[target] || (scores[c] == scores[target] && (pop[c] > pop[target] || (pop[c] == pop[target] && c < target)))))
                        above++;
                Assert.Equal(above + 1, b.Rank(method, window, target, ws));
            }
        }
    }

    [Fact]
    public void Report_CountsUnseenTargetsAsMisses_InTheAllFigures()
    {
        var r = RankingReport.FromRanks("m", [1, 2, 30], unseenTargets: 1);
        Assert.Equal(2 / 3.0, r.At(5).Recall, 12);
        Assert.Equal((1 + 0.5) / 3, r.At(5).Mrr, 12);
        Assert.Equal(1 / 3.0, r.At(1).Recall, 12);
        Assert.Equal(0.5, r.All[^1].Recall, 12); // 2 hits of 4
        Assert.Equal((1 / Math.Log2(2) + 1 / Math.Log2(3)) / 3, r.At(10).Ndcg, 12);
    }

    [Fact]
    public void Features_LeaveTheOwnSessionOut_OfNeighboursAndTransitions()
    {
        var b = SessionBaselines.Fit(Toy, ToyEnds, 8);
        var ws = b.CreateWorkspace();
        float Feature(int[] window, int exclude, int cls, int f)
        {
            var (classes, values) = b.Features(window, exclude, ws);
            var i = classes.Span.IndexOf(cls);
            return i < 0 ? 0 : values.Span[i * SessionBaselines.FeatureCount + f];
        }
        // Window {class 1}: sessions 0 and 1 are its neighbours (cosine 1/√3 each); class 3 is only in session 0.
        Assert.Equal(Math.Log(1 + 100 / Math.Sqrt(3)), Feature(Window(2), -1, 3, 0), 5);
        Assert.Equal(0f, Feature(Window(2), 0, 3, 0));
        Assert.Equal(Math.Log(1 + 100 * 2 / Math.Sqrt(3)), Feature(Window(2), -1, 1, 0), 5);
        Assert.Equal(Math.Log(1 + 100 / Math.Sqrt(3)), Feature(Window(2), 0, 1, 0), 5);
        // Markov after token 3: class 3 follows it twice (sessions 0 and 2); without session 2, once.
        Assert.Equal(Math.Log(3), Feature(Window(3), -1, 3, 2), 5);
        Assert.Equal(Math.Log(2), Feature(Window(3), 2, 3, 2), 5);
        // The raw SKNN score and the indicator ride along.
        Assert.Equal(2 / Math.Sqrt(3), Feature(Window(2), -1, 1, 3), 5);
        Assert.Equal(1f, Feature(Window(2), -1, 1, 4));
    }

    [Fact]
    public void UserHistory_ReadsOnlyTheUsersEarlierSessions_AndNotPlaceholders()
    {
        // Sessions 0 and 1 are user u's (ending at 1 and 2), session 2 is v's, session 3 is anonymous (NA).
        var b = SessionBaselines.Fit(Toy, ToyEnds, 8, sessionUsers: ["u", "u", "v", "NA"]);
        var ws = b.CreateWorkspace();
        float History(string? user, double start, int cls, int exclude = -1)
        {
            var (classes, values) = b.Features(Window(6), exclude, ws, user, start);
            var i = classes.Span.IndexOf(cls);
            return i < 0 ? 0 : values.Span[i * SessionBaselines.FeatureCount + 5];
        }
        // Starting at 1.5, only session 0 ({1, 2, 3}) has ended: class 3 once, class 4 (session 1 only) not yet.
        Assert.Equal(Math.Log(2), History("u", 1.5, 3), 5);
        Assert.Equal(0f, History("u", 1.5, 4));
        // Starting later, both sessions count: class 1 (token 2) is in each.
        Assert.Equal(Math.Log(3), History("u", 5, 1), 5);
        Assert.Equal(Math.Log(2), History("u", 5, 1, exclude: 1), 5); // a training sample's own session is left out
        Assert.Equal(0f, History("w", 5, 1)); // a user never seen
        Assert.Equal(0f, History("NA", 5, 5)); // a placeholder id has no history, though session 3 is "NA"'s
        Assert.Equal(0f, History(null, 5, 1));
        Assert.True(SessionBaselines.IsPlaceholderUser(" n/a "));
        Assert.False(SessionBaselines.IsPlaceholderUser("u-17"));
    }
}
