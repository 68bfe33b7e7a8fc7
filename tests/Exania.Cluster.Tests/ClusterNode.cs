using Exania.Cli;

namespace Exania.Cluster.Tests;

/// <summary>
/// The tests' nodes: <see cref="ClusterNodeProcess"/> (the CLI's own exania.dll as a process on 127.0.0.1) with the
/// admin key, no write-behind, no rate limit, reloads by request only, and failure detection tuned for a test (2 s
/// probes, 2 missed), at most 90 s to join.
/// </summary>
internal static class TestNodes
{
    public const string ApiKey = "cluster-admin-key";

    public static Task<ClusterNodeProcess> StartAsync(string name, string cluster, string db, string models, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Exania__ApiKey"] = ApiKey,
            // The test reloads by request only: a file watch would reload every node by itself and prove nothing.
            ["Exania__WatchModels"] = "false",
            ["Exania__Cluster__Membership__ProbeTimeout"] = "00:00:02",
            ["Exania__Cluster__Membership__NumMissedProbesLimit"] = "2",
            ["Exania__Cluster__Membership__TableRefreshTimeout"] = "00:00:02",
            ["Exania__Cluster__Membership__IAmAliveTablePublishTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
        return ClusterNodeProcess.StartAsync(name, cluster, db, models, ["--store-live-events", "false", "--rate-limit", "0"], environment,
            TimeSpan.FromSeconds(90), cancellationToken);
    }
}
