using Exania.Features;

namespace Exania.Scoring;

/// <summary>
/// One live session's state: the incremental window extractor (the events of the last window) and the most recent
/// events for the sequence model. Callers hold <see cref="Gate"/> while they read or change it; the state is plain
/// arrays and numbers so that it can be persisted or moved (a cluster grain, issue #14).
/// </summary>
public sealed class LiveSession
{
    private readonly double[] _times;
    private readonly int[] _actions;
    private readonly double[] _depths;
    private int _historyStart;

    /// <summary>A new, empty session (the table makes them; a cluster grain holds one of its own).</summary>
    public LiveSession(string id, LiveScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(options);
        Id = id;
        Windows = new IncrementalWindowExtractor(options.Windows);
        _times = new double[options.HistoryLength];
        _actions = new int[options.HistoryLength];
        _depths = new double[options.HistoryLength];
    }

    public string Id { get; }

    /// <summary>The user the client named (the first one it named), or null.</summary>
    public string? User { get; internal set; }

    /// <summary>Digest of the last batch applied (<see cref="LiveBatch.Digest"/>), 0 before any: a client that repeats it gets <see cref="LastReport"/> again.</summary>
    public ulong LastBatchDigest { get; internal set; }

    /// <summary>The answer to the last batch applied, or null (made again from the values the session keeps).</summary>
    public LiveScoreReport? LastReport =>
        _lastVersion is null ? null : new LiveScoreReport(Id, _lastAccepted, _lastEventCount, _lastWindows.AsSpan(0, _lastWindowCount).ToArray(),
            _lastCurrent, _lastCompleted, _lastVersion);

    // The last answer as values, in a window buffer the session reuses. A report object per request would live until the
    // session's next batch: with many live sessions, long enough to be promoted by every young GC, which made those GCs
    // slow (bench live: pauses of about 110 ms, each promoting 11-14 MB). Values in the session promote nothing.
    private LiveWindow[] _lastWindows = [];
    private int _lastWindowCount;
    private LiveWindow? _lastCurrent;
    private int _lastAccepted;
    private long _lastEventCount;
    private bool _lastCompleted;
    private string? _lastVersion;

    /// <summary>Keeps <paramref name="report"/> (or forgets the last one, for null) as the answer a repeat of the last batch gets.</summary>
    internal void KeepLastReport(LiveScoreReport? report)
    {
        if (report is null)
        {
            _lastVersion = null;
            _lastWindowCount = 0;
            _lastCurrent = null;
            return;
        }
        var windows = report.Windows;
        if (_lastWindows.Length < windows.Count)
            _lastWindows = new LiveWindow[Math.Max(windows.Count, 2 * _lastWindows.Length)];
        for (var i = 0; i < windows.Count; i++)
            _lastWindows[i] = windows[i];
        _lastWindowCount = windows.Count;
        _lastCurrent = report.Current;
        _lastAccepted = report.Accepted;
        _lastEventCount = report.EventCount;
        _lastCompleted = report.Completed;
        _lastVersion = report.ModelVersion;
    }

    /// <summary>True once a batch with <c>complete</c> ended the session: only a repeat of that batch still reaches it.</summary>
    public bool Completed { get; internal set; }

    /// <summary>The session's state as plain values, to be saved and restored elsewhere (<see cref="Restore"/>).</summary>
    public LiveSessionSnapshot Capture()
    {
        var history = new LiveEvent[HistoryCount];
        for (var i = 0; i < history.Length; i++)
            history[i] = History(i);
        return new LiveSessionSnapshot(Id, User, Windows.Capture(), history, LastBatchDigest, LastReport, Completed);
    }

    /// <summary>A session continuing from <paramref name="snapshot"/>: the next batch gives what it would have given in the session captured.</summary>
    /// <exception cref="ArgumentException">The snapshot is inconsistent.</exception>
    public static LiveSession Restore(LiveSessionSnapshot snapshot, LiveScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var session = new LiveSession(snapshot.Id, options)
        {
            User = snapshot.User,
            LastBatchDigest = snapshot.LastBatchDigest,
            Completed = snapshot.Completed,
        };
        session.KeepLastReport(snapshot.LastReport);
        session.Windows.Restore(snapshot.Windows);
        // The history keeps the last HistoryLength events; the extractor's clock is the last event's time.
        var skip = Math.Max(0, snapshot.History.Length - options.HistoryLength);
        for (var i = skip; i < snapshot.History.Length; i++)
            session.Remember(snapshot.History[i]);
        session.LastTime = snapshot.Windows.EventCount == 0 ? double.NegativeInfinity : snapshot.Windows.LastTime;
        return session;
    }

    /// <summary>Taken while the session is read or changed: one session's batches apply one at a time.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The sliding windows over the session so far (same code as the batch path).</summary>
    public IncrementalWindowExtractor Windows { get; }

    /// <summary>Events accepted since the session started.</summary>
    public long EventCount => Windows.EventCount;

    /// <summary>Time of the last accepted event; -∞ before any.</summary>
    public double LastTime { get; private set; } = double.NegativeInfinity;

    /// <summary>Events in <see cref="History"/>: the last <see cref="LiveScoringOptions.HistoryLength"/> at most.</summary>
    public int HistoryCount { get; private set; }

    /// <summary>True once the session was completed, expired or evicted: a request that still holds it starts over.</summary>
    public bool Closed
    {
        get => Volatile.Read(ref _closed);
        internal set => Volatile.Write(ref _closed, value);
    }

    private bool _closed;

    internal LinkedListNode<LiveSession>? Node { get; set; }

    internal long LastTouched { get; set; }

    /// <summary>Adds an event to the recent history (the extractor is fed by the caller).</summary>
    internal void Remember(in LiveEvent e)
    {
        var capacity = _times.Length;
        var slot = (_historyStart + HistoryCount) % capacity;
        if (HistoryCount == capacity)
            _historyStart = (_historyStart + 1) % capacity;
        else
            HistoryCount++;
        _times[slot] = e.Timestamp;
        _actions[slot] = e.Action;
        _depths[slot] = e.ScrollDepth;
        LastTime = e.Timestamp;
    }

    /// <summary>The <paramref name="i"/>-th remembered event, oldest first.</summary>
    public LiveEvent History(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, HistoryCount);
        var slot = (_historyStart + i) % _times.Length;
        return new LiveEvent(_times[slot], _actions[slot], _depths[slot]);
    }
}

/// <summary>What the session table has done since start.</summary>
public readonly record struct LiveSessionCounts(int Live, long Started, long Completed, long Expired, long Evicted);

/// <summary>
/// The live sessions, bounded two ways: a session idle for longer than <see cref="LiveScoringOptions.IdleTimeToLive"/>
/// is forgotten, and past <see cref="LiveScoringOptions.MaxSessions"/> the least recently used one is evicted, so memory
/// stays flat under endless traffic. A dictionary and a recency list under one short lock: every lookup moves its
/// session to the front in O(1), and idle sessions are removed from the back in O(1) each.
/// </summary>
public sealed class LiveSessionTable
{
    private readonly Dictionary<string, LiveSession> _byId = new(StringComparer.Ordinal);
    private readonly LinkedList<LiveSession> _recency = new();
    private readonly Lock _lock = new();
    private readonly LiveScoringOptions _options;
    private readonly TimeProvider _time;
    private readonly long _ttlTicks;
    private long _started, _completed, _expired, _evicted;

    public LiveSessionTable(LiveScoringOptions options, TimeProvider? time = null)
    {
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _time = time ?? TimeProvider.System;
        _ttlTicks = (long)(options.IdleTimeToLive.TotalSeconds * _time.TimestampFrequency);
    }

    public LiveScoringOptions Options => _options;

    public LiveSessionCounts Counts
    {
        get
        {
            lock (_lock)
                return new LiveSessionCounts(_byId.Count, _started, _completed, _expired, _evicted);
        }
    }

    /// <summary>The session with this id, created when there is none; it becomes the most recently used.</summary>
    public LiveSession GetOrAdd(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            ExpireLocked(now);
            if (_byId.TryGetValue(id, out var session))
            {
                TouchLocked(session, now);
                return session;
            }
            if (_byId.Count >= _options.MaxSessions)
            {
                RemoveLocked(_recency.Last!.Value);
                _evicted++;
            }
            session = new LiveSession(id, _options) { LastTouched = now };
            session.Node = _recency.AddFirst(session);
            _byId.Add(id, session);
            _started++;
            return session;
        }
    }

    /// <summary>The session with this id (now the most recently used), or null when there is none.</summary>
    public LiveSession? Find(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            ExpireLocked(now);
            if (!_byId.TryGetValue(id, out var session))
                return null;
            TouchLocked(session, now);
            return session;
        }
    }

    /// <summary>Removes a completed session; false when it was already gone.</summary>
    public bool Complete(LiveSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_lock)
        {
            if (session.Node is null || !_byId.TryGetValue(session.Id, out var held) || !ReferenceEquals(held, session))
                return false;
            RemoveLocked(session);
            _completed++;
            return true;
        }
    }

    /// <summary>Forgets every session idle for longer than the time to live; the number forgotten. Run now and then so idle memory is returned without traffic.</summary>
    public int ExpireIdle()
    {
        var now = _time.GetTimestamp();
        lock (_lock)
            return ExpireLocked(now);
    }

    private int ExpireLocked(long now)
    {
        var removed = 0;
        while (_recency.Last is { } last && now - last.Value.LastTouched > _ttlTicks)
        {
            RemoveLocked(last.Value);
            _expired++;
            removed++;
        }
        return removed;
    }

    private void TouchLocked(LiveSession session, long now)
    {
        session.LastTouched = now;
        if (!ReferenceEquals(_recency.First, session.Node))
        {
            _recency.Remove(session.Node!);
            _recency.AddFirst(session.Node!);
        }
    }

    private void RemoveLocked(LiveSession session)
    {
        _recency.Remove(session.Node!);
        session.Node = null;
        session.Closed = true;
        _byId.Remove(session.Id);
    }
}
