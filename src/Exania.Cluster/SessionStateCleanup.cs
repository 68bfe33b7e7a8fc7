using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Exania.Cluster;

/// <summary>
/// Forgets the saved state of sessions idle for longer than the time to live, so the grain-state table stays the
/// size of the live traffic, not of all traffic ever (on one node the session table does this in memory). Every node
/// runs it; a delete is idempotent, so they need no coordination. A session whose row goes while its grain is still
/// active starts over at its next batch, exactly as an expired session does on one node.
/// </summary>
public sealed class SessionStateCleanup(ClusterSettings settings, ClusterScoring scoring, ILogger<SessionStateCleanup> log) : BackgroundService
{
    /// <summary>Time between sweeps: half the time to live, between 1 s and a minute.</summary>
    public TimeSpan Interval { get; } = TimeSpan.FromSeconds(Math.Clamp(scoring.Options.IdleTimeToLive.TotalSeconds / 2, 1, 60));

    /// <summary>Deletes the expired session rows now; how many went.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Orleans writes modifiedon as UTC without a time zone; the grain type of SessionGrain is "session".
        await using var command = new NpgsqlCommand(
            "DELETE FROM orleansstorage WHERE serviceid = @service AND graintypestring = 'session' " +
            "AND modifiedon < (now() at time zone 'utc') - make_interval(secs => @ttl)", connection);
        command.Parameters.AddWithValue("service", ClusterHosting.ServiceId);
        command.Parameters.AddWithValue("ttl", scoring.Options.IdleTimeToLive.TotalSeconds);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var removed = await SweepAsync(stoppingToken).ConfigureAwait(false);
                if (removed > 0)
                    log.LogDebug("Forgot {Sessions} expired session states.", removed);
            }
            catch (NpgsqlException e)
            {
                log.LogWarning("Expired session states could not be removed now: {Message}", e.Message);
            }
        }
    }
}
