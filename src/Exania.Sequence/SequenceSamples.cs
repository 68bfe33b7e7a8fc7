namespace Exania.Sequence;

/// <summary>
/// Samples "previous up to <see cref="MaxLength"/> events → next action", stored row-major and left-padded: row
/// <c>i</c> holds <see cref="MaxLength"/> token ids (0 = padding) and as many <c>log1p(gap)</c> values (0 under padding
/// and at a session's first event), and the target class (token − 1).
/// </summary>
public sealed class SequenceSamples
{
    public SequenceSamples(int maxLength, int[] tokens, float[] gaps, int[] targets, int[] sessions, int extraInputs = 0, int[]? extraTokens = null,
        int numericInputs = 0, float[]? numeric = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numericInputs);
        numeric ??= [];
        if (numeric.Length != tokens?.Length * numericInputs)
            throw new ArgumentException($"Expected {numericInputs} numeric input(s) of {tokens?.Length} values, got {numeric.Length}.");
        NumericInputs = numericInputs;
        Numeric = numeric;
        ArgumentOutOfRangeException.ThrowIfNegative(extraInputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(gaps);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(sessions);
        if (tokens.Length != targets.Length * maxLength || gaps.Length != tokens.Length || sessions.Length != targets.Length)
            throw new ArgumentException("Token, gap, target and session arrays disagree in length.");
        extraTokens ??= [];
        if (extraTokens.Length != tokens.Length * extraInputs)
            throw new ArgumentException($"Expected {extraInputs} extra input(s) of {tokens.Length} tokens, got {extraTokens.Length}.");
        ExtraInputs = extraInputs;
        ExtraTokens = extraTokens;
        MaxLength = maxLength;
        Tokens = tokens;
        Gaps = gaps;
        Targets = targets;
        Sessions = sessions;
    }

    public int MaxLength { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Targets.Length;

    public int[] Tokens { get; }
    public float[] Gaps { get; }

    /// <summary>Target class per sample (vocabulary token − 1).</summary>
    public int[] Targets { get; }

    /// <summary>Index of each sample's session in <see cref="SequenceDataset.SessionNames"/>.</summary>
    public int[] Sessions { get; }

    /// <summary>Number of extra categorical inputs per step.</summary>
    public int ExtraInputs { get; }

    /// <summary>Extra input tokens, sample-major then input-major: sample i, input k at <c>(i·K + k)·L</c>.</summary>
    public int[] ExtraTokens { get; }

    /// <summary>Number of numeric inputs per step.</summary>
    public int NumericInputs { get; }

    /// <summary>Numeric inputs, laid out as <see cref="ExtraTokens"/> (0 under padding).</summary>
    public float[] Numeric { get; }

    /// <summary>The numeric inputs of a sample, input-major (input k at <c>k·L</c>), as the network takes them.</summary>
    public ReadOnlySpan<float> NumericOf(int sample) => Numeric.AsSpan(sample * NumericInputs * MaxLength, NumericInputs * MaxLength);

    public ReadOnlySpan<int> TokensOf(int sample) => Tokens.AsSpan(sample * MaxLength, MaxLength);

    /// <summary>The extra inputs of a sample, input-major (input k at <c>k·L</c>), as the network takes them.</summary>
    public ReadOnlySpan<int> ExtraTokensOf(int sample) => ExtraTokens.AsSpan(sample * ExtraInputs * MaxLength, ExtraInputs * MaxLength);
    public ReadOnlySpan<float> GapsOf(int sample) => Gaps.AsSpan(sample * MaxLength, MaxLength);

    /// <summary>Each sample's user (the session's user id), for the user-history prior; empty when not recorded.</summary>
    public string[] Users { get; init; } = [];

    /// <summary>Each sample's session start (epoch seconds), for the user-history prior; empty when not recorded.</summary>
    public double[] SessionStarts { get; init; } = [];

    /// <summary>The user and session start of <paramref name="sample"/>, or (null, NaN) when the samples do not record them.</summary>
    public (string? User, double Start) ContextOf(int sample) =>
        Users.Length == 0 ? (null, double.NaN) : (Users[sample], SessionStarts[sample]);

    /// <summary>The last input token of a sample (the "current" action of a first-order Markov chain).</summary>
    public int LastToken(int sample) => Tokens[(sample + 1) * MaxLength - 1];

    internal static SequenceSamples Build(IReadOnlyList<SessionSequence> sessions, IReadOnlyList<int> indices, int maxLength, bool dropOovTargets,
        out int dropped)
    {
        var count = 0;
        dropped = 0;
        foreach (var s in indices)
        {
            var sessionTokens = sessions[s].Tokens;
            for (var i = 1; i < sessionTokens.Length; i++)
            {
                if (dropOovTargets && sessionTokens[i] == SequenceVocabulary.OutOfVocabulary) dropped++;
                else count++;
            }
        }
        var tokens = new int[count * maxLength];
        var gaps = new float[count * maxLength];
        var targets = new int[count];
        var owners = new int[count];
        var extras = sessions.Count == 0 ? 0 : sessions[0].ExtraTokens.Length;
        var extraTokens = new int[count * maxLength * extras];
        var numerics = sessions.Count == 0 ? 0 : sessions[0].Numeric.Length;
        var numeric = new float[count * maxLength * numerics];
        var row = 0;
        foreach (var s in indices)
        {
            var session = sessions[s];
            for (var i = 1; i < session.Tokens.Length; i++)
            {
                if (dropOovTargets && session.Tokens[i] == SequenceVocabulary.OutOfVocabulary) continue;
                var take = Math.Min(i, maxLength);
                var offset = row * maxLength + maxLength - take;
                session.Tokens.AsSpan(i - take, take).CopyTo(tokens.AsSpan(offset, take));
                session.Gaps.AsSpan(i - take, take).CopyTo(gaps.AsSpan(offset, take));
                for (var k = 0; k < extras; k++)
                    session.ExtraTokens[k].AsSpan(i - take, take).CopyTo(extraTokens.AsSpan((row * extras + k) * maxLength + maxLength - take, take));
                for (var k = 0; k < numerics; k++)
                    session.Numeric[k].AsSpan(i - take, take).CopyTo(numeric.AsSpan((row * numerics + k) * maxLength + maxLength - take, take));
                targets[row] = session.Tokens[i] - 1;
                owners[row] = s;
                row++;
            }
        }
        var users = new string[count];
        var starts = new double[count];
        for (var i = 0; i < count; i++)
        {
            users[i] = sessions[owners[i]].User;
            starts[i] = sessions[owners[i]].Timestamps[0];
        }
        return new SequenceSamples(maxLength, tokens, gaps, targets, owners, extras, extraTokens, numerics, numeric) { Users = users, SessionStarts = starts };
    }
}

/// <summary>One cleaned session: its token ids, per-event <c>log1p(gap)</c> and numeric inputs.</summary>
internal sealed record SessionSequence(string Name, string User, int[] Tokens, float[] Gaps, string[] Actions, double[] Timestamps,
    string[][] ExtraValues, int[][] ExtraTokens, float[][] Numeric);
