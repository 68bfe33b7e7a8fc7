namespace Exania.Sequence;

/// <summary>The baselines of the session-based ranking protocol, by name.</summary>
public enum RankingBaseline
{
    /// <summary>Most popular target in training, the same list for every sample.</summary>
    Pop,

    /// <summary>Items of the session so far by how often they occur in it, then the rest by popularity.</summary>
    SessionPop,

    /// <summary>First-order item-to-item chain: successors of the current item by training transition count.</summary>
    Markov,

    /// <summary>Session-based k-nearest neighbours (Jannach and Ludewig 2017): items of the most similar training sessions.</summary>
    Sknn,

    /// <summary>SKNN with the session's items weighted by recency (Ludewig and Jannach 2018).</summary>
    VSknn,
}

/// <summary>Options of the neighbourhood baselines (the defaults of session-rec's SKNN).</summary>
public sealed record NeighbourOptions
{
    /// <summary>Neighbours whose items are scored.</summary>
    public int Neighbours { get; init; } = 100;

    /// <summary>Candidate sessions (sharing an item with the current one) considered, the most recent first.</summary>
    public int SampleSize { get; init; } = 500;

    public static NeighbourOptions Defaults { get; } = new();
}

/// <summary>
/// The standard next-item baselines, fitted on the training sessions and ranked over the full class list exactly as
/// the model is: POP, S-POP, a first-order Markov chain, SKNN and V-SKNN. Each one scores a sparse set of classes
/// (S-POP the session's items, Markov the current item's successors, SKNN the neighbours' items); every other class
/// scores zero. Ties, including the zeros, are broken by training popularity and then by the lower class index, so
/// every baseline ends in the POP list rather than in an arbitrary order. The <c>&lt;oov&gt;</c> class is never
/// scored: an unseen item in the session says nothing about which known item comes next.
/// </summary>
/// <remarks>
/// Ranks are computed from the sparse scores alone: a class outside the sparse set is above the target only when the
/// target is outside it too and the class comes earlier in the popularity order, which is a precomputed position.
/// That keeps a rank O(sparse set) instead of O(classes), so vocabularies of hundreds of thousands cost nothing.
/// </remarks>
public sealed class SessionBaselines
{
    private readonly int _classes;
    private readonly long[] _popularity;
    private readonly int[] _popularityPosition; // classes before this one in the order (popularity desc, index asc)
    private readonly int[] _markovStart;
    private readonly int[] _markovSuccessor;
    private readonly int[] _markovCount;
    private readonly int[][] _sessionClasses; // distinct classes of each training session (sorted)
    private readonly int[] _postingStart; // class → training sessions holding it, most recent first
    private readonly int[] _postings;
    private readonly int[] _recency; // position of each session from the most recent (0) on
    private readonly int[][] _sessionTokens;
    private string[] _sessionUsers = [];
    private Dictionary<string, int[]> _userSessions = [];

    /// <summary>
    /// User ids that stand for "no user" in exports (DIGINETICA writes <c>NA</c> for every anonymous session): no history
    /// is kept for them, or thousands of strangers' sessions would pass for one person's past.
    /// </summary>
    public static bool IsPlaceholderUser(string? user) => string.IsNullOrWhiteSpace(user) || user.Trim().ToUpperInvariant() is
        "NA" or "N/A" or "NAN" or "NULL" or "NONE" or "-" or "0" or "-1" or "UNKNOWN" or "ANONYMOUS" or "GUEST";

    /// <summary>Each training session's user (empty: fitted without users).</summary>
    public IReadOnlyList<string> SessionUsers => _sessionUsers;
    private readonly double[] _sessionEnds;
    private readonly NeighbourOptions _neighbours;

    private SessionBaselines(int classes, long[] popularity, int[] markovStart, int[] markovSuccessor, int[] markovCount, int[][] sessionClasses,
        int[] postingStart, int[] postings, int[] recency, NeighbourOptions neighbours, int[][] sessionTokens, double[] sessionEnds)
    {
        _sessionTokens = sessionTokens;
        _sessionEnds = sessionEnds;
        _recency = recency;
        _classes = classes;
        _popularity = popularity;
        _markovStart = markovStart;
        _markovSuccessor = markovSuccessor;
        _markovCount = markovCount;
        _sessionClasses = sessionClasses;
        _postingStart = postingStart;
        _postings = postings;
        _neighbours = neighbours;
        var order = new int[classes];
        for (var k = 0; k < classes; k++) order[k] = k;
        Array.Sort(order, (a, b) => popularity[a] != popularity[b] ? popularity[b].CompareTo(popularity[a]) : a.CompareTo(b));
        _popularityPosition = new int[classes];
        for (var p = 0; p < classes; p++) _popularityPosition[order[p]] = p;
    }

    /// <summary>Every baseline, in report order.</summary>
    public static IReadOnlyList<RankingBaseline> All { get; } = [RankingBaseline.Pop, RankingBaseline.SessionPop, RankingBaseline.Markov, RankingBaseline.Sknn, RankingBaseline.VSknn];

    /// <summary>The name a baseline is reported under.</summary>
    public static string NameOf(RankingBaseline baseline) => baseline switch
    {
        RankingBaseline.Pop => "POP",
        RankingBaseline.SessionPop => "S-POP",
        RankingBaseline.Markov => "Markov",
        RankingBaseline.Sknn => "SKNN",
        RankingBaseline.VSknn => "V-SKNN",
        _ => throw new ArgumentOutOfRangeException(nameof(baseline), baseline, null),
    };

    /// <summary>Fits every baseline on the dataset's training sessions.</summary>
    public static SessionBaselines Fit(SequenceDataset data, NeighbourOptions? neighbours = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Fit(data.TrainSessionTokens, data.TrainSessionEnds, data.Vocabulary.Count, neighbours, data.TrainSessionUsers);
    }

    /// <summary>
    /// Fits on training sessions given as token sequences (vocabulary tokens, class = token − 1) with each session's
    /// last timestamp (the recency of a neighbour). Popularity counts every non-first event (the targets of training
    /// samples), transitions every consecutive pair.
    /// </summary>
    public static SessionBaselines Fit(IReadOnlyList<int[]> sessions, IReadOnlyList<double> sessionEnds, int tokens, NeighbourOptions? neighbours = null,
        IReadOnlyList<string>? sessionUsers = null)
    {
        sessionUsers ??= [];
        if (sessionUsers.Count != 0 && sessionUsers.Count != sessions.Count)
            throw new ArgumentException("One user per session is needed, or none.", nameof(sessionUsers));
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(sessionEnds);
        if (sessionEnds.Count != sessions.Count)
            throw new ArgumentException("One end time per session is needed.", nameof(sessionEnds));
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 3);
        neighbours ??= NeighbourOptions.Defaults;
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours.Neighbours, 1, nameof(NeighbourOptions.Neighbours));
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours.SampleSize, 1, nameof(NeighbourOptions.SampleSize));
        var classes = tokens - 1;
        var popularity = new long[classes];
        var pairs = new List<long>();
        var sessionClasses = new int[sessions.Count][];
        var distinct = new HashSet<int>();
        foreach (var (session, s) in sessions.Select((x, i) => (x, i)))
        {
            distinct.Clear();
            for (var i = 0; i < session.Length; i++)
            {
                var c = ClassOf(session[i], classes);
                if (c >= 0) distinct.Add(c);
                if (i == 0) continue;
                if (c >= 0)
                {
                    popularity[c]++;
                    var from = session[i - 1];
                    if (from > SequenceVocabulary.Padding && from < tokens)
                        pairs.Add((long)from * classes + c);
                }
            }
            var set = distinct.ToArray();
            Array.Sort(set);
            sessionClasses[s] = set;
        }
        // Markov rows in CSR form, successors ascending.
        var sorted = pairs.ToArray();
        Array.Sort(sorted);
        var markovStart = new int[tokens + 1];
        var successor = new List<int>();
        var count = new List<int>();
        for (var i = 0; i < sorted.Length;)
        {
            var j = i;
            while (j < sorted.Length && sorted[j] == sorted[i]) j++;
            markovStart[(int)(sorted[i] / classes) + 1]++;
            successor.Add((int)(sorted[i] % classes));
            count.Add(j - i);
            i = j;
        }
        for (var t = 0; t < tokens; t++) markovStart[t + 1] += markovStart[t];
        // Postings: for each class the sessions holding it, most recent first (ties: later session first).
        var recency = Enumerable.Range(0, sessions.Count).OrderByDescending(s => sessionEnds[s]).ThenByDescending(s => s).ToArray();
        var postingStart = new int[classes + 1];
        foreach (var set in sessionClasses)
            foreach (var c in set) postingStart[c + 1]++;
        for (var c = 0; c < classes; c++) postingStart[c + 1] += postingStart[c];
        var fill = postingStart[..classes];
        var postings = new int[postingStart[classes]];
        foreach (var s in recency)
            foreach (var c in sessionClasses[s]) postings[fill[c]++] = s;
        var position = new int[sessions.Count];
        for (var p = 0; p < recency.Length; p++) position[recency[p]] = p;
        // Each user's training sessions, earliest end first (the user-history feature reads those ended before a session starts).
        var byUser = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var group in Enumerable.Range(0, sessionUsers.Count).Where(s => !IsPlaceholderUser(sessionUsers[s])).GroupBy(s => sessionUsers[s], StringComparer.Ordinal))
            byUser[group.Key] = [.. group.OrderBy(s => sessionEnds[s]).ThenBy(s => s)];
        return new SessionBaselines(classes, popularity, markovStart, [.. successor], [.. count], sessionClasses, postingStart, postings, position, neighbours,
            [.. sessions], [.. sessionEnds])
        {
            _sessionUsers = [.. sessionUsers],
            _userSessions = byUser,
        };
    }

    /// <summary>The training sessions fitted on (tokens), as given to <see cref="Fit(IReadOnlyList{int[]}, IReadOnlyList{double}, int, NeighbourOptions?, IReadOnlyList{string}?)"/>.</summary>
    public IReadOnlyList<int[]> SessionTokens => _sessionTokens;

    /// <summary>Each training session's last timestamp.</summary>
    public IReadOnlyList<double> SessionEnds => _sessionEnds;

    /// <summary>The neighbourhood options fitted with.</summary>
    public NeighbourOptions NeighbourOptions => _neighbours;

    /// <summary>Classes of the vocabulary (tokens − 1).</summary>
    public int Classes => _classes;

    /// <summary>How often each class was a training target.</summary>
    public ReadOnlySpan<long> Popularity => _popularity;

    /// <summary>The class of a token, or −1 for padding, <c>&lt;oov&gt;</c> and tokens outside the vocabulary.</summary>
    private static int ClassOf(int token, int classes) => token > SequenceVocabulary.OutOfVocabulary && token <= classes ? token - 1 : -1;

    /// <summary>A reusable buffer for <see cref="Rank"/>: one per worker, never shared.</summary>
    public sealed class Workspace
    {
        internal readonly double[] Score;
        internal readonly double[] Markov;
        internal readonly double[] WalkScore;
        internal readonly double[] History;
        internal readonly int[] Touched;
        internal readonly double[] Overlap;
        internal readonly int[] Candidates;
        internal int TouchedCount;
        internal int[] FeatureClasses = [];
        internal float[] FeatureValues = [];

        internal Workspace(int classes, int sessions)
        {
            Score = new double[classes];
            Markov = new double[classes];
            WalkScore = new double[classes];
            History = new double[classes];
            Touched = new int[classes];
            Overlap = new double[sessions];
            Candidates = new int[sessions];
        }
    }

    /// <summary>Features per class that <see cref="Features"/> gives the network: the SKNN score, one walk step from it, and the Markov count, each as a log.</summary>
    public const int FeatureCount = 6;

    /// <summary>
    /// Neighbour scores enter as log(1 + 100 · score): a softmax multiplies the weights of experts, so the log turns a
    /// learned weight near 1 into "probability in proportion to the SKNN score", and the factor 100 puts an unscored
    /// class (0) about two units of logit below a weakly scored one (a cosine sum of 0.01 or more).
    /// </summary>
    private const double NeighbourScale = 100;

    /// <summary>
    /// The session priors of a window, the sparse inputs of the network's prior term: for every class that SKNN scores
    /// or that follows the current item in a training transition, log(1 + 100 · SKNN score), the same for one walk step from the SKNN scores (<see cref="Walk"/>), and
    /// log(1 + transition count). Every other class has all three zero. <paramref name="excludeSession"/> (a training session's index, or −1) is left out of
    /// both statistics: a training sample's own session would otherwise be its nearest neighbour and hold its
    /// transition, features that no test sample has (leave-one-session-out).
    /// </summary>
    /// <returns>The classes and their <see cref="FeatureCount"/> values each (class-major), valid until the next call on the workspace.</returns>
    /// <param name="window">Left-padded tokens, the last the current item.</param>
    /// <param name="excludeSession">A training session to leave out (the sample's own), or −1.</param>
    /// <param name="workspace">A worker's buffers.</param>
    /// <param name="user">The session's user, for the user-history feature: the classes of that user's training sessions that ended before <paramref name="sessionStart"/>. Null: none.</param>
    /// <param name="sessionStart">The session's first timestamp (epoch seconds).</param>
    public (ReadOnlyMemory<int> Classes, ReadOnlyMemory<float> Values) Features(ReadOnlySpan<int> window, int excludeSession, Workspace workspace,
        string? user = null, double sessionStart = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var w = workspace;
        w.TouchedCount = 0;
        ScoreNeighbours(window, false, w, excludeSession, w.Score);
        Walk(w, excludeSession);
        var current = window[^1];
        if (current >= 0 && current < _markovStart.Length - 1)
        {
            for (var j = _markovStart[current]; j < _markovStart[current + 1]; j++)
            {
                var c = _markovSuccessor[j];
                Add(w, c, _markovCount[j], w.Markov);
            }
            if ((uint)excludeSession < (uint)_sessionTokens.Length)
            {
                var own = _sessionTokens[excludeSession];
                for (var t = 1; t < own.Length; t++)
                    if (own[t - 1] == current && ClassOf(own[t], _classes) is >= 0 and var c)
                        w.Markov[c] -= 1;
            }
        }
        if (user is not null && _userSessions.TryGetValue(user, out var history))
        {
            // Earlier sessions only: what the user did before this session began, never after.
            foreach (var past in history)
            {
                if (!(_sessionEnds[past] <= sessionStart)) break;
                if (past == excludeSession) continue;
                foreach (var token in _sessionTokens[past])
                    if (ClassOf(token, _classes) is >= 0 and var c) Add(w, c, 1, w.History);
            }
        }
        var n = w.TouchedCount;
        if (w.FeatureClasses.Length < n)
        {
            w.FeatureClasses = new int[Math.Max(n, 2 * w.FeatureClasses.Length)];
            w.FeatureValues = new float[FeatureCount * w.FeatureClasses.Length];
        }
        var written = 0;
        for (var k = 0; k < n; k++)
        {
            var c = w.Touched[k];
            // A class whose statistics all came back to zero (a leave-one-out Markov count) carries no feature, and a
            // class listed again after that was already written and cleared.
            if (w.Score[c] == 0 && w.WalkScore[c] == 0 && w.Markov[c] <= 0 && w.History[c] == 0)
            {
                w.Markov[c] = 0;
                continue;
            }
            var i = written++;
            w.FeatureClasses[i] = c;
            w.FeatureValues[FeatureCount * i] = (float)Math.Log(1 + NeighbourScale * w.Score[c]);
            w.FeatureValues[FeatureCount * i + 1] = (float)Math.Log(1 + NeighbourScale * w.WalkScore[c]);
            w.FeatureValues[FeatureCount * i + 2] = (float)Math.Log(1 + Math.Max(0, w.Markov[c]));
            w.FeatureValues[FeatureCount * i + 3] = (float)w.Score[c];
            w.FeatureValues[FeatureCount * i + 4] = w.Score[c] > 0 ? 1f : 0f;
            w.FeatureValues[FeatureCount * i + 5] = (float)Math.Log(1 + w.History[c]);
            w.History[c] = 0;
            w.Score[c] = 0;
            w.WalkScore[c] = 0;
            w.Markov[c] = 0;
        }
        return (w.FeatureClasses.AsMemory(0, written), w.FeatureValues.AsMemory(0, FeatureCount * written));
    }

    public Workspace CreateWorkspace() => new(_classes, _sessionClasses.Length);

    /// <summary>
    /// One step of a walk on the session–class graph from the SKNN scores in <see cref="Workspace.Score"/>: every
    /// scored class c passes its score, split evenly over the (at most <see cref="NeighbourOptions.SampleSize"/> most
    /// recent) training sessions holding it, to every class of those sessions, into <see cref="Workspace.WalkScore"/>.
    /// It reaches items two co-occurrences away, where SKNN has nothing left but popularity to rank by.
    /// </summary>
    private void Walk(Workspace w, int excludeSession)
    {
        var scored = w.TouchedCount;
        for (var i = 0; i < scored; i++)
        {
            var c = w.Touched[i];
            var score = w.Score[c];
            int from = _postingStart[c], to = Math.Min(_postingStart[c + 1], from + _neighbours.SampleSize);
            var holders = 0;
            for (var j = from; j < to; j++)
                if (_postings[j] != excludeSession) holders++;
            if (holders == 0) continue;
            var share = score / holders;
            for (var j = from; j < to; j++)
            {
                var session = _postings[j];
                if (session == excludeSession) continue;
                foreach (var next in _sessionClasses[session]) Add(w, next, share, w.WalkScore);
            }
        }
    }

    /// <summary>
    /// The 1-based rank of <paramref name="target"/> under <paramref name="baseline"/> for a sample whose window is
    /// <paramref name="window"/> (left-padded tokens, oldest first; the last token is the current item).
    /// </summary>
    public int Rank(RankingBaseline baseline, ReadOnlySpan<int> window, int target, Workspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if ((uint)target >= (uint)_classes)
            throw new ArgumentOutOfRangeException(nameof(target), target, $"Targets are classes 0..{_classes - 1}.");
        workspace.TouchedCount = 0;
        switch (baseline)
        {
            case RankingBaseline.Pop:
                break;
            case RankingBaseline.SessionPop:
                foreach (var token in window)
                    if (ClassOf(token, _classes) is >= 0 and var c) Add(workspace, c, 1, workspace.Score);
                break;
            case RankingBaseline.Markov:
                var current = window[^1];
                if (current >= 0 && current < _markovStart.Length - 1)
                    for (var j = _markovStart[current]; j < _markovStart[current + 1]; j++)
                        Add(workspace, _markovSuccessor[j], _markovCount[j], workspace.Score);
                break;
            case RankingBaseline.Sknn:
            case RankingBaseline.VSknn:
                ScoreNeighbours(window, baseline == RankingBaseline.VSknn, workspace, -1, workspace.Score);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(baseline), baseline, null);
        }
        var rank = SparseRank(workspace, target);
        for (var i = 0; i < workspace.TouchedCount; i++) workspace.Score[workspace.Touched[i]] = 0;
        return rank;
    }

    /// <summary>Adds to one of the workspace's score arrays, listing the class once however many arrays it is in.</summary>
    private static void Add(Workspace w, int c, double value, double[] into)
    {
        if (w.Score[c] == 0 && w.WalkScore[c] == 0 && w.Markov[c] == 0 && w.History[c] == 0) w.Touched[w.TouchedCount++] = c;
        into[c] += value;
    }

    /// <summary>
    /// Rank of the target when the touched classes hold positive scores and every other class scores zero; ties by
    /// popularity position (then index, which the position already orders).
    /// </summary>
    private int SparseRank(Workspace w, int target)
    {
        var score = w.Score;
        var targetScore = score[target];
        var targetPosition = _popularityPosition[target];
        var above = 0;
        if (targetScore > 0)
        {
            for (var i = 0; i < w.TouchedCount; i++)
            {
                var c = w.Touched[i];
                if (score[c] > targetScore || (score[c] == targetScore && _popularityPosition[c] < targetPosition)) above++;
            }
            return above + 1;
        }
        // Every scored class is above; of the zeros, those earlier in the popularity order.
        var scoredBefore = 0;
        for (var i = 0; i < w.TouchedCount; i++)
            if (_popularityPosition[w.Touched[i]] < targetPosition) scoredBefore++;
        return 1 + w.TouchedCount + targetPosition - scoredBefore;
    }

    /// <summary>
    /// SKNN: candidates are the training sessions sharing a class with the window, the <see cref="NeighbourOptions.SampleSize"/>
    /// most recent of them; similarity is the cosine of the binary class sets, |s ∩ n| / √(|s|·|n|); the
    /// <see cref="NeighbourOptions.Neighbours"/> most similar (ties: the more recent) each add their similarity to
    /// every class they hold. V-SKNN weights each window class by recency, 1 / (1 + d) for the class last seen d events
    /// before the current one, in the overlap (the cosine's denominator unchanged).
    /// </summary>
    private void ScoreNeighbours(ReadOnlySpan<int> window, bool recencyWeighted, Workspace w, int excludeSession, double[] into)
    {
        var first = 0;
        while (first < window.Length && window[first] == SequenceVocabulary.Padding) first++;
        // Distinct window classes with their weight (the latest occurrence counts).
        Span<int> seen = window.Length <= 256 ? stackalloc int[window.Length] : new int[window.Length];
        Span<double> weight = window.Length <= 256 ? stackalloc double[window.Length] : new double[window.Length];
        var distinct = 0;
        for (var t = window.Length - 1; t >= first; t--)
        {
            var c = ClassOf(window[t], _classes);
            if (c < 0 || seen[..distinct].Contains(c)) continue;
            seen[distinct] = c;
            weight[distinct] = recencyWeighted ? 1.0 / (window.Length - t) : 1.0;
            distinct++;
        }
        if (distinct == 0) return;
        // Candidate sessions: merge the recency-ordered postings of the window's classes, keeping the most recent
        // SampleSize distinct sessions. Postings are short on session data; a plain scan with an overlap table is enough.
        var candidates = 0;
        for (var k = 0; k < distinct; k++)
        {
            var c = seen[k];
            for (var j = _postingStart[c]; j < _postingStart[c + 1]; j++)
            {
                var s = _postings[j];
                if (s == excludeSession) continue;
                if (w.Overlap[s] == 0) w.Candidates[candidates++] = s;
                w.Overlap[s] += weight[k];
            }
        }
        var pool = w.Candidates.AsSpan(0, candidates);
        // Each posting list is by recency, but their concatenation is not: sort the pool, most recent first.
        var recency = _recency;
        pool.Sort((a, b) => recency[a].CompareTo(recency[b]));
        var sample = pool[..Math.Min(pool.Length, _neighbours.SampleSize)];
        var similarity = new (double Similarity, int Session)[sample.Length];
        for (var i = 0; i < sample.Length; i++)
        {
            var s = sample[i];
            similarity[i] = (w.Overlap[s] / Math.Sqrt((double)distinct * _sessionClasses[s].Length), s);
        }
        foreach (var s in pool) w.Overlap[s] = 0;
        // Highest similarity first; ties to the more recent session (earlier in the sample).
        var order = new int[similarity.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => similarity[a].Similarity != similarity[b].Similarity ? similarity[b].Similarity.CompareTo(similarity[a].Similarity) : a.CompareTo(b));
        for (var i = 0; i < Math.Min(order.Length, _neighbours.Neighbours); i++)
        {
            var (sim, s) = similarity[order[i]];
            foreach (var c in _sessionClasses[s]) Add(w, c, sim, into);
        }
    }
}
