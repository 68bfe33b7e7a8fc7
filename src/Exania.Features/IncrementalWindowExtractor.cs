using Exania.Events;

namespace Exania.Features;

/// <summary>Receives a completed window: its end time and its 20 features.</summary>
public delegate void WindowHandler(double windowEnd, ReadOnlySpan<double> features);

/// <summary>
/// Everything an <see cref="IncrementalWindowExtractor"/> carries from one event to the next, as plain values: the
/// events that can still fall into a future window (oldest first) and the session's clock. A live session saved with
/// it and restored elsewhere (a cluster grain moving to another node) emits exactly the windows it would have emitted.
/// </summary>
public sealed record IncrementalWindowState(double[] Times, int[] Actions, double[] Depths, double SessionStart, double LastTime, double NextWindow, long EventCount);

/// <summary>
/// Sliding-window extraction for one session, one event at a time (live scoring). It keeps only the events of the
/// last window and emits exactly the windows, with exactly the features, that <see cref="WindowExtractor"/> produces
/// for the same session: a window is emitted as soon as an event after its end arrives (so no later event can still
/// fall into it), and <see cref="Complete"/> emits the one ending on the last event, if due.
/// </summary>
/// <remarks>Labels need the future, so this class gives features only.</remarks>
public sealed class IncrementalWindowExtractor
{
    private readonly WindowOptions _options;
    // Small to start: a live service holds one of these per session; they double when a window needs more.
    private double[] _times = new double[16];
    private int[] _actions = new int[16];
    private double[] _depths = new double[16];
    private int[] _counts = new int[KnownActions.Count];
    private readonly double[] _features = new double[WindowFeatures.Count];
    private int _head;
    private int _tail;
    private double _sessionStart = double.NaN;
    private double _lastTime = double.NegativeInfinity;
    // A double, not a long: window indices of a far-off timestamp exceed long (they stay exact integers below 2^53).
    private double _nextWindow = 1;

    public IncrementalWindowExtractor(WindowOptions? options = null)
    {
        _options = (options ?? WindowOptions.Default).Validate();
    }

    /// <summary>Events held (those that can still fall into a future window).</summary>
    public int BufferedEvents => _tail - _head;

    /// <summary>Events pushed since the last <see cref="Reset"/>.</summary>
    public long EventCount { get; private set; }

    /// <summary>Time of the session's first event; NaN before any.</summary>
    public double SessionStart => _sessionStart;

    /// <summary>The state to save: a copy, so later events do not change it.</summary>
    public IncrementalWindowState Capture()
    {
        var live = _tail - _head;
        return new IncrementalWindowState(_times.AsSpan(_head, live).ToArray(), _actions.AsSpan(_head, live).ToArray(), _depths.AsSpan(_head, live).ToArray(),
            _sessionStart, _lastTime, _nextWindow, EventCount);
    }

    /// <summary>Continues from a saved <paramref name="state"/> (this extractor's options must be those it was captured with).</summary>
    /// <exception cref="ArgumentException">The state is inconsistent (arrays of different lengths, events out of order or after its clock, a negative action).</exception>
    public void Restore(IncrementalWindowState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var n = state.Times.Length;
        if (state.Actions.Length != n || state.Depths.Length != n)
            throw new ArgumentException("The saved window state's arrays differ in length.", nameof(state));
        if (state.EventCount < n || (state.EventCount > 0) == double.IsNaN(state.SessionStart) || !(state.NextWindow >= 1))
            throw new ArgumentException("The saved window state's counters do not agree.", nameof(state));
        var maxAction = -1;
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(state.Times[i]) || state.Times[i] > state.LastTime || (i > 0 && state.Times[i] < state.Times[i - 1]) || state.Actions[i] < 0)
                throw new ArgumentException($"The saved window state's event {i} is out of order or invalid.", nameof(state));
            maxAction = Math.Max(maxAction, state.Actions[i]);
        }
        var capacity = Math.Max(16, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(n, 1)));
        _times = new double[capacity];
        _actions = new int[capacity];
        _depths = new double[capacity];
        state.Times.CopyTo(_times, 0);
        state.Actions.CopyTo(_actions, 0);
        state.Depths.CopyTo(_depths, 0);
        if (maxAction >= _counts.Length)
            _counts = new int[maxAction + 1];
        _head = 0;
        _tail = n;
        _sessionStart = state.SessionStart;
        _lastTime = state.LastTime;
        _nextWindow = state.NextWindow;
        EventCount = state.EventCount;
    }

    /// <summary>Starts a new session.</summary>
    public void Reset()
    {
        _head = _tail = 0;
        _sessionStart = double.NaN;
        _lastTime = double.NegativeInfinity;
        _nextWindow = 1;
        EventCount = 0;
    }

    /// <summary>
    /// Adds the next event of the session and emits every window that it completes.
    /// </summary>
    /// <exception cref="ArgumentException">The time is not finite or goes back in time, or the action code is negative.</exception>
    public void Push(double timestamp, int action, double scrollDepth, WindowHandler? onWindow)
    {
        if (!double.IsFinite(timestamp))
            throw new ArgumentException($"Event time {timestamp} is not finite.", nameof(timestamp));
        if (timestamp < _lastTime)
            throw new ArgumentException($"Events must arrive in time order: {timestamp} comes after {_lastTime}.", nameof(timestamp));
        ArgumentOutOfRangeException.ThrowIfNegative(action);
        if (EventCount == 0)
            _sessionStart = timestamp;
        else
            EmitDue(timestamp, inclusive: false, onWindow);

        if (_tail == _times.Length)
            MakeRoom();
        _times[_tail] = timestamp;
        _actions[_tail] = action;
        _depths[_tail] = scrollDepth;
        _tail++;
        _lastTime = timestamp;
        EventCount++;
        if (action >= _counts.Length)
            Array.Resize(ref _counts, Math.Max(action + 1, _counts.Length * 2));
    }

    /// <summary>Ends the session: emits the window that ends exactly on the last event, if due.</summary>
    public void Complete(WindowHandler? onWindow)
    {
        if (EventCount > 0)
            EmitDue(_lastTime, inclusive: true, onWindow);
    }

    /// <summary>
    /// Features of the window ending at <paramref name="windowEnd"/> (not before the last event), as a live scorer
    /// asks "now". Returns false when that window holds fewer than MinActions events.
    /// </summary>
    public bool TryComputeAt(double windowEnd, Span<double> destination)
    {
        if (EventCount == 0)
            return false;
        if (windowEnd < _lastTime)
            throw new ArgumentOutOfRangeException(nameof(windowEnd), windowEnd, $"The window must end at or after the last event ({_lastTime}).");
        return ComputeWindow(windowEnd, evict: false, destination);
    }

    private void EmitDue(double now, bool inclusive, WindowHandler? onWindow)
    {
        var step = _options.StepSeconds;
        var lastDue = Math.Floor((now - _sessionStart) / step);
        while (_nextWindow <= lastDue)
        {
            var end = _sessionStart + _nextWindow * step;
            if (inclusive ? end > now : end >= now)
                break;
            _nextWindow++;
            if (ComputeWindow(end, evict: true, _features))
            {
                onWindow?.Invoke(end, _features);
                continue;
            }
            // Too few events. A later window before `now` holds only buffered events from _head on, so none can reach
            // MinActions before it ends at the MinActions-th of them: jump there. Empty stretches of time (a far-off
            // timestamp) then cost nothing, and the windows emitted are exactly those stepping would emit.
            var needed = _head + _options.MinActions - 1;
            if (needed >= _tail)
                break;
            _nextWindow = Math.Max(_nextWindow, Math.Ceiling((_times[needed] - _sessionStart) / step));
        }
    }

    private bool ComputeWindow(double end, bool evict, Span<double> destination)
    {
        var start = end - _options.WindowSeconds;
        var lo = _head;
        while (lo < _tail && _times[lo] <= start)
            lo++;
        // Emitted windows come in increasing end order, so events at or before this one's start are never needed
        // again; a live query ("now") may be followed by emissions of earlier ends, so it must not evict.
        if (evict)
            _head = lo;
        var hi = _tail;
        while (hi > lo && _times[hi - 1] > end)
            hi--;
        if (hi - lo < _options.MinActions)
            return false;
        WindowFeatures.Compute(_times.AsSpan(lo, hi - lo), _actions.AsSpan(lo, hi - lo),
            _depths.AsSpan(lo, hi - lo), end, _sessionStart, _options.WindowSeconds, _counts, destination);
        return true;
    }

    private void MakeRoom()
    {
        var live = _tail - _head;
        if (live * 2 > _times.Length)
        {
            var n = _times.Length * 2;
            var times = new double[n];
            var actions = new int[n];
            var depths = new double[n];
            Array.Copy(_times, _head, times, 0, live);
            Array.Copy(_actions, _head, actions, 0, live);
            Array.Copy(_depths, _head, depths, 0, live);
            (_times, _actions, _depths) = (times, actions, depths);
        }
        else
        {
            Array.Copy(_times, _head, _times, 0, live);
            Array.Copy(_actions, _head, _actions, 0, live);
            Array.Copy(_depths, _head, _depths, 0, live);
        }
        _head = 0;
        _tail = live;
    }
}
