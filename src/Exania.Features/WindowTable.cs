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

    /// <summary>Exactly <paramref name="rows"/> rows, arrays not cleared (<see cref="ForRows"/>).</summary>
    private WindowTable(int rows, IReadOnlyList<string> sessionNames)
    {
        SessionNames = sessionNames;
        _rows = rows;
        _session = GC.AllocateUninitializedArray<int>(rows);
        _end = GC.AllocateUninitializedArray<double>(rows);
        _features = GC.AllocateUninitializedArray<double>(checked(rows * WindowFeatures.Count));
        _labels = GC.AllocateUninitializedArray<byte>(rows);
    }

    /// <summary>
    /// A table of exactly <paramref name="rows"/> rows whose values the caller writes, every row once, with
    /// <see cref="Set"/> (the batch extractor counts its windows first). The arrays are not cleared: the pages are
    /// first touched by the threads that write them.
    /// </summary>
    internal static WindowTable ForRows(IReadOnlyList<string> sessionNames, int rows)
    {
        ArgumentNullException.ThrowIfNull(sessionNames);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        return new WindowTable(rows, sessionNames);
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

    /// <summary>Sets row <paramref name="row"/> of a <see cref="ForRows"/> table; returns the span to write all its features into.</summary>
    internal Span<double> Set(int row, int session, double windowEnd, byte label)
    {
        _session[row] = session;
        _end[row] = windowEnd;
        _labels[row] = label;
        return _features.AsSpan(row * WindowFeatures.Count, WindowFeatures.Count);
    }

    /// <summary>The first <paramref name="rows"/> rows (for "--samples N").</summary>
    public void Truncate(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        _rows = Math.Min(_rows, rows);
    }
}
