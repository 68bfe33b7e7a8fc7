using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exania.Campaigns;
using Exania.Conversion;
using Exania.Events;
using Exania.Roas;
using Exania.Sequence;
using Exania.Trees;

namespace Exania.Server.Tests;

/// <summary>
/// The live scoring API against the batch path: replaying the generated sessions through HTTP gives exactly the
/// probabilities of <c>exania windows</c> + <c>exania predict click</c>; every model endpoint equals the library on
/// the same rows; sessions keep their events apart; out-of-order and unauthorised requests are refused.
/// </summary>
public class LiveScoringTests(LiveFixture fixture) : IClassFixture<LiveFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The generated sessions as the readers give them: session id → events in time order.</summary>
    private List<(string Session, List<(double Time, string Action, double Depth)> Events)> Sessions()
    {
        var (log, _) = EventLoader.Load([fixture.EventsFile]);
        var index = SessionIndex.Build(log);
        var sessions = new List<(string, List<(double, string, double)>)>();
        for (var s = 0; s < index.SessionCount; s++)
        {
            var events = new List<(double, string, double)>();
            foreach (var r in index.Rows(s))
                events.Add((log.Timestamps[r], log.Actions[log.ActionCodes[r]], log.Attributes[r].ScrollDepth));
            sessions.Add((log.Sessions[index.SessionIds[s]], events));
        }
        return sessions;
    }

    /// <summary>predictions.csv: (session, window end) → (probability, predicted click).</summary>
    private Dictionary<(string, double), (double, bool)> BatchPredictions()
    {
        var lines = File.ReadAllLines(fixture.PredictionsFile);
        Assert.Equal("session_id,window_end,click_probability,predicted_click", lines[0]);
        var result = new Dictionary<(string, double), (double, bool)>();
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            result.Add((f[0], double.Parse(f[1], CultureInfo.InvariantCulture)), (double.Parse(f[2], CultureInfo.InvariantCulture), f[3] == "1"));
        }
        return result;
    }

    internal static string Batch(IEnumerable<(double Time, string Action, double Depth)> events, bool complete = false, string? user = null)
    {
        var body = new JsonObject();
        if (user is not null)
            body["user"] = user;
        body["events"] = new JsonArray([.. events.Select(e => (JsonNode)new JsonObject
        {
            ["timestamp"] = e.Time,
            ["action"] = e.Action,
            ["scrollDepth"] = double.IsNaN(e.Depth) ? null : e.Depth,
        })]);
        body["complete"] = complete;
        return body.ToJsonString();
    }

    private HttpClient Client(string? key = LiveFixture.SiteKey)
    {
        var client = fixture.Factory.CreateClient();
        if (key is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    internal static async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static void Collect(JsonNode body, string session, Dictionary<(string, double), (double, bool)> into)
    {
        foreach (var w in body["windows"]!.AsArray())
            into.Add((session, (double)w!["end"]!), ((double)w["probability"]!, (bool)w["click"]!));
    }

    [Fact]
    public async Task Replay_EventByEventAcrossInterleavedSessions_GivesExactlyTheBatchProbabilities()
    {
        var sessions = Sessions();
        var expected = BatchPredictions();
        Assert.True(expected.Count > 300, $"only {expected.Count} windows");
        var live = new Dictionary<(string, double), (double, bool)>();
        using var client = Client();
        // Round robin over the sessions, one event per request: every session's state lives beside the others'.
        var longest = sessions.Max(s => s.Events.Count);
        for (var i = 0; i < longest; i++)
        {
            foreach (var (session, events) in sessions)
            {
                if (i >= events.Count)
                    continue;
                var last = i == events.Count - 1;
                var (status, body) = await PostAsync(client, $"/api/v1/sessions/{Uri.EscapeDataString("replay1-" + session)}/events", Batch([events[i]], complete: last));
                Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
                Assert.Equal(i + 1, (long)body!["eventCount"]!);
                Assert.Equal(last, (bool)body["completed"]!);
                Collect(body, session, live);
            }
        }
        Assert.Equal(expected.Count, live.Count);
        foreach (var (key, value) in expected)
        {
            Assert.True(live.TryGetValue(key, out var got), $"window {key} was not scored live");
            Assert.Equal(value.Item1, got.Item1); // exactly: the same extractor, the same model, the same doubles
            Assert.Equal(value.Item2, got.Item2);
        }
    }

    [Fact]
    public async Task Replay_InShuffledBatchesOfRandomSize_GivesTheSameProbabilities()
    {
        var sessions = Sessions();
        var expected = BatchPredictions();
        var live = new Dictionary<(string, double), (double, bool)>();
        var random = new Random(11);
        using var client = Client();
        foreach (var (session, events) in sessions)
        {
            for (var start = 0; start < events.Count;)
            {
                var n = Math.Min(random.Next(1, 16), events.Count - start);
                // Within a batch the order does not matter: the service puts it in time order, as the batch path does.
                var batch = events.GetRange(start, n).OrderBy(_ => random.Next()).ToList();
                start += n;
                var (status, body) = await PostAsync(client, $"/api/v1/sessions/replay2-{session}/events", Batch(batch, complete: start == events.Count));
                Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
                Collect(body!, session, live);
            }
        }
        Assert.Equal(expected.Count, live.Count);
        foreach (var (key, value) in expected)
            Assert.Equal(value, live[key]);
    }

    [Fact]
    public async Task Current_IsTheWindowEndingAtTheLastEvent_AndAnEarlierEventIsRefusedWithoutChangingTheSession()
    {
        var (_, events) = Sessions().First(s => s.Events.Count > 20);
        using var client = Client();
        var (status, body) = await PostAsync(client, "/api/v1/sessions/order-1/events", Batch(events.Take(10)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(events[9].Time, (double)body!["current"]!["end"]!);
        Assert.Equal(events[9].Time - 120, (double)body["current"]!["start"]!);
        Assert.False(string.IsNullOrEmpty((string?)body["modelVersion"]));

        // An event before the last accepted one: 400 naming it; the session is as it was.
        (status, body) = await PostAsync(client, "/api/v1/sessions/order-1/events", Batch([events[10], (events[9].Time - 5, "click", double.NaN)]));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("events[1].timestamp", body!["errors"]!.AsObject().Select(p => p.Key));
        Assert.Contains("comes before the session's last accepted event", (string)body["detail"]!);
        (status, body) = await PostAsync(client, "/api/v1/sessions/order-1/events", Batch(events.Skip(10).Take(1)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(11, (long)body!["eventCount"]!);
    }

    [Fact]
    public async Task WithoutTheSiteKey_LiveEndpointsAreRefused_AndReloadNeedsTheAdminKey()
    {
        using var anonymous = Client(key: null);
        var (status, body) = await PostAsync(anonymous, "/api/v1/sessions/k/events", Batch([(1.6e9, "click", double.NaN)]));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(401, (int)body!["status"]!);
        using var site = Client();
        (status, _) = await PostAsync(site, "/api/v1/models/reload", "");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        using var admin = Client(LiveFixture.ApiKey);
        (status, body) = await PostAsync(admin, "/api/v1/models/reload", "");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["click", "roas", "sequence", "conversion"], body!["models"]!.AsArray().Select(m => ((string)m!["kind"]!).ToLowerInvariant()));
    }

    [Fact]
    public async Task NextAction_EqualsTheSequenceModelOnTheSessionSoFar_WithItsAttention()
    {
        var (_, events) = Sessions().First(s => s.Events.Count > 12);
        using var client = Client();
        var (status, _) = await PostAsync(client, "/api/v1/sessions/next-1/events", Batch(events.Take(12)));
        Assert.Equal(HttpStatusCode.OK, status);
        using var response = await client.GetAsync("/api/v1/sessions/next-1/next-action?top=3", Ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());

        var model = SequenceModel.Load(Path.Combine(fixture.Models, "sequence_model.json"));
        var first = events.Take(12).ToList();
        var expected = model.Predict([.. first.Select(e => e.Action)], [.. first.Select(e => e.Time)]);
        var top = body["top"]!.AsArray();
        Assert.Equal(3, top.Count);
        var ranked = Enumerable.Range(0, expected.Probabilities.Length).OrderByDescending(i => expected.Probabilities[i]).ThenBy(i => i).Take(3).ToList();
        for (var k = 0; k < 3; k++)
        {
            Assert.Equal(model.Vocabulary.ClassName(ranked[k]), (string)top[k]!["action"]!);
            Assert.Equal(expected.Probabilities[ranked[k]], (double)top[k]!["probability"]!, 6);
        }
        var attention = body["attention"]!.AsArray();
        Assert.Equal(expected.Attention.Length, attention.Count);
        Assert.Equal(1.0, attention.Sum(a => (double)a!["weight"]!), 4);
        Assert.Equal(first[^1].Time, (double)attention[^1]!["timestamp"]!);

        using var missing = await client.GetAsync("/api/v1/sessions/never-seen/next-action", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var badTop = await client.GetAsync("/api/v1/sessions/next-1/next-action?top=0", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badTop.StatusCode);
    }

    [Fact]
    public async Task PredictClick_OnWindowRows_EqualsPredictClick_ForArraysAndNamedObjects()
    {
        var lines = File.ReadAllLines(Path.Combine(fixture.Folder, "windows.csv"));
        var header = lines[0].Split(',');
        var featureColumns = Features.WindowFeatures.Names.Select(n => Array.IndexOf(header, n)).ToArray();
        Assert.DoesNotContain(-1, featureColumns);
        var expected = BatchPredictions();
        var endColumn = Array.IndexOf(header, "window_end");
        var rows = lines.Skip(1).Take(40).Select(l => l.Split(',')).ToList();
        var arrays = new JsonArray([.. rows.Select(f => (JsonNode)new JsonArray([.. featureColumns.Select(c => (JsonNode)double.Parse(f[c], CultureInfo.InvariantCulture))]))]);
        using var client = Client();
        var (status, body) = await PostAsync(client, "/api/v1/predict/click", new JsonObject { ["rows"] = arrays }.ToJsonString());
        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        var probabilities = body!["probabilities"]!.AsArray();
        for (var r = 0; r < rows.Count; r++)
            Assert.Equal(expected[(rows[r][0], double.Parse(rows[r][endColumn], CultureInfo.InvariantCulture))].Item1, (double)probabilities[r]!);

        var named = new JsonObject();
        for (var i = 0; i < featureColumns.Length; i++)
            named[Features.WindowFeatures.Names[i]] = double.Parse(rows[0][featureColumns[i]], CultureInfo.InvariantCulture);
        (status, body) = await PostAsync(client, "/api/v1/predict/click", new JsonObject { ["row"] = named }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((double)probabilities[0]!, (double)body!["probabilities"]![0]!);
    }

    [Fact]
    public async Task PredictRoas_AndPredictConversion_EqualTheLibraryOnTheSameRows()
    {
        var table = fixture.Campaigns.Select([.. Enumerable.Range(0, 25)]);
        var rows = new JsonArray();
        for (var r = 0; r < table.Rows; r++)
        {
            var row = new JsonObject();
            foreach (var column in table.Columns)
                row[column.Name] = column.IsNumeric ? (double.IsNaN(column.Numbers![r]) ? null : column.Numbers[r]) : column.Texts![r];
            rows.Add(row);
        }
        using var client = Client();
        var expected = RoasTrainer.Predict(GbtModel.Load(Path.Combine(fixture.Models, "roas_model.json")), table);
        // A batch goes through ONNX Runtime (float32 trees: equal to a float's precision); a few rows through C#, exactly.
        var (status, body) = await PostAsync(client, "/api/v1/predict/roas", new JsonObject { ["rows"] = rows }.ToJsonString());
        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        Assert.Equal("OnnxRuntime", (string)body!["engine"]!);
        var got = body["predictions"]!.AsArray().Select(p => (double)p!).ToArray();
        for (var r = 0; r < expected.Length; r++)
            Assert.True(Math.Abs(expected[r] - got[r]) <= 1e-5 * Math.Max(1, Math.Abs(expected[r])), $"row {r}: {expected[r]} vs {got[r]}");
        var few = new JsonArray([.. rows.Take(Scoring.Predictions.RoasOnnxRuntimeFromRows - 1).Select(r => r!.DeepClone())]);
        (status, body) = await PostAsync(client, "/api/v1/predict/roas", new JsonObject { ["rows"] = few }.ToJsonString());
        Assert.Equal("CSharp", (string)body!["engine"]!);
        Assert.Equal(expected.Take(few.Count), body["predictions"]!.AsArray().Select(p => (double)p!));

        var (sessions, _) = CampaignTableReader.Read(fixture.ConversionTable);
        var conversionRows = new JsonArray();
        for (var r = 0; r < 30; r++)
        {
            var row = new JsonObject();
            foreach (var column in sessions.Columns)
                row[column.Name] = column.IsNumeric ? column.Numbers![r] : column.Texts![r];
            conversionRows.Add(row);
        }
        var model = ConversionModel.Load(Path.Combine(fixture.Models, "conversion_model.json"));
        var flat = model.Predict(sessions.Select([.. Enumerable.Range(0, 30)]));
        foreach (var (count, engine) in new[] { (30, "OnnxRuntime"), (Scoring.Predictions.ConversionOnnxRuntimeFromRows - 1, "CSharp") })
        {
            var request = new JsonArray([.. conversionRows.Take(count).Select(r => r!.DeepClone())]);
            (status, body) = await PostAsync(client, "/api/v1/predict/conversion", new JsonObject { ["rows"] = request }.ToJsonString());
            Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
            Assert.Equal(engine, (string)body!["engine"]!);
            var probabilities = body["probabilities"]!.AsArray();
            for (var r = 0; r < count; r++)
            {
                for (var o = 0; o < model.Outputs.Count; o++)
                {
                    var want = flat[r * model.Outputs.Count + o];
                    var have = (double)probabilities[r]![o]!;
                    Assert.True(engine == "CSharp" ? want == have : Math.Abs(want - have) <= 1e-5, $"row {r}, output {o}: {want} vs {have} ({engine})");
                }
            }
        }
    }

    [Fact]
    public async Task Health_Metrics_AndCors_AreServed()
    {
        using var client = Client(key: null);
        using (var live = await client.GetAsync("/health/live", Ct))
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using (var ready = await client.GetAsync("/health/ready", Ct))
        {
            var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync(Ct))!;
            Assert.True(ready.StatusCode == HttpStatusCode.OK, body.ToJsonString());
            Assert.Equal("Healthy", (string)body["checks"]!["models"]!["status"]!);
            Assert.Contains("click_model.json", (string)body["checks"]!["models"]!["description"]!);
        }
        using var site = Client();
        await PostAsync(site, "/api/v1/sessions/metrics-1/events", Batch([(1.6e9, "click", double.NaN)]));
        var metrics = await client.GetStringAsync("/metrics", Ct);
        Assert.Contains("exania_live_events", metrics);
        Assert.Contains("exania_live_sessions", metrics);
        Assert.Contains("http_server_request_duration", metrics);

        foreach (var (origin, allowed) in new[] { (LiveFixture.AllowedOrigin, true), ("http://evil.example", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/sessions/c/events");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");
            using var response = await client.SendAsync(preflight, Ct);
            Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == origin);
        }
    }
}
