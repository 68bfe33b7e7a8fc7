using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Exania.Cli;
using Exania.Store.Tests;

namespace Exania.Cluster.Tests;

[CollectionDefinition("cluster")]
public sealed class ClusterCollection : ICollectionFixture<ClusterData>;

/// <summary>
/// Issue #14's failover test: three nodes on 127.0.0.1 over a throwaway PostgreSQL; generated sessions replayed
/// through all of them in random order of node, by four concurrent clients; one node killed with <c>kill -9</c> in the
/// middle. Every acknowledged batch is counted in its session afterwards, every session finishes on the remaining
/// nodes, and every window's probability equals the single-node batch result exactly. A fourth node joining
/// mid-run takes a share of the new sessions.
/// </summary>
[Collection("cluster")]
public class ClusterFailoverTests(ClusterData data)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeNodes_OneKilledMidReplay_LoseNoAcknowledgedEvent_AndAJoiningNodeTakesNewSessions()
    {
        using var database = new TemporaryDatabase(PostgresTestServer.RequireConnectionString());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(6));
        var nodes = new List<ClusterNodeProcess>();
        try
        {
            // Three nodes starting together: one of them creates Orleans' schema, the others find it made.
            nodes.AddRange(await Task.WhenAll(new[] { "a", "b", "c" }.Select(name =>
                TestNodes.StartAsync(name, database.ConnectionString, data.NewStore(), data.Models, deadline.Token))));
            var replay = new Replay([.. nodes], seed: 14);
            var random = new Random(14);
            var sessions = data.Sessions.OrderBy(_ => random.Next()).ToList();
            var early = sessions.Take(60).ToList();
            var late = sessions.Skip(60).ToList();
            var victim = nodes[1];
            var batches = early.Sum(s => Replay.Plan(s.Events, s.Session).Count);
            long victimSessions = -1;
            var killer = Task.Run(async () =>
            {
                // In the middle of the replay, while the four clients have requests in flight.
                while (Interlocked.Read(ref replay.Acknowledged) < batches * 2 / 5)
                    await Task.Delay(20, deadline.Token);
                victimSessions = await SessionsOn(nodes[0], victim);
                await victim.KillAsync();
                replay.Remove(victim);
            }, deadline.Token);
            await replay.RunAsync(early, clients: 4, deadline.Token);
            await killer;
            Assert.True(victim.Exited);
            Assert.True(victimSessions > 0, $"the killed node ran no session when it died: the test would test nothing\n{victim.Output}");
            // The survivors see it dead (the membership table in PostgreSQL says so).
            await Eventually(async () => (await Cluster(nodes[0]))["nodes"]!.AsArray()
                .Any(n => (string)n!["address"]! == Address(victim, nodes[0]) && (string)n["status"]! == "Dead"), deadline.Token);

            // A fourth node joins mid-run and takes a share of the sessions that start after it.
            var joiner = await TestNodes.StartAsync("d", database.ConnectionString, data.NewStore(), data.Models, deadline.Token);
            nodes.Add(joiner);
            replay.Add(joiner);
            await replay.RunAsync(late, clients: 4, deadline.Token);
            var onJoiner = await SessionsOn(joiner, joiner);
            Assert.True(onJoiner > 0, $"the joining node runs none of the {late.Count} new sessions");

            TestContext.Current.TestOutputHelper?.WriteLine($"{batches} early batches; node {victim.Name} killed after {batches * 2 / 5} acknowledgements, running " +
                $"{victimSessions} sessions; {replay.Retried} requests sent again; the joining node runs {onJoiner} of {late.Count} new sessions");
            Assert.True(replay.Retried > 0, "no request failed when the node died: the kill did not land mid-replay");
            Assert.Single(replay.ModelVersions);
            Assert.Equal(data.Expected.Count, replay.Windows.Count);
            foreach (var (key, probability) in data.Expected)
            {
                Assert.True(replay.Windows.TryGetValue(key, out var got), $"window {key} was not scored on the cluster");
                Assert.Equal(probability, got); // exactly: the same extractor, the same model file, the same doubles
            }
        }
        catch (Exception) when (Dump(nodes))
        {
            throw;
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    /// <summary>Writes every node's output to the test log when the test fails (a filter: it never catches).</summary>
    private static bool Dump(List<ClusterNodeProcess> nodes)
    {
        foreach (var node in nodes)
            TestContext.Current.TestOutputHelper?.WriteLine($"--- node {node.Name} ({node.Url}):\n{node.Output}");
        return false;
    }

    internal static async Task<JsonNode> Cluster(ClusterNodeProcess node)
    {
        using var response = await node.Http.GetAsync("/api/v1/cluster", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    /// <summary>The silo address of <paramref name="node"/>, as <paramref name="asking"/> lists it (its HTTP port differs from its silo port).</summary>
    private static string Address(ClusterNodeProcess node, ClusterNodeProcess asking) => node.SiloAddress ?? throw new InvalidOperationException($"{node.Name} never said its address to {asking.Name}");

    /// <summary>The session grains running on <paramref name="node"/>, as <paramref name="asking"/>'s cluster view counts them.</summary>
    private static async Task<long> SessionsOn(ClusterNodeProcess asking, ClusterNodeProcess node)
    {
        if (node.SiloAddress is null)
            node.SiloAddress = (string)(await Cluster(node))["node"]!;
        var entry = (await Cluster(asking))["nodes"]!.AsArray().Single(n => (string)n!["address"]! == node.SiloAddress);
        return (long)entry!["sessions"]!;
    }

    internal static async Task Eventually(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        while (!await condition())
            await Task.Delay(250, cancellationToken);
    }
}

/// <summary>
/// Replays sessions through the cluster: each session's batches in order (1 to 4 events each), each batch to a random
/// live node; a batch that fails (503, or the node is gone) is sent again to another node until it is acknowledged.
/// An acknowledged batch must leave its session with exactly the events sent so far: none lost, none counted twice.
/// </summary>
internal sealed class Replay(List<ClusterNodeProcess> alive, int seed)
{
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();
    public long Acknowledged;
    public int Retried;

    public ConcurrentDictionary<(string Session, double End), double> Windows { get; } = new();
    public ConcurrentDictionary<string, bool> ModelVersions { get; } = new();

    public void Remove(ClusterNodeProcess node)
    {
        lock (_gate)
            alive.Remove(node);
    }

    public void Add(ClusterNodeProcess node)
    {
        lock (_gate)
            alive.Add(node);
    }

    private ClusterNodeProcess Pick()
    {
        lock (_gate)
            return alive[_random.Next(alive.Count)];
    }

    /// <summary>The session's batches; the sizes depend only on the session, so a plan can be counted before it runs.</summary>
    public static List<List<(double Time, string Action, double Depth)>> Plan(List<(double Time, string Action, double Depth)> events, string session)
    {
        var seed = 17;
        foreach (var c in session)
            seed = unchecked(seed * 31 + c);
        var random = new Random(seed);
        var batches = new List<List<(double, string, double)>>();
        for (var start = 0; start < events.Count;)
        {
            var n = Math.Min(random.Next(1, 5), events.Count - start);
            batches.Add(events.GetRange(start, n));
            start += n;
        }
        return batches;
    }

    public async Task RunAsync(List<(string Session, List<(double Time, string Action, double Depth)> Events)> sessions, int clients, CancellationToken cancellationToken)
    {
        var workers = Enumerable.Range(0, clients).Select(w => Task.Run(async () =>
        {
            for (var s = w; s < sessions.Count; s += clients)
                await SessionAsync(sessions[s].Session, sessions[s].Events, cancellationToken);
        }, cancellationToken));
        await Task.WhenAll(workers);
    }

    private async Task SessionAsync(string session, List<(double Time, string Action, double Depth)> events, CancellationToken cancellationToken)
    {
        var batches = Plan(events, session);
        var sent = 0;
        for (var b = 0; b < batches.Count; b++)
        {
            sent += batches[b].Count;
            var complete = b == batches.Count - 1;
            var body = Batch(batches[b], complete);
            while (true)
            {
                var node = Pick();
                HttpStatusCode status;
                string text;
                try
                {
                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    using var response = await node.Http.PostAsync($"/api/v1/sessions/{Uri.EscapeDataString(session)}/events", content, cancellationToken);
                    status = response.StatusCode;
                    text = await response.Content.ReadAsStringAsync(cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // The node died under this request: nothing was acknowledged, send it again elsewhere.
                    Interlocked.Increment(ref Retried);
                    await Task.Delay(100, cancellationToken);
                    continue;
                }
                if (status == HttpStatusCode.ServiceUnavailable)
                {
                    Interlocked.Increment(ref Retried);
                    await Task.Delay(200, cancellationToken);
                    continue;
                }
                Assert.True(status == HttpStatusCode.OK, $"{node.Name}: {(int)status} {text}");
                var report = JsonNode.Parse(text)!;
                Assert.Equal(sent, (long)report["eventCount"]!); // no acknowledged event lost, none applied twice
                Assert.Equal(complete, (bool)report["completed"]!);
                ModelVersions[(string)report["modelVersion"]!] = true;
                foreach (var w in report["windows"]!.AsArray())
                {
                    var key = (session, (double)w!["end"]!);
                    var p = (double)w["probability"]!;
                    Assert.True(Windows.GetOrAdd(key, p) == p, $"window {key} scored twice with different probabilities");
                }
                Interlocked.Increment(ref Acknowledged);
                break;
            }
        }
    }

    internal static string Batch(IEnumerable<(double Time, string Action, double Depth)> events, bool complete)
    {
        var body = new JsonObject
        {
            ["events"] = new JsonArray([.. events.Select(e => (JsonNode)new JsonObject
            {
                ["timestamp"] = e.Time,
                ["action"] = e.Action,
                ["scrollDepth"] = double.IsNaN(e.Depth) ? null : e.Depth,
            })]),
            ["complete"] = complete,
        };
        return body.ToJsonString();
    }
}
