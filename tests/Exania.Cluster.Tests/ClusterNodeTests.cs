using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Exania.Cli;
using Exania.Store.Tests;

namespace Exania.Cluster.Tests;

/// <summary>
/// Two nodes: readiness waits for membership, a session's state follows it from node to node, a model reload asked of
/// one node reaches the other (model version on every answer), and a repeated batch is answered, not applied twice.
/// </summary>
[Collection("cluster")]
public class ClusterNodeTests(ClusterData data)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode, JsonNode?)> SendAsync(ClusterNodeProcess node, HttpMethod method, string path, string? json = null, bool admin = false)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (admin)
            request.Headers.Add("X-Api-Key", TestNodes.ApiKey);
        using var response = await node.Http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task TwoNodes_ShareSessions_ReloadModelsTogether_AndAnswerARepeatOnce()
    {
        using var database = new TemporaryDatabase(PostgresTestServer.RequireConnectionString());
        // A models folder of this test's own: it is changed below.
        var models = data.Folder("reload-models");
        foreach (var file in Directory.GetFiles(data.Models))
            File.Copy(file, Path.Combine(models, Path.GetFileName(file)), overwrite: true);
        await using var a = await TestNodes.StartAsync("a", database.ConnectionString, data.NewStore(), models, Ct);
        await using var b = await TestNodes.StartAsync("b", database.ConnectionString, data.NewStore(), models, Ct);

        var (status, ready) = await SendAsync(b, HttpMethod.Get, "/health/ready");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", (string)ready!["checks"]!["cluster"]!["status"]!);
        var view = await ClusterFailoverTests.Cluster(a);
        Assert.Equal(2, view["nodes"]!.AsArray().Count(n => (string)n!["status"]! == "Active"));

        // One session, its batches alternating between the nodes: the state follows it.
        var (session, events) = data.Sessions.First(s => s.Events.Count >= 12);
        var half = events.Count / 2;
        var (s1, r1) = await SendAsync(a, HttpMethod.Post, $"/api/v1/sessions/{session}/events", Replay.Batch(events.Take(half), false));
        Assert.Equal(HttpStatusCode.OK, s1);
        var repeated = Replay.Batch(events.Skip(half).Take(3), false);
        var (s2, r2) = await SendAsync(b, HttpMethod.Post, $"/api/v1/sessions/{session}/events", repeated);
        Assert.Equal(HttpStatusCode.OK, s2);
        Assert.Equal(half + 3, (long)r2!["eventCount"]!);
        Assert.False((bool)r2["replayed"]!);
        // The same body again (a client that never saw the answer): the same answer, nothing applied twice.
        var (s3, r3) = await SendAsync(a, HttpMethod.Post, $"/api/v1/sessions/{session}/events", repeated);
        Assert.Equal(HttpStatusCode.OK, s3);
        Assert.True((bool)r3!["replayed"]!);
        Assert.Equal(half + 3, (long)r3["eventCount"]!);
        Assert.Equal(r2["windows"]!.ToJsonString(), r3["windows"]!.ToJsonString());
        // An event before the session's last one is refused wherever it arrives, naming the field.
        var (s4, r4) = await SendAsync(b, HttpMethod.Post, $"/api/v1/sessions/{session}/events", Replay.Batch(events.Take(1), false));
        Assert.Equal(HttpStatusCode.BadRequest, s4);
        Assert.Contains("events[0].timestamp", r4!["errors"]!.ToJsonString(), StringComparison.Ordinal);
        var before = (string)r1!["modelVersion"]!;

        // A new click model in the folder, reloaded by asking node a only.
        var retrained = data.Folder("retrained");
        ClusterData.Cli("train", "click", "--features", Path.Combine(Path.GetDirectoryName(data.EventsFile)!, "windows.csv"), "--out", retrained, "--folds", "2",
            "--degree", "1");
        File.Copy(Path.Combine(retrained, "click_model.json"), Path.Combine(models, "click_model.json"), overwrite: true);
        var (denied, _) = await SendAsync(a, HttpMethod.Post, "/api/v1/models/reload");
        Assert.Equal(HttpStatusCode.Unauthorized, denied);
        var (reloaded, report) = await SendAsync(a, HttpMethod.Post, "/api/v1/models/reload", admin: true);
        Assert.Equal(HttpStatusCode.OK, reloaded);
        var after = (string)report!["models"]!.AsArray().Single(m => (string)m!["kind"]! == "Click")!["version"]!;
        Assert.NotEqual(before, after);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await ClusterFailoverTests.Eventually(async () =>
        {
            var (_, m) = await SendAsync(b, HttpMethod.Get, "/api/v1/models");
            return (string)m!["models"]!.AsArray().Single(x => (string)x!["kind"]! == "Click")!["version"]! == after;
        }, timeout.Token);
        // Every answer names the model that scored it: now the new one, on either node.
        var (s5, r5) = await SendAsync(b, HttpMethod.Post, "/api/v1/sessions/fresh-1/events", Replay.Batch(events.Take(2), false));
        Assert.Equal(HttpStatusCode.OK, s5);
        Assert.Equal(after, (string)r5!["modelVersion"]!);
        Assert.True((long)(await ClusterFailoverTests.Cluster(b))["modelGeneration"]! >= 1);
    }

    [Fact]
    public async Task IdleSession_IsForgottenOnTheCluster_AsOnOneNode()
    {
        using var database = new TemporaryDatabase(PostgresTestServer.RequireConnectionString());
        // A time to live of 3 s: the sweep runs every 1.5 s.
        await using var node = await TestNodes.StartAsync("ttl", database.ConnectionString, data.NewStore(), data.Models, Ct,
            new Dictionary<string, string> { ["Exania__SessionTtlMinutes"] = "0.05" });
        var (_, events) = data.Sessions.First(s => s.Events.Count >= 6);
        var (s1, r1) = await SendAsync(node, HttpMethod.Post, "/api/v1/sessions/idle-1/events", Replay.Batch(events.Take(3), false));
        Assert.Equal(HttpStatusCode.OK, s1);
        Assert.Equal(3L, (long)r1!["eventCount"]!);
        Assert.Equal(1L, database.Scalar("SELECT count(*) FROM orleansstorage WHERE graintypestring = 'session' AND grainidextensionstring = 'idle-1'"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await ClusterFailoverTests.Eventually(() => Task.FromResult(
            (long)database.Scalar("SELECT count(*) FROM orleansstorage WHERE graintypestring = 'session' AND grainidextensionstring = 'idle-1'")! == 0), timeout.Token);
        // Its next events start a new session, as an expired session does on one node.
        var (s2, r2) = await SendAsync(node, HttpMethod.Post, "/api/v1/sessions/idle-1/events", Replay.Batch(events.Skip(3).Take(2), false));
        Assert.Equal(HttpStatusCode.OK, s2);
        Assert.Equal(2L, (long)r2!["eventCount"]!);
    }

    [Fact]
    public async Task Schema_IsCreatedOnce_WhenNodesMeetAnEmptyDatabaseTogether()
    {
        using var database = new TemporaryDatabase(PostgresTestServer.RequireConnectionString());
        var created = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ClusterSchema.EnsureAsync(database.ConnectionString, Ct)));
        Assert.Equal(1, created.Count(c => c));
        Assert.False(await ClusterSchema.EnsureAsync(database.ConnectionString, Ct));
        Assert.Equal(3L, database.Scalar("SELECT count(*) FROM information_schema.tables WHERE table_name IN ('orleansquery', 'orleansmembershiptable', 'orleansstorage')"));
        Assert.True((long)database.Scalar("SELECT count(*) FROM orleansquery")! > 5);
    }
}
