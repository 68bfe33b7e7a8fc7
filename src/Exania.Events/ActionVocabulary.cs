namespace Exania.Events;

/// <summary>
/// Maps action strings to codes: the nine <see cref="KnownActions"/> always take codes 0..8, other action
/// strings are appended in order of first appearance.
/// </summary>
public sealed class ActionVocabulary
{
    private readonly StringPool _pool = new();

    public ActionVocabulary() => Reset();

    /// <summary>Back to the nine known actions only.</summary>
    public void Reset()
    {
        _pool.Clear();
        foreach (var name in KnownActions.Names)
            _pool.GetOrAdd(name);
    }

    /// <summary>Number of codes in use (at least <see cref="KnownActions.Count"/>).</summary>
    public int Count => _pool.Count;

    /// <summary>Action names in code order.</summary>
    public IReadOnlyList<string> Names => _pool.Values;

    /// <summary>Name of the action with code <paramref name="code"/>.</summary>
    public string this[int code] => _pool[code];

    /// <summary>Code of <paramref name="action"/>, adding it when new.</summary>
    public int GetOrAdd(ReadOnlySpan<char> action) => _pool.GetOrAdd(action);

    /// <summary>Code of <paramref name="action"/>, or -1 when unseen.</summary>
    public int IndexOf(ReadOnlySpan<char> action) => _pool.IndexOf(action);

    /// <summary>Adds the actions of <paramref name="other"/>; returns the code here of each of its codes.</summary>
    public int[] AddAll(ActionVocabulary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _pool.AddAll(other._pool);
    }

    /// <summary>Number of action strings seen that are not one of the nine known actions.</summary>
    public int UnknownCount => _pool.Count - KnownActions.Count;
}
