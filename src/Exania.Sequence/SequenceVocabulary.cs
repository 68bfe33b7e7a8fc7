namespace Exania.Sequence;

/// <summary>
/// The action vocabulary of a sequence model: index 0 is padding, index 1 the out-of-vocabulary token, and the actions
/// seen at least <c>minCount</c> times in the training split follow from index 2, by descending count then by name.
/// The model predicts over indices 1..<see cref="Count"/>-1: class <c>k</c> is token <c>k + 1</c>.
/// </summary>
public sealed class SequenceVocabulary
{
    public const int Padding = 0;
    public const int OutOfVocabulary = 1;
    public const string PaddingToken = "<pad>";
    public const string OutOfVocabularyToken = "<oov>";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates a vocabulary from its tokens in index order (the first two must be padding and OOV).</summary>
    /// <exception cref="ArgumentException">The first two tokens are not padding and OOV, or a token repeats.</exception>
    public SequenceVocabulary(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count < 2 || tokens[0] != PaddingToken || tokens[1] != OutOfVocabularyToken)
            throw new ArgumentException($"A sequence vocabulary starts with {PaddingToken} and {OutOfVocabularyToken}.", nameof(tokens));
        _tokens = [.. tokens];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _tokens.Length; i++)
            if (!_index.TryAdd(_tokens[i], i))
                throw new ArgumentException($"The token '{_tokens[i]}' appears twice in the vocabulary.", nameof(tokens));
    }

    /// <summary>Number of tokens, padding and OOV included.</summary>
    public int Count => _tokens.Length;

    /// <summary>Number of predicted classes (every token but padding).</summary>
    public int ClassCount => _tokens.Length - 1;

    public IReadOnlyList<string> Tokens => _tokens;

    public string this[int index] => _tokens[index];

    /// <summary>Index of <paramref name="action"/>, or <see cref="OutOfVocabulary"/> when it is not in the vocabulary.</summary>
    public int IndexOf(string action) => _index.TryGetValue(action, out var i) && i > OutOfVocabulary ? i : OutOfVocabulary;

    /// <summary>Name of class <paramref name="classIndex"/> (token <c>classIndex + 1</c>).</summary>
    public string ClassName(int classIndex) => _tokens[classIndex + 1];

    /// <summary>Keeps the actions counted at least <paramref name="minCount"/> times; most frequent first, ties by name.</summary>
    public static SequenceVocabulary Fit(IReadOnlyDictionary<string, long> counts, int minCount)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var kept = counts.Where(p => p.Value >= minCount)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key);
        return new SequenceVocabulary([PaddingToken, OutOfVocabularyToken, .. kept]);
    }
}
