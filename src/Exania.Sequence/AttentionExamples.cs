using Exania.Core;

namespace Exania.Sequence;

/// <summary>
/// The attention of the trained model over one held-out window: the events it read (oldest first) with their weights,
/// the true next event and the model's top prediction. Recorded at training time so a report can redraw it.
/// </summary>
public sealed record AttentionExample
{
    /// <summary>The session's name (its session_id).</summary>
    public required string Session { get; init; }

    /// <summary>Index of the sample in the test split (the session's last prediction: its longest window).</summary>
    public required int TestSample { get; init; }

    /// <summary>The target field's value of each event of the window, oldest first (at most the window length).</summary>
    public required IReadOnlyList<string> Events { get; init; }

    /// <summary>The attention weight of each event of <see cref="Events"/> (they sum to 1), rounded to 6 decimals.</summary>
    public required IReadOnlyList<double> Weights { get; init; }

    /// <summary>The true next event.</summary>
    public required string Target { get; init; }

    /// <summary>The model's probability of <see cref="Target"/>.</summary>
    public required double TargetProbability { get; init; }

    /// <summary>The model's 1-based rank of <see cref="Target"/> over the full class list (ties to the lower index).</summary>
    public required int TargetRank { get; init; }

    /// <summary>The model's most probable next event.</summary>
    public required string Predicted { get; init; }

    /// <summary>The model's probability of <see cref="Predicted"/>.</summary>
    public required double PredictedProbability { get; init; }
}

/// <summary>Picks a few held-out sessions (seeded) and records the model's attention over each one's last window.</summary>
public static class AttentionExamples
{
    /// <summary>At most this many examples are recorded.</summary>
    public const int MaxExamples = 8;

    /// <summary>The examples shown by default.</summary>
    public const int DefaultCount = 6;

    /// <summary>
    /// The model's attention over the last window of <paramref name="count"/> test sessions drawn with
    /// <paramref name="seed"/> (sessions with at least two events in the window first), in the order drawn.
    /// </summary>
    public static IReadOnlyList<AttentionExample> Pick(SequenceModel model, SequenceDataset data, int count = DefaultCount, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        count = Math.Min(count, MaxExamples);
        var test = data.Test;
        // The last sample of each session: samples of one session are contiguous and in event order.
        var last = new Dictionary<int, int>();
        for (var i = 0; i < test.Count; i++)
            last[test.Sessions[i]] = i;
        var samples = last.Values.Order().ToArray();
        // Fisher–Yates with the run's seed: the same sessions for the same data and seed.
        var random = new SplitMix64(0xA77E_0000UL ^ (ulong)(uint)seed);
        for (var i = samples.Length - 1; i > 0; i--)
        {
            var j = (int)(random.Next() % (ulong)(i + 1));
            (samples[i], samples[j]) = (samples[j], samples[i]);
        }
        var ordered = samples.Where(s => RealSteps(test, s) >= 2).Concat(samples.Where(s => RealSteps(test, s) < 2)).Take(count);
        return [.. ordered.Select(s => Explain(model, data, s))];
    }

    /// <summary>The model's attention and prediction for test sample <paramref name="sample"/>.</summary>
    public static AttentionExample Explain(SequenceModel model, SequenceDataset data, int sample)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var test = data.Test;
        var (user, start) = test.ContextOf(sample);
        var prediction = model.Predict(test.TokensOf(sample), test.GapsOf(sample), test.ExtraTokensOf(sample), test.NumericOf(sample), user, start);
        var tokens = test.TokensOf(sample);
        var first = tokens.Length - prediction.Attention.Length;
        var events = new string[prediction.Attention.Length];
        var weights = new double[prediction.Attention.Length];
        for (var t = 0; t < events.Length; t++)
        {
            events[t] = data.Vocabulary[tokens[first + t]];
            weights[t] = Math.Round(prediction.Attention[t], 6);
        }
        var p = prediction.Probabilities;
        var target = test.Targets[sample];
        var top = 0;
        var higher = 0;
        for (var c = 0; c < p.Length; c++)
        {
            if (p[c] > p[top]) top = c;
            if (p[c] > p[target] || (p[c] == p[target] && c < target)) higher++;
        }
        return new AttentionExample
        {
            Session = data.SessionNames[test.Sessions[sample]],
            TestSample = sample,
            Events = events,
            Weights = weights,
            Target = data.Vocabulary.ClassName(target),
            TargetProbability = Math.Round(p[target], 6),
            TargetRank = higher + 1,
            Predicted = data.Vocabulary.ClassName(top),
            PredictedProbability = Math.Round(p[top], 6),
        };
    }

    private static int RealSteps(SequenceSamples samples, int sample)
    {
        var tokens = samples.TokensOf(sample);
        var steps = 0;
        foreach (var token in tokens)
            if (token != SequenceVocabulary.Padding) steps++;
        return steps;
    }
}
