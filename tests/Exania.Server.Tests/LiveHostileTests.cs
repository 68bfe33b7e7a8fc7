using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Exania.Server.Tests;

/// <summary>
/// Hundreds of hostile bodies against every live endpoint: each gets a 4xx with a problem body (the bad field named
/// where there is one), none a 5xx, and a session scored around them is not affected.
/// </summary>
public class LiveHostileTests(LiveFixture fixture) : IClassFixture<LiveFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Good = "{\"timestamp\":1600000000,\"action\":\"click\",\"scrollDepth\":0.5}";

    /// <summary>A body with <paramref name="bad"/> as the event at <paramref name="position"/> of six good ones.</summary>
    private static string WithEvent(string bad, int position)
    {
        var events = new List<string>();
        for (var i = 0; i < 6; i++)
            events.Add(i == position ? bad : Good.Replace("1600000000", (1600000000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        return "{\"events\":[" + string.Join(',', events) + "]}";
    }

    /// <summary>(name, body, expected field or null): bodies that must be refused by POST /sessions/{id}/events.</summary>
    public static IEnumerable<(string Name, byte[] Body, string? Field)> EventCorpus()
    {
        static byte[] U(string s) => Encoding.UTF8.GetBytes(s);
        string[] structural =
        [
            "", " ", "null", "true", "1", "\"x\"", "[]", "[{}]", "{", "}", "{}", "{\"events\":null}", "{\"events\":{}}", "{\"events\":\"x\"}",
            "{\"events\":[1]}", "{\"events\":[[]]}", "{\"events\":[null]}", "{\"events\":[]}", "{\"events\":[]} x", "{\"events\":[]}{}",
            "{\"events\":[" + Good + "],\"events\":[" + Good + "]}", "{\"evnts\":[" + Good + "]}", "{\"events\":[" + Good + "],\"complete\":\"yes\"}",
            "{\"events\":[" + Good + "],\"complete\":1}", "{\"events\":[" + Good + "],\"user\":5}", "{\"events\":[" + Good + "],\"user\":\"\"}",
            "{\"events\":[" + Good + "],\"user\":\"" + new string('u', 300) + "\"}", "{\"events\":[" + Good + "],\"user\":\"a\\u0000b\"}",
            "{\"events\":[" + Good + "],\"user\":\"\\ud800\"}", "{\"events\":[" + Good + "],\"user\":{}}", "{'events':[]}", "{\"events\":[" + Good + ",]}",
            "{\"events\":[" + Good + "] ", new string('[', 5000) + new string(']', 5000), "{\"a\":" + new string('[', 100) + new string(']', 100) + "}",
            "{\"events\":[{\"timestamp\":1600000000,\"action\":\"click\",\"extra\":{\"deep\":[[[[[[[[[[1]]]]]]]]]]}}]}",
        ];
        foreach (var s in structural)
            yield return ($"structural: {Short(s)}", U(s), null);

        (string Value, string Reason)[] timestamps =
        [
            ("NaN", "bare NaN"), ("\"NaN\"", "NaN text"), ("Infinity", "bare Infinity"), ("1e999", "overflow"), ("-1e999", "negative overflow"), ("0", "1970"),
            ("-5", "negative"), ("1e20", "far future"), ("1600000000000", "milliseconds"), ("\"abc\"", "text"), ("\"2019-13-45T00:00:00Z\"", "bad date"),
            ("true", "boolean"), ("null", "null"), ("[]", "array"), ("{}", "object"), ("\"\"", "empty"), ("123456789012345678901234567890123456789", "huge integer"),
            ("\"1600000000\"", "number as text"), ("0x10", "hex"), ("1.6e9.1", "two dots"),
        ];
        (string Value, string Reason)[] actions =
        [
            ("\"\"", "empty"), ("\"CLICK\"", "wrong case"), ("\"purchase\"", "not an interaction"), ("5", "number"), ("null", "null"), ("true", "boolean"),
            ("\"" + new string('x', 10000) + "\"", "10k text"), ("\"\\u0000\"", "NUL"), ("[\"click\"]", "array"), ("{}", "object"), ("\"click \"", "trailing space"),
        ];
        (string Value, string Reason)[] depths =
        [
            ("-0.1", "negative"), ("1.5", "above 1"), ("\"0.5\"", "text"), ("true", "boolean"), ("1e999", "overflow"), ("{}", "object"), ("[0.5]", "array"), ("NaN", "bare NaN"),
        ];
        foreach (var position in new[] { 0, 3, 5 })
        {
            foreach (var (value, reason) in timestamps)
                yield return ($"timestamp {reason} at {position}", U(WithEvent($"{{\"timestamp\":{value},\"action\":\"click\"}}", position)), ExpectField(value, $"events[{position}].timestamp"));
            foreach (var (value, reason) in actions)
                yield return ($"action {reason} at {position}", U(WithEvent($"{{\"timestamp\":1600000000,\"action\":{value}}}", position)), ExpectField(value, $"events[{position}].action"));
            foreach (var (value, reason) in depths)
                yield return ($"scrollDepth {reason} at {position}", U(WithEvent($"{{\"timestamp\":1600000000,\"action\":\"click\",\"scrollDepth\":{value}}}", position)), ExpectField(value, $"events[{position}].scrollDepth"));
            yield return ($"no timestamp at {position}", U(WithEvent("{\"action\":\"click\"}", position)), $"events[{position}].timestamp");
            yield return ($"no action at {position}", U(WithEvent("{\"timestamp\":1600000000}", position)), $"events[{position}].action");
            yield return ($"unknown field at {position}", U(WithEvent("{\"timestamp\":1600000000,\"action\":\"click\",\"x\":1}", position)), $"events[{position}].x");
            yield return ($"repeated field at {position}", U(WithEvent("{\"timestamp\":1600000000,\"action\":\"click\",\"action\":\"hover\"}", position)), $"events[{position}].action");
            yield return ($"event is a number at {position}", U(WithEvent("7", position)), $"events[{position}]");
        }
        yield return ("1001 events", U("{\"events\":[" + string.Join(',', Enumerable.Repeat(Good, 1001)) + "]}"), "events");
        yield return ("2 MB body", U("{\"events\":[" + string.Join(',', Enumerable.Repeat(Good, 40_000)) + "]}"), null);
        yield return ("invalid UTF-8 in a string", [.. U("{\"events\":[{\"timestamp\":1600000000,\"action\":\"cl"), 0xFF, 0xFE, .. U("ick\"}]}")], null);
        yield return ("invalid UTF-8 in a name", [.. U("{\"ev"), 0xC3, .. U("ents\":[]}")], null);
        yield return ("UTF-16 body", Encoding.Unicode.GetBytes("{\"events\":[" + Good + "]}"), null);
        yield return ("NUL bytes", new byte[64], null);
    }

    private static string? ExpectField(string value, string field) =>
        // Bare NaN/Infinity, 0x10 and 1.6e9.1 are not JSON at all: the body as a whole is refused.
        value is "NaN" or "Infinity" or "0x10" or "1.6e9.1" ? null : field;

    private static string Short(string s) => s.Length <= 30 ? s : s[..30] + "…";

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(path, content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        JsonNode? json = null;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return (response.StatusCode, json);
    }

    private HttpClient Client()
    {
        var client = fixture.Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", LiveFixture.SiteKey);
        return client;
    }

    [Fact]
    public async Task EventCorpus_EveryBodyIsA4xxProblemNamingItsField_AndAControlSessionIsUnaffected()
    {
        using var client = Client();
        var control = Enumerable.Range(0, 40).Select(i => (1_600_000_000.0 + i * 7, i % 5 == 0 ? "scroll_down" : "click", i % 5 == 0 ? 0.1 * (i % 10) : double.NaN)).ToList();
        var (status, _) = await LiveScoringTests.PostAsync(client, "/api/v1/sessions/control/events", LiveScoringTests.Batch(control.Take(20)));
        Assert.Equal(HttpStatusCode.OK, status);

        var corpus = EventCorpus().ToList();
        Assert.True(corpus.Count > 150, $"{corpus.Count} cases");
        var n = 0;
        foreach (var (name, body, field) in corpus)
        {
            var (code, problem) = await SendAsync(client, $"/api/v1/sessions/hostile-{n++}/events", body);
            Assert.True((int)code is >= 400 and < 500, $"{name}: {(int)code} {problem?.ToJsonString()}");
            Assert.True(problem?["status"] is not null, $"{name}: no problem body");
            if (field is not null)
                Assert.True(problem!["errors"]?[field] is not null, $"{name}: the problem does not name {field}: {problem.ToJsonString()}");
        }

        // Hostile session ids in the path (a NUL is refused by Kestrel's own URL decoder before any endpoint runs).
        foreach (var id in new[] { new string('s', 300), "a%01b", "%E2%80%8F%1B" })
        {
            var (code, problem) = await SendAsync(client, $"/api/v1/sessions/{id}/events", Encoding.UTF8.GetBytes("{\"events\":[" + Good + "]}"));
            Assert.True(code == HttpStatusCode.BadRequest, $"{id}: {(int)code} {problem?.ToJsonString()}");
        }

        // The control session goes on as if nothing had happened: its windows equal a session that saw only its events.
        (status, var after) = await LiveScoringTests.PostAsync(client, "/api/v1/sessions/control/events", LiveScoringTests.Batch(control.Skip(20), complete: true));
        Assert.Equal(HttpStatusCode.OK, status);
        (_, var clean) = await LiveScoringTests.PostAsync(client, "/api/v1/sessions/clean/events", LiveScoringTests.Batch(control.Take(20)));
        (_, clean) = await LiveScoringTests.PostAsync(client, "/api/v1/sessions/clean/events", LiveScoringTests.Batch(control.Skip(20), complete: true));
        Assert.Equal(clean!["windows"]!.ToJsonString(), after!["windows"]!.ToJsonString());
        Assert.Equal(40, (long)after["eventCount"]!);
    }

    [Fact]
    public async Task RandomByteMutations_OfAGoodBatch_NeverGiveA5xx()
    {
        using var client = Client();
        var good = Encoding.UTF8.GetBytes(WithEvent(Good, 0));
        var random = new Random(2026);
        var statuses = new Dictionary<int, int>();
        for (var c = 0; c < 300; c++)
        {
            var body = (byte[])good.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                body[random.Next(body.Length)] = (byte)random.Next(256);
            var (code, problem) = await SendAsync(client, $"/api/v1/sessions/fuzz-{c}/events", body);
            Assert.True((int)code < 500, $"case {c} ({Encoding.UTF8.GetString(body)}): {(int)code} {problem?.ToJsonString()}");
            statuses[(int)code] = statuses.GetValueOrDefault((int)code) + 1;
        }
        Assert.Equal([200, 400], statuses.Keys.Order());
    }

    [Fact]
    public async Task PredictCorpus_EveryBadRowIsA4xx()
    {
        using var client = Client();
        var row20 = "[" + string.Join(',', Enumerable.Repeat("0.5", 20)) + "]";
        string[] click =
        [
            "", "{}", "[]", "{\"rows\":[]}", "{\"row\":null}", "{\"row\":[1,2,3]}", "{\"row\":\"x\"}", "{\"rows\":{}}", "{\"rows\":[" + row20 + "],\"row\":" + row20 + "}",
            "{\"row\":[" + string.Join(',', Enumerable.Repeat("0.5", 19)) + ",\"x\"]}", "{\"row\":[" + string.Join(',', Enumerable.Repeat("0.5", 19)) + ",1e999]}",
            "{\"row\":[" + string.Join(',', Enumerable.Repeat("0.5", 21)) + "]}", "{\"row\":{\"nope\":1}}", "{\"row\":{\"n_events\":1}}", "{\"x\":1}",
            "{\"rows\":[" + string.Join(',', Enumerable.Repeat(row20, 10_001)) + "]}", "{\"row\":" + row20 + "} trailing", "{\"row\":[" + new string('[', 3000) + "]}",
        ];
        foreach (var body in click)
        {
            var (code, problem) = await SendAsync(client, "/api/v1/predict/click", Encoding.UTF8.GetBytes(body));
            Assert.True((int)code is >= 400 and < 500, $"click {Short(body)}: {(int)code} {problem?.ToJsonString()}");
        }
        string[] tables =
        [
            "", "{}", "{\"rows\":[1]}", "{\"rows\":[[]]}", "{\"row\":{\"a\":{}}}", "{\"row\":{\"a\":[1]}}", "{\"rows\":[{\"spend\":1},{\"spend\":\"x\"}]}",
            "{\"row\":{\"spend\":1,\"spend\":2}}", "{\"row\":{\"spend\":1e999}}", "{\"row\":{}}", "{\"row\":{\"days_active\":\"many\"}}",
            "{\"row\":{" + string.Join(',', Enumerable.Range(0, 1500).Select(i => $"\"c{i}\":1")) + "}}",
        ];
        foreach (var path in new[] { "/api/v1/predict/roas", "/api/v1/predict/conversion" })
        {
            foreach (var body in tables)
            {
                var (code, problem) = await SendAsync(client, path, Encoding.UTF8.GetBytes(body));
                Assert.True((int)code is >= 400 and < 500, $"{path} {Short(body)}: {(int)code} {problem?.ToJsonString()}");
            }
        }
        foreach (var query in new[] { "top=abc", "top=-1", "top=1000000", "top=1e9", "top=" })
        {
            using var response = await client.GetAsync($"/api/v1/sessions/control/next-action?{query}", Ct);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{query}: {(int)response.StatusCode}");
        }
    }
}
