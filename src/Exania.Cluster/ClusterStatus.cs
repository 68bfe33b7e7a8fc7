using Orleans.Runtime;

namespace Exania.Cluster;

/// <summary>One node as the membership table sees it, with the live sessions it runs now (null when it could not be asked: not active, or not answering).</summary>
public sealed record ClusterNode(string Address, string Status, bool Local, long? Sessions);

/// <summary>The cluster seen from one node: who is in it, where the sessions run, the model generation.</summary>
public sealed record ClusterReport(string Node, long ModelGeneration, IReadOnlyList<ClusterNode> Nodes);

/// <summary>Membership and placement, read through Orleans' own services.</summary>
public static class ClusterStatus
{
    /// <summary>True once this node is an active member (readiness waits for it).</summary>
    public static bool IsActive(IClusterMembershipService membership, ILocalSiloDetails local)
    {
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(local);
        return membership.CurrentSnapshot.Members.TryGetValue(local.SiloAddress, out var member) && member.Status == SiloStatus.Active;
    }

    /// <summary>Every node the membership table lists, with its session grains (activations counted by Orleans' management grain).</summary>
    public static async Task<ClusterReport> ReportAsync(IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails local, long modelGeneration)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(local);
        var members = membership.CurrentSnapshot.Members.Values.OrderBy(m => m.SiloAddress.ToString(), StringComparer.Ordinal).ToList();
        var sessions = new Dictionary<SiloAddress, long>();
        var management = grains.GetGrain<IManagementGrain>(0);
        // Each active node on its own: one that died but is not declared dead yet leaves only its own count unknown.
        foreach (var member in members.Where(m => m.Status == SiloStatus.Active))
        {
            try
            {
                var statistics = await management.GetSimpleGrainStatistics([member.SiloAddress]).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                sessions[member.SiloAddress] = statistics.Where(x => x.GrainType.Contains(nameof(SessionGrain), StringComparison.Ordinal)).Sum(x => (long)x.ActivationCount);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
            }
        }
        var nodes = members
            .Select(m => new ClusterNode(m.SiloAddress.ToString(), m.Status.ToString(), m.SiloAddress.Equals(local.SiloAddress),
                sessions.TryGetValue(m.SiloAddress, out var count) ? count : null))
            .ToList();
        return new ClusterReport(local.SiloAddress.ToString(), modelGeneration, nodes);
    }
}
