using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Exania.Server;

/// <summary>Ready when the store answers a count.</summary>
internal sealed class StoreHealthCheck(DashboardState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return Task.FromResult(HealthCheckResult.Healthy($"{state.CountStored():N0} events stored"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The store does not answer: {e.Message}"));
        }
    }
}

/// <summary>Ready when a click model is loaded (live scoring needs it); the other models are reported, not required.</summary>
internal sealed class ModelsHealthCheck(LiveState live) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var set = live.Models.Current;
        var loaded = string.Join(", ", set.Versions.Select(v => $"{v.File} {v.Version}"));
        return Task.FromResult(set.Click is null
            ? HealthCheckResult.Unhealthy(loaded.Length == 0 ? "No model is loaded; live scoring needs click_model.json in --models." : $"No click model is loaded (loaded: {loaded}).")
            : HealthCheckResult.Healthy(loaded));
    }
}

/// <summary>Ready once this node is an active member of the cluster (it joined, and the others can route sessions to it).</summary>
internal sealed class ClusterHealthCheck(Orleans.Runtime.IClusterMembershipService membership, Orleans.Runtime.ILocalSiloDetails local) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var active = Exania.Cluster.ClusterStatus.IsActive(membership, local);
        var members = membership.CurrentSnapshot.Members.Values.Count(m => m.Status == Orleans.Runtime.SiloStatus.Active);
        return Task.FromResult(active
            ? HealthCheckResult.Healthy($"{local.SiloAddress} is active; {members} active node(s)")
            : HealthCheckResult.Unhealthy($"{local.SiloAddress} has not joined the cluster yet"));
    }
}
