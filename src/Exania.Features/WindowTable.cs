namespace Exania.Features;

/// <summary>
/// Extracted windows: one row per window with its session, end time, the 20 features (row-major) and the label.
/// </summary>
public sealed class WindowTable
{
    private int _rows;
    private int[] _session;
    private double[] _end;
    private double[] _features;
    private byte[] _labels;

    public WindowTable(IReadOnlyList<string> sessionNames, int capacity = 256)
    {
        ArgumentNullException.ThrowIfNull(sessionNames);
        SessionNames = sessionNames;
        capacity = Math.Max(capacity, 16);
        _session = new int[capacity];
        _end = new double[capacity];
        _features = new double[capacity * WindowFeatures.Count];
        _labels = new byte[capacity];
    }

    /// <summary>Names of the sessions that <see cref="SessionIndices"/> refer to.</summary>
    public IReadOnlyList<string> SessionNames { get; }

    public int Rows => _rows;

    public ReadOnlySpan<int> SessionIndices => _session.AsSpan(0, _rows);

    public ReadOnlySpan<double> WindowEnds => _end.AsSpan(0, _rows);

    /// <summary>Row-major features, <see cref="WindowFeatures.Count"/> per row.</summary>
    public ReadOnlySpan<double> Features => _features.AsSpan(0, _rows * WindowFeatures.Count);

    public ReadOnlySpan<byte> Labels => _labels.AsSpan(0, _rows);

    /// <summary>The features of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<double> Row(int row) => _features.AsSpan(row * WindowFeatures.Count, WindowFeatures.Count);

    /// <summary>The session name of row <paramref name="row"/>.</summary>
    public string SessionOf(int row) => SessionNames[_session[row]];

    /// <summary>Number of rows labelled 1.</summary>
    public int Positives
    {
        get
        {
            var p = 0;
            foreach (var l in Labels) p += l;
            return p;
        }
    }

    /// <summary>Appends a row; returns the span to write its features into.</summary>
    public Span<double> Add(int session, double windowEnd, byte label)
    {
        if (_rows == _end.Length)
        {
            var n = _rows * 2;
            Array.Resize(ref _session, n);
            Array.Resize(ref _end, n);
            Array.Resize(ref _features, n * WindowFeatures.Count);
            Array.Resize(ref _labels, n);
        }
        var r = _rows++;
        _session[r] = session;
        _end[r] = windowEnd;
        _labels[r] = label;
        return _features.AsSpan(r * WindowFeatures.Count, WindowFeatures.Count);
    }

    /// <summary>Appends every row of <paramref name="other"/> (which must share this table's session names).</summary>
    public void Append(WindowTable other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ReferenceEquals(other.SessionNames, SessionNames))
            throw new ArgumentException("Only tables over the same session names can be appended.", nameof(other));
        var start = _rows;
        for (var r = 0; r < other.Rows; r++)
            Add(other._session[r], other._end[r], other._labels[r]);
        other.Features.CopyTo(_features.AsSpan(start * WindowFeatures.Count));
    }

    /// <summary>The first <paramref name="rows"/> rows (for "--samples N").</summary>
    public void Truncate(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        _rows = Math.Min(_rows, rows);
    }
}
