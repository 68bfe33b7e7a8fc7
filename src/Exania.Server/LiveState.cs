using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Exania.Core;
using Exania.Events;
using Exania.Scoring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Exania.Server;

/// <summary>
/// The live side of the service: the session table, the scorer, the models (reloaded whole, by request or when the
/// folder changes) and the metrics. One per service.
/// </summary>
public sealed class LiveState : IDisposable
{
    /// <summary>The meter behind the live metrics (scraped at <c>/metrics</c>).</summary>
    public const string MeterName = "Exania.Live";

    private readonly ILogger _log;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _reloadTimer;
    private readonly Timer _expiryTimer;
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _events;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _refused;

    public LiveState(ServerSettings settings, ILogger<LiveState> log, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _log = log;
        Settings = settings;
        Models = new ModelRegistry(settings.Models);
        Sessions = new LiveSessionTable(settings.Live, time);
        Scorer = new LiveScorer(Sessions, Models);
        _events = _meter.CreateCounter<long>("exania.live.events", "{event}", "Live events accepted and scored.");
        _batches = _meter.CreateCounter<long>("exania.live.batches", "{batch}", "Live batches accepted.");
        _refused = _meter.CreateCounter<long>("exania.live.refused", "{batch}", "Live batches refused (bad input or out of order).");
        _meter.CreateObservableGauge("exania.live.sessions", () => Sessions.Counts.Live, "{session}", "Live sessions held.");
        _meter.CreateObservableCounter("exania.live.evictions", () => Sessions.Counts.Evicted, "{session}", "Sessions evicted by the cap (least recently used).");
        _meter.CreateObservableCounter("exania.live.expirations", () => Sessions.Counts.Expired, "{session}", "Sessions forgotten after the idle time to live.");
        _meter.CreateObservableCounter("exania.models.reloads", () => (long)Models.Reloads, "{reload}", "Successful model reloads.");
        // Idle sessions go even without traffic (a lookup expires them too): memory returns to the base.
        var sweep = TimeSpan.FromSeconds(Math.Clamp(settings.Live.IdleTimeToLive.TotalSeconds / 4, 1, 60));
        _expiryTimer = new Timer(_ => Sessions.ExpireIdle(), null, sweep, sweep);
        if (settings.WatchModels && settings.Models is { } folder)
        {
            // Debounced: a training run writes its files one after the other; reload once they are all there.
            _reloadTimer = new Timer(_ => ReloadFromWatch(), null, Timeout.Infinite, Timeout.Infinite);
            _watcher = new FileSystemWatcher(folder, "*.json") { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size };
            FileSystemEventHandler changed = (_, _) => _reloadTimer.Change(500, Timeout.Infinite);
            _watcher.Changed += changed;
            _watcher.Created += changed;
            _watcher.Deleted += changed;
            _watcher.Renamed += (_, _) => _reloadTimer.Change(500, Timeout.Infinite);
            _watcher.EnableRaisingEvents = true;
        }
    }

    public ServerSettings Settings { get; }
    public ModelRegistry Models { get; }
    public LiveSessionTable Sessions { get; }
    public LiveScorer Scorer { get; }

    internal void Accepted(int events)
    {
        _batches.Add(1);
        _events.Add(events);
    }

    internal void Refused() => _refused.Add(1);

    private void ReloadFromWatch()
    {
        try
        {
            var set = Models.Reload();
            _log.LogInformation("Models reloaded from {Folder}: {Models}", set.Folder, string.Join(", ", set.Versions.Select(v => $"{v.File} {v.Version}")));
        }
        catch (Exception e) when (e is ModelFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            _log.LogWarning("The models folder changed but does not load ({Message}); the models loaded before stay in use.", e.Message);
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _reloadTimer?.Dispose();
        _expiryTimer.Dispose();
        _meter.Dispose();
    }
}

/// <summary>A session's accepted events, waiting to be stored.</summary>
internal sealed record PendingEvents(string Session, string User, LiveEvent[] Events);

/// <summary>
/// Batched write-behind of live events into the store: requests enqueue and go on; a background loop stores what has
/// gathered (up to <see cref="MaxEventsPerWrite"/> events, or whatever a second brought) in one idempotent
/// transaction. The queue is bounded, so a store that falls behind slows requests down instead of filling memory; a
/// failed write is retried, never dropped; stopping the service stores everything queued first. A replay (a client
/// that sends a batch again) is harmless: the store's event identity makes it add nothing.
/// </summary>
public sealed class LiveStoreWriter : IHostedService
{
    /// <summary>Most events stored in one transaction.</summary>
    public const int MaxEventsPerWrite = 50_000;

    private readonly Channel<PendingEvents> _queue;
    private readonly DashboardState _state;
    private readonly ILogger _log;
    private Task? _loop;
    private long _queued;
    private long _stored;

    public LiveStoreWriter(DashboardState state, ILogger<LiveStoreWriter> log)
    {
        _state = state;
        _log = log;
        _queue = Channel.CreateBounded<PendingEvents>(new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>Events accepted for storing and not stored yet.</summary>
    public long Pending => Interlocked.Read(ref _queued) - Interlocked.Read(ref _stored);

    /// <summary>Queues a session's events; waits while the queue is full.</summary>
    /// <exception cref="ChannelClosedException">The service is stopping.</exception>
    internal ValueTask EnqueueAsync(PendingEvents pending, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _queued, pending.Events.Length);
        return _queue.Writer.WriteAsync(pending, cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingEvents>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Gather for up to a second (or until a write's worth is there), then store it all at once.
            var events = 0;
            var deadline = Environment.TickCount64 + 1000;
            while (events < MaxEventsPerWrite)
            {
                while (events < MaxEventsPerWrite && reader.TryRead(out var item))
                {
                    batch.Add(item);
                    events += item.Events.Length;
                }
                var wait = deadline - Environment.TickCount64;
                if (events >= MaxEventsPerWrite || wait <= 0 || reader.Completion.IsCompleted)
                    break;
                using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(wait));
                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                        break;
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            await StoreAsync(batch, events).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task StoreAsync(List<PendingEvents> batch, int events)
    {
        if (events == 0)
            return;
        // The store tells identical events apart by their occurrence among identical rows of one ingest. A request is
        // the unit a client repeats, so occurrences must count within a request: a session's second request of this
        // flush goes into a second ingest (round), and a repeated request then adds nothing.
        var rounds = new List<EventLog>();
        var roundOfSession = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pending in batch)
        {
            var round = roundOfSession.GetValueOrDefault(pending.Session);
            roundOfSession[pending.Session] = round + 1;
            if (round == rounds.Count)
            {
                var fresh = new EventLog();
                if (round == 0)
                    fresh.EnsureCapacity(events);
                rounds.Add(fresh);
            }
            var log = rounds[round];
            foreach (var e in pending.Events)
                log.Append(new InteractionEvent(pending.User, pending.Session, e.Timestamp, KnownActions.Names[e.Action], e.ScrollDepth));
        }
        foreach (var log in rounds)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    _state.Append(log, CancellationToken.None);
                    Interlocked.Add(ref _stored, log.Count);
                    break;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Kept, not dropped: the next attempt stores the same events (the identity makes a half-known outcome harmless).
                    _log.LogError("Storing {Events} live events failed (attempt {Attempt}): {Message}; retrying.", log.Count, attempt, e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt))).ConfigureAwait(false);
                }
            }
        }
    }
}
