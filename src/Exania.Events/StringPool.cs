using System.Runtime.CompilerServices;
namespace Exania.Events;

/// <summary>
/// Interns strings to dense integer ids. Lookups by <see cref="ReadOnlySpan{T}"/> allocate nothing when the
/// string is already known, which keeps the readers allocation-free per row.
/// </summary>
/// <remarks>
/// The table is open addressing over one array of 64-bit slots, each the string's 32-bit hash and its id plus one (0 is
/// an empty slot), at most half full and probed linearly. A lookup reads one slot and compares one string whose hash
/// matches; a <see cref="Dictionary{TKey, TValue}"/> reads a bucket, then an entry, then the key. With millions of
/// distinct user and session ids (10 M events) each of those reads misses the cache, and interning was the largest
/// part of reading. Growing rehashes from the stored hashes without touching a string. The hash is .NET's randomized
/// string hash (Marvin, seeded per process), so a file cannot be crafted to make every id collide.
/// One thread adds strings; other threads may read strings by id (<c>this[id]</c>, <see cref="Values"/>) meanwhile,
/// since an id below <see cref="Count"/> is in every values array the pool has held. Lookups by value belong to the
/// adding thread, as they did with a dictionary.
/// </remarks>
public sealed class StringPool
{
    private ulong[] _slots = new ulong[16];
    private string[] _values = new string[16];
    private int _count;

    // The last value looked up: consecutive rows of a file sorted by session repeat the same user, session, page and
    // category, and comparing with one string is cheaper than hashing the span.
    private string _lastValue = "";
    private int _lastId = -1;

    /// <summary>Number of distinct strings.</summary>
    public int Count => _count;

    /// <summary>The string with id <paramref name="id"/>.</summary>
    public string this[int id]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)id, (uint)_count, nameof(id));
            return _values[id];
        }
    }

    /// <summary>The string with id <paramref name="id"/>, or null for a missing value (the log's ids are negative for those).</summary>
    public string? ValueOrNull(int id) => id < 0 ? null : this[id];

    /// <summary>All strings in id order: a view, so strings added later show in it.</summary>
    public IReadOnlyList<string> Values => _view ??= new ValuesView(this);

    private ValuesView? _view;

    private sealed class ValuesView(StringPool pool) : IReadOnlyList<string>
    {
        public int Count => pool._count;

        public string this[int index] => pool[index];

        public IEnumerator<string> GetEnumerator()
        {
            for (var i = 0; i < pool._count; i++)
                yield return pool._values[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The id of <paramref name="value"/>, adding it when new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int GetOrAdd(ReadOnlySpan<char> value)
    {
        if (_lastId >= 0 && value.SequenceEqual(_lastValue))
            return _lastId;
        var hash = (uint)string.GetHashCode(value);
        var at = Find(value, hash);
        var id = (int)(uint)_slots[at] - 1;
        if (id < 0)
            id = Add(value.ToString(), hash, at);
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
        var hash = (uint)string.GetHashCode(value.AsSpan());
        var at = Find(value, hash);
        var id = (int)(uint)_slots[at] - 1;
        if (id < 0)
            id = Add(value, hash, at);
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
            ids[i] = GetOrAdd(other._values[i]);
        return ids;
    }

    /// <summary>Forgets every string (ids start again at 0).</summary>
    public void Clear()
    {
        Array.Clear(_slots);
        Array.Clear(_values, 0, _count);
        _count = 0;
        _lastValue = "";
        _lastId = -1;
    }

    /// <summary>The id of <paramref name="value"/>, or -1 when it is not in the pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int IndexOf(ReadOnlySpan<char> value)
    {
        if (_lastId >= 0 && value.SequenceEqual(_lastValue))
            return _lastId;
        return (int)(uint)_slots[Find(value, (uint)string.GetHashCode(value))] - 1;
    }

    /// <summary>The slot holding <paramref name="value"/>, or the empty slot where it would go.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Find(ReadOnlySpan<char> value, uint hash)
    {
        // The mask comes from the array read once, so a lookup always probes one consistent table.
        var slots = _slots;
        var mask = slots.Length - 1;
        var at = (int)hash & mask;
        while (true)
        {
            var slot = slots[at];
            if (slot == 0 || ((uint)(slot >> 32) == hash && value.SequenceEqual(_values[(int)(uint)slot - 1])))
                return at;
            at = (at + 1) & mask;
        }
    }

    private int Add(string value, uint hash, int at)
    {
        var id = _count;
        if (id == _values.Length)
            Array.Resize(ref _values, checked(2 * id));
        _values[id] = value;
        _count = id + 1;
        _slots[at] = ((ulong)hash << 32) | (uint)(id + 1);
        if (2 * _count > _slots.Length)
            Grow();
        return id;
    }

    /// <summary>Doubles the table, placing every slot again by its stored hash.</summary>
    private void Grow()
    {
        var slots = new ulong[checked(2 * _slots.Length)];
        var mask = slots.Length - 1;
        foreach (var slot in _slots)
        {
            if (slot == 0)
                continue;
            var at = (int)(uint)(slot >> 32) & mask;
            while (slots[at] != 0)
                at = (at + 1) & mask;
            slots[at] = slot;
        }
        _slots = slots;
    }
}
