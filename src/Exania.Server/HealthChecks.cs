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
