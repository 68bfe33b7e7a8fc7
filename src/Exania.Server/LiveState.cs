using System.Diagnostics.Metrics;
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
