using System.Runtime.InteropServices;
using System.Threading.Channels;
using Exania.Core;
using Exania.Events;
using Exania.Scoring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Exania.Server;

/// <summary>
/// Batched write-behind of live events into the store: requests append their events and go on; a background loop
/// stores what has gathered (up to <see cref="MaxEventsPerWrite"/> events, or whatever a second brought) in one
/// idempotent transaction. Memory is bounded: past <see cref="MaxPendingEvents"/>, requests wait for the writer, so a
/// store that falls behind slows requests down instead of filling memory. A failed write is retried, never dropped;
/// stopping the service stores everything pending first. A replay (a client that sends a batch again) is harmless: the
/// store's event identity makes it add nothing.
/// </summary>
/// <remarks>
/// Pending events wait in columns (<see cref="EventLog"/>s reused from one write to the next), not as an object per
/// request: an object that waits about a second outlives the young generation, and under load copying those
/// survivors was most of the collector's pauses (measured with <c>exania bench live --store</c>, docs/live-scoring.md).
/// Two sets of columns take turns: requests fill one while the loop stores the other.
/// </remarks>
public sealed class LiveStoreWriter : IHostedService
{
    /// <summary>Most events stored in one transaction.</summary>
    public const int MaxEventsPerWrite = 50_000;

    /// <summary>The writer thread's nice value on Linux (0 normal, 19 lowest).</summary>
    public const int WriterNiceness = 10;

    /// <summary>The writer thread's name (the benchmark reads its CPU time by it).</summary>
    public const string ThreadName = "Exania live store writer";

    /// <summary>Most events waiting for the store; past it, requests wait until a write has taken them.</summary>
    public const int MaxPendingEvents = 4 * MaxEventsPerWrite;

    private readonly DashboardState _state;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private PendingColumns _filling = new();
    private PendingColumns? _idle = new();
    private TaskCompletionSource _taken = NewSignal();
    private bool _wakeSignalled;
    private bool _stopping;
    private Task? _loop;
    private long _queued;
    private long _stored;
    private long _writes;
    private long _writeTicks;

    public LiveStoreWriter(DashboardState state, ILogger<LiveStoreWriter> log)
    {
        _state = state;
        _log = log;
    }

    /// <summary>Events accepted for storing and not stored yet.</summary>
    public long Pending => Interlocked.Read(ref _queued) - Interlocked.Read(ref _stored);

    /// <summary>Store transactions made so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Seconds spent in store transactions so far.</summary>
    public double WriteSeconds => TimeSpan.FromTicks(Interlocked.Read(ref _writeTicks)).TotalSeconds;

    /// <summary>Queues a session's events (copied: the caller may reuse the array); waits while <see cref="MaxPendingEvents"/> are pending.</summary>
    /// <exception cref="ChannelClosedException">The service is stopping.</exception>
    internal async ValueTask EnqueueAsync(string session, string user, ReadOnlyMemory<LiveEvent> events, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task taken;
            lock (_lock)
            {
                if (_stopping)
                    throw new ChannelClosedException("The service is stopping.");
                if (_filling.Events < MaxPendingEvents)
                {
                    var before = _filling.Events;
                    _filling.Add(session, user, events.Span);
                    Interlocked.Add(ref _queued, events.Length);
                    // Wake the loop for the first events (it starts its one-second gathering) and when a write's worth is there.
                    if (before == 0 || (before < MaxEventsPerWrite && _filling.Events >= MaxEventsPerWrite))
                        WakeLocked();
                    return;
                }
                taken = _taken.Task;
            }
            await taken.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A thread of its own: a store call blocks for 0.1 s or more, which a thread-pool thread should not. Its lower
        // priority lets requests go first when both want a core (DuckDB runs on this thread when the service gives it
        // one); against nice 0 one run each showed no difference in the p99 (docs/live-scoring.md).
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop = done.Task;
        var thread = new Thread(() =>
        {
            try
            {
                ThreadNiceness.TrySetForCurrentThread(WriterNiceness);
                Run();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = ThreadName };
        thread.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _stopping = true;
            _taken.TrySetResult(); // waiting requests see the stop
            WakeLocked();
        }
        if (_loop is not null)
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void WakeLocked()
    {
        if (_wakeSignalled)
            return;
        _wakeSignalled = true;
        _wake.Release();
    }

    private void WaitForWake(int milliseconds)
    {
        if (_wake.Wait(milliseconds))
            lock (_lock)
                _wakeSignalled = false;
    }

    private void Run()
    {
        while (true)
        {
            WaitForWake(Timeout.Infinite);
            // Gather for up to a second from the first event (or until a write's worth is there), then store it all at once.
            var deadline = Environment.TickCount64 + 1000;
            while (true)
            {
                int events;
                bool stopping;
                lock (_lock)
                    (events, stopping) = (_filling.Events, _stopping);
                var wait = deadline - Environment.TickCount64;
                if (events >= MaxEventsPerWrite || stopping || wait <= 0)
                    break;
                WaitForWake((int)wait);
            }
            PendingColumns full;
            bool last;
            lock (_lock)
            {
                full = _filling;
                _filling = _idle!;
                _idle = null;
                var taken = _taken;
                _taken = NewSignal();
                taken.TrySetResult();
                last = _stopping;
            }
            Store(full);
            full.Clear();
            lock (_lock)
            {
                _idle = full;
                // Events that came while this write ran are stored by the next one; stopping stores until none is left.
                if (_filling.Events > 0 || _stopping)
                    WakeLocked();
                if (last && _filling.Events == 0)
                    return;
            }
        }
    }

    private void Store(PendingColumns pending)
    {
        foreach (var log in pending.Rounds)
        {
            if (log.Count == 0)
                continue;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    _state.Append(log, CancellationToken.None);
                    Interlocked.Add(ref _writeTicks, Stopwatch.GetElapsedTime(started).Ticks);
                    Interlocked.Increment(ref _writes);
                    Interlocked.Add(ref _stored, log.Count);
                    break;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Kept, not dropped: the next attempt stores the same events (the identity makes a half-known outcome harmless).
                    _log.LogError("Storing {Events} live events failed (attempt {Attempt}): {Message}; retrying.", log.Count, attempt, e.Message);
                    Thread.Sleep(TimeSpan.FromSeconds(Math.Min(30, attempt)));
                }
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// One write's pending events, in columns. The store tells identical events apart by their occurrence among
    /// identical rows of one ingest. A request is the unit a client repeats, so occurrences must count within a
    /// request: a session's second request of this write goes into a second log (round), stored by a second ingest,
    /// and a repeated request then adds nothing.
    /// </summary>
    private sealed class PendingColumns
    {
        private readonly Dictionary<string, int> _roundOfSession = new(StringComparer.Ordinal);

        /// <summary>Round r holds the r-th request of each session; logs are kept (with their arrays) for the next write.</summary>
        public List<EventLog> Rounds { get; } = [];

        public int Events { get; private set; }

        public void Add(string session, string user, ReadOnlySpan<LiveEvent> events)
        {
            ref var next = ref CollectionsMarshal.GetValueRefOrAddDefault(_roundOfSession, session, out _);
            var round = next++;
            if (round == Rounds.Count)
                Rounds.Add(new EventLog());
            var log = Rounds[round];
            var userId = log.Users.GetOrAdd(user);
            var sessionId = log.Sessions.GetOrAdd(session);
            var attributes = EventAttributes.None;
            foreach (var e in events)
            {
                attributes.ScrollDepth = e.ScrollDepth;
                log.Append(userId, sessionId, e.Timestamp, log.Actions.GetOrAdd(KnownActions.Names[e.Action]), attributes);
            }
            Events += events.Length;
        }

        public void Clear()
        {
            foreach (var log in Rounds)
                log.Clear();
            _roundOfSession.Clear();
            Events = 0;
        }
    }
}
