using System.Net;
using System.Text.Json.Nodes;
using Exania.Store;
using Exania.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Exania.Server.Tests;

/// <summary>The service around live scoring: write-behind to the store and its flush on shutdown, model reloads, rate limits.</summary>
public class LiveServiceTests(LiveFixture fixture) : IClassFixture<LiveFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<(double, string, double)> Events(int n, double start = 1_600_000_000) =>
        [.. Enumerable.Range(0, n).Select(i => (start + i * 3.0, i % 4 == 0 ? "scroll_down" : "click", i % 4 == 0 ? 0.25 : double.NaN))];

    /// <summary>DuckDB's threads (one unless told) and memory limit (DuckDB's default unless told); a negative value is refused.</summary>
    [Theory]
    [InlineData("Exania:StoreThreads", 1, 0, "--store-threads must be 0")]
    [InlineData("Exania:StoreMemoryMegabytes", 0, 512, "--store-memory-mb must be 0")]
    public async Task TheStoresDuckDbSetting_HasItsDefault_UnlessTold_AndANegativeValueIsRefused(string key, int byDefault, int told, string refusal)
    {
        static int Value(ServerSettings settings, string key) => key == "Exania:StoreThreads" ? settings.StoreThreads : settings.StoreMemoryMegabytes;
        Assert.Equal(byDefault, Value(fixture.Factory.Services.GetRequiredService<ServerSettings>(), key));
        var given = fixture.Factory.WithWebHostBuilder(b => b.UseSetting(key, told.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using (given)
            Assert.Equal(told, Value(given.Services.GetRequiredService<ServerSettings>(), key));
        var negative = fixture.Factory.WithWebHostBuilder(b => b.UseSetting(key, "-2"));
        await using (negative)
        {
            var error = Assert.Throws<ArgumentException>(() => negative.Services.GetRequiredService<ServerSettings>());
            Assert.Contains(refusal, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task LiveEvents_AreStoredBehind_FlushedOnShutdown_AndAReplayAddsNothing()
    {
        using var dir = new TestData.TempDir();
        var db = dir.File("behind.duckdb");
        var factory = fixture.Factory.WithWebHostBuilder(b => b.UseSetting("Exania:Db", db));
        await using (factory)
        {
            using var client = factory.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", LiveFixture.SiteKey);
            for (var s = 0; s < 5; s++)
            {
                var (status, _) = await LiveScoringTests.PostAsync(client, $"/api/v1/sessions/store-{s}/events", LiveScoringTests.Batch(Events(30), complete: true, user: $"u{s}"));
                Assert.Equal(HttpStatusCode.OK, status);
            }
            // One session's two requests inside one write: both stored (the second goes into the write's second round).
            for (var part = 0; part < 2; part++)
            {
                var (status, _) = await LiveScoringTests.PostAsync(client, "/api/v1/sessions/store-two/events",
                    LiveScoringTests.Batch(Events(10, 1_600_000_000 + part * 30), complete: part == 1, user: "u-two"));
                Assert.Equal(HttpStatusCode.OK, status);
            }
            // The same session sent again after it ended: scored as a new session, but the store already holds its events.
            var (again, _) = await LiveScoringTests.PostAsync(client, "/api/v1/sessions/store-0/events", LiveScoringTests.Batch(Events(30), complete: true, user: "u0"));
            Assert.Equal(HttpStatusCode.OK, again);
        } // disposing stops the host: the write-behind queue is stored before it ends

        using var store = EventStores.Open(db);
        Assert.Equal(170, store.Count);
        var log = store.Load();
        Assert.Equal(["u-two", "u0", "u1", "u2", "u3", "u4"], log.Users.Values.Order());
        Assert.Equal(6, log.Sessions.Count);
    }

    [Fact]
    public async Task ModelReport_IsTheReportPageOfTheLoadedFolder_AndAMissingResultsFileSaysWhichCommandWritesIt()
    {
        using var client = fixture.Factory.CreateClient();
        using var page = await client.GetAsync("/api/v1/models/click/report", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("data-report=\"click\"", html, StringComparison.Ordinal);
        // The page embeds the results file of the folder the service loaded.
        var results = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.Models, "training_results.json"), Ct))!;
        Assert.Contains($"\"oof_auc\": {(double)results["oof_auc"]!:R}", html, StringComparison.Ordinal);

        using var missing = await client.GetAsync("/api/v1/models/roas/report", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("roas_results.json", await missing.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var unknown = await client.GetAsync("/api/v1/models/..%2F..%2Fetc/report", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Reload_RefusesABadModelFile_KeepsTheOldModel_AndSwapsInAGoodOne()
    {
        using var dir = new TestData.TempDir();
        var models = dir.File("models");
        Directory.CreateDirectory(models);
        foreach (var file in Directory.GetFiles(fixture.Models))
            File.Copy(file, Path.Combine(models, Path.GetFileName(file)));
        var factory = fixture.Factory.WithWebHostBuilder(b => b.UseSetting("Exania:Models", models).UseSetting("Exania:Db", dir.File("r.duckdb")));
        await using (factory)
        {
            using var client = factory.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", LiveFixture.ApiKey);
            var row = new JsonObject { ["row"] = new JsonArray([.. Enumerable.Repeat(0.5, 20).Select(v => (JsonNode)v)]) }.ToJsonString();
            var (_, before) = await LiveScoringTests.PostAsync(client, "/api/v1/predict/click", row);
            var clickPath = Path.Combine(models, "click_model.json");
            var good = await File.ReadAllTextAsync(clickPath, Ct);

            await File.WriteAllTextAsync(clickPath, good[..(good.Length / 2)], Ct); // a half-written file
            var (status, problem) = await LiveScoringTests.PostAsync(client, "/api/v1/models/reload", "");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
            Assert.Contains("click_model.json", (string)problem!["detail"]!);
            var (_, still) = await LiveScoringTests.PostAsync(client, "/api/v1/predict/click", row);
            Assert.Equal(before!.ToJsonString(), still!.ToJsonString());

            // A different valid model: a new version, and its own probabilities.
            var changed = JsonNode.Parse(good)!;
            changed["intercept"] = (double)changed["intercept"]! + 1;
            await File.WriteAllTextAsync(clickPath, changed.ToJsonString(), Ct);
            (status, var report) = await LiveScoringTests.PostAsync(client, "/api/v1/models/reload", "");
            Assert.Equal(HttpStatusCode.OK, status);
            var (_, after) = await LiveScoringTests.PostAsync(client, "/api/v1/predict/click", row);
            Assert.NotEqual((string)before["modelVersion"]!, (string)after!["modelVersion"]!);
            Assert.Equal((string)after["modelVersion"]!, (string)report!["models"]!.AsArray().First(m => (string)m!["kind"]! == "Click")!["version"]!);
            Assert.True((double)after["probabilities"]![0]! > (double)before["probabilities"]![0]!);
        }
    }

    [Fact]
    public async Task RateLimit_PerKey_Answers429WithRetryAfter()
    {
        using var dir = new TestData.TempDir();
        var factory = fixture.Factory.WithWebHostBuilder(b => b.UseSetting("Exania:RateLimitPerSecond", "5").UseSetting("Exania:Db", dir.File("l.duckdb")));
        await using (factory)
        {
            using var client = factory.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", LiveFixture.SiteKey);
            var limited = 0;
            for (var i = 0; i < 30; i++)
            {
                using var content = new StringContent(LiveScoringTests.Batch(Events(1, 1_600_000_000 + i)), System.Text.Encoding.UTF8, "application/json");
                using var response = await client.PostAsync($"/api/v1/sessions/rate/events", content, Ct);
                if (response.StatusCode != HttpStatusCode.TooManyRequests)
                    continue;
                limited++;
                Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
                var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
                Assert.Equal(429, (int)problem["status"]!);
            }
            // A bucket of 5 refilled each second: 30 requests in less than 5 s cannot all pass.
            Assert.InRange(limited, 1, 25);

            // Made-up keys do not get buckets of their own: they count against the client's address (then 401).
            using var forger = factory.CreateClient();
            var forged = 0;
            for (var i = 0; i < 30; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sessions/forged/events")
                {
                    Content = new StringContent(LiveScoringTests.Batch(Events(1, 1_600_000_000 + i)), System.Text.Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("X-Api-Key", $"made-up-{i}");
                using var response = await forger.SendAsync(request, Ct);
                Assert.True(response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.Unauthorized, $"{response.StatusCode}");
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                    forged++;
            }
            Assert.InRange(forged, 1, 30);
        }
    }

    [Fact]
    public async Task TheDashboard_SeesLiveEvents_AfterItsRefresh()
    {
        using var dir = new TestData.TempDir();
        var factory = fixture.Factory.WithWebHostBuilder(b => b.UseSetting("Exania:Db", dir.File("d.duckdb")).UseSetting("Exania:DashboardRefreshSeconds", "0.001"));
        await using (factory)
        {
            using var client = factory.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", LiveFixture.SiteKey);
            var (status, _) = await LiveScoringTests.PostAsync(client, "/api/v1/sessions/dash-1/events", LiveScoringTests.Batch(Events(12), user: "shopper"));
            Assert.Equal(HttpStatusCode.OK, status);
            // The write-behind stores within about a second and the snapshot is refreshed on that write: poll, bounded.
            long events = 0;
            for (var attempt = 0; attempt < 100 && events < 12; attempt++)
            {
                await Task.Delay(100, Ct);
                var overview = JsonNode.Parse(await client.GetStringAsync("/api/v1/overview", Ct))!;
                events = (long)overview["events"]!;
            }
            Assert.Equal(12, events);
        }
    }

    [Fact]
    public async Task AChangedModelFile_IsReloadedByTheWatch_WithoutARequest()
    {
        using var dir = new TestData.TempDir();
        var models = dir.File("watched");
        Directory.CreateDirectory(models);
        File.Copy(Path.Combine(fixture.Models, "click_model.json"), Path.Combine(models, "click_model.json"));
        var factory = fixture.Factory.WithWebHostBuilder(b => b.UseSetting("Exania:Models", models).UseSetting("Exania:WatchModels", "true")
            .UseSetting("Exania:Db", dir.File("w.duckdb")));
        await using (factory)
        {
            using var client = factory.CreateClient();
            string Version(JsonNode report) => (string)report["models"]!.AsArray().Single()!["version"]!;
            var before = Version(JsonNode.Parse(await client.GetStringAsync("/api/v1/models", Ct))!);
            var changed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(models, "click_model.json"), Ct))!;
            changed["intercept"] = (double)changed["intercept"]! - 1;
            // Written as training writes it: a temporary file renamed over the old one.
            await File.WriteAllTextAsync(Path.Combine(models, "click_model.json.tmp"), changed.ToJsonString(), Ct);
            File.Move(Path.Combine(models, "click_model.json.tmp"), Path.Combine(models, "click_model.json"), overwrite: true);
            var after = before;
            for (var attempt = 0; attempt < 100 && after == before; attempt++)
            {
                await Task.Delay(100, Ct);
                after = Version(JsonNode.Parse(await client.GetStringAsync("/api/v1/models", Ct))!);
            }
            Assert.NotEqual(before, after);
        }
    }
}
