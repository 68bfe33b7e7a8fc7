using System.Runtime.CompilerServices;
namespace Exania.Events;

/// <summary>
/// Interns strings to dense integer ids. Lookups by <see cref="ReadOnlySpan{T}"/> allocate nothing when the
/// string is already known, which keeps the readers allocation-free per row.
/// </summary>
public sealed class StringPool
{
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;
    private readonly List<string> _values = [];

    // The last value looked up: consecutive rows of a file sorted by session repeat the same user, session, page and
    // category, and comparing with one string is cheaper than hashing the span.
    private string _lastValue = "";
    private int _lastId = -1;

    public StringPool()
    {
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        _spanLookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of distinct strings.</summary>
    public int Count => _values.Count;

    /// <summary>The string with id <paramref name="id"/>.</summary>
    public string this[int id] => _values[id];

    /// <summary>The string with id <paramref name="id"/>, or null for a missing value (the log's ids are negative for those).</summary>
    public string? ValueOrNull(int id) => id < 0 ? null : _values[id];

    /// <summary>All strings in id order.</summary>
    public IReadOnlyList<string> Values => _values;

    /// <summary>The id of <paramref name="value"/>, adding it when new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int GetOrAdd(ReadOnlySpan<char> value)
    {
        if (_lastId >= 0 && value.SequenceEqual(_lastValue))
            return _lastId;
        if (!_spanLookup.TryGetValue(value, out var id))
        {
            var s = value.ToString();
            id = _values.Count;
            _ids.Add(s, id);
            _values.Add(s);
        }
        _lastValue = _values[id];
        _lastId = id;
        return id;
    }

    /// <summary>The id of <paramref name="value"/>, adding this very string when new (no copy is made).</summary>
    public int GetOrAdd(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_lastId >= 0 && ReferenceEquals(value, _lastValue))
            return _lastId;
        ref var id = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_ids, value, out var exists);
        if (!exists)
        {
            id = _values.Count;
            _values.Add(value);
        }
        _lastValue = _values[id];
        _lastId = id;
        return id;
    }

    /// <summary>
    /// Adds the strings of <paramref name="other"/> in its id order and returns, for each of its ids, the id here: how
    /// a part of a file read on its own joins the parts before it, with the ids reading the file in one go gives.
    /// </summary>
    public int[] AddAll(StringPool other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var ids = new int[other.Count];
        for (var i = 0; i < ids.Length; i++)
            ids[i] = GetOrAdd(other[i]);
        return ids;
    }

    /// <summary>Forgets every string (ids start again at 0).</summary>
    public void Clear()
    {
        _ids.Clear();
        _values.Clear();
        _lastValue = "";
        _lastId = -1;
    }

    /// <summary>The id of <paramref name="value"/>, or -1 when it is not in the pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int IndexOf(ReadOnlySpan<char> value)
    {
        if (_lastId >= 0 && value.SequenceEqual(_lastValue))
            return _lastId;
        return _spanLookup.TryGetValue(value, out var id) ? id : -1;
    }
}
