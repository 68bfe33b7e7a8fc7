using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Exania.Cluster;

/// <summary>
/// Keeps this node's models at the cluster's generation: it reads <see cref="IModelsGrain"/> every
/// <see cref="PollInterval"/> and reloads the models folder when the generation moved. A reload asked of one node
/// (<see cref="AnnounceAsync"/>) therefore reaches every node within about a second; each reload is the same
/// all-or-nothing <see cref="Exania.Scoring.ModelRegistry.Reload"/> as on one node.
/// </summary>
public sealed class ClusterModelSync(IGrainFactory grains, ClusterScoring scoring, ILogger<ClusterModelSync> log) : BackgroundService
{
    /// <summary>How often a node looks at the cluster's model generation.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromSeconds(1);

    private long _generation = -1;

    /// <summary>The generation this node's models are at (-1 before it first looked).</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>This node reloaded its models: raises the generation so every other node reloads too; the new generation.</summary>
    public async Task<long> AnnounceAsync()
    {
        var generation = await grains.GetGrain<IModelsGrain>(0).Announce().ConfigureAwait(false);
        Interlocked.Exchange(ref _generation, generation);
        return generation;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        do
        {
            try
            {
                var generation = await grains.GetGrain<IModelsGrain>(0).Generation().WaitAsync(stoppingToken).ConfigureAwait(false);
                var seen = Interlocked.Read(ref _generation);
                // The first look only records the generation: the node loaded the folder when it started.
                if (seen >= 0 && generation > seen)
                {
                    try
                    {
                        var set = scoring.Models.Reload();
                        log.LogInformation("Models reloaded for cluster generation {Generation}: {Models}", generation,
                            string.Join(", ", set.Versions.Select(v => $"{v.File} {v.Version}")));
                    }
                    catch (Exception e) when (e is Exania.Core.ModelFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
                    {
                        log.LogWarning("Cluster generation {Generation} asks for a reload, but the models folder does not load here ({Message}); the models loaded before stay in use.",
                            generation, e.Message);
                    }
                }
                if (generation > seen)
                    Interlocked.CompareExchange(ref _generation, generation, seen);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                log.LogDebug("The cluster's model generation could not be read now: {Message}", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
