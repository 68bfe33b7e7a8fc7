using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Exania.Conversion;

namespace Exania.Server.Tests;

/// <summary>
/// The JSON API against a real store: every figure checked against a reference computed another way on the same
/// events (DuckDB SQL over the CSV file itself, or the library engine on the file as the readers read it).
/// </summary>
public abstract class DashboardApiContract<TFixture>(TFixture fixture)
    where TFixture : DashboardFixture
{
    /// <summary>The fixture; a store whose server is absent skips the test here (or fails it where the server is required).</summary>
    protected TFixture Fixture
    {
        get
        {
            RequireStore();
            return fixture;
        }
    }

    protected virtual void RequireStore()
    {
    }

    protected async Task<JsonNode> GetAsync(string path)
    {
        using var client = Fixture.Factory.CreateClient();
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private object Sql(string select)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"WITH e AS (SELECT * FROM read_csv('{Fixture.EventsFile.Replace("'", "''", StringComparison.Ordinal)}', header = true, all_varchar = true)) {select}";
        return command.ExecuteScalar()!;
    }

    private long SqlCount(string select) => Convert.ToInt64(Sql(select), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Overview_EqualsSqlOverTheFile()
    {
        var o = await GetAsync("/api/v1/overview");
        Assert.Equal(SqlCount("SELECT count(*) FROM e"), (long)o["events"]!);
        Assert.Equal(SqlCount("SELECT count(DISTINCT user_id) FROM e"), (long)o["users"]!);
        Assert.Equal(SqlCount("SELECT count(DISTINCT user_session) FROM e"), (long)o["sessions"]!);
        Assert.Equal(SqlCount("SELECT count(DISTINCT user_session) FROM e WHERE event_type = 'purchase'"), (long)o["convertedSessions"]!);
        Assert.Equal(SqlCount("SELECT count(DISTINCT user_session) FROM e WHERE event_type = 'cart'"), (long)o["clickSessions"]!);
        Assert.Equal(SqlCount("SELECT count(*) FROM (SELECT user_session FROM e GROUP BY 1 HAVING bool_or(event_type = 'cart') AND NOT bool_or(event_type = 'purchase'))"),
            (long)o["droppedSessions"]!);
        var revenue = Convert.ToDouble(Sql("SELECT sum(CAST(price AS DOUBLE)) FROM e WHERE event_type = 'purchase'"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(revenue, (double)o["revenue"]!, 1e-6);
        Assert.Equal((double)(long)o["convertedSessions"]! / (long)o["sessions"]!, (double)o["conversionRate"]!, 1e-12);
        var daily = o["daily"]!.AsArray();
        Assert.Equal((long)o["events"]!, daily.Sum(d => (long)d!["events"]!));
        Assert.Equal((long)o["sessions"]!, daily.Sum(d => (long)d!["sessions"]!));
    }

    [Fact]
    public async Task Funnel_EqualsTheLibraryOnTheFile()
    {
        var api = await GetAsync("/api/v1/funnel?stages=view,cart%3F,purchase&by=session&windowDays=1");
        var library = Funnel.Count(Fixture.Events, new FunnelOptions { Steps = FunnelStep.ParseList("view,cart?,purchase"), CountBy = FunnelUnit.Session, WindowSeconds = 86_400 });
        Assert.Equal(library.Units, (long)api["units"]!);
        Assert.Equal(library.Steps.Select(s => s.Count), api["steps"]!.AsArray().Select(s => (long)s!["count"]!));
        Assert.Equal(library.Steps.Select(s => s.DroppedOff), api["steps"]!.AsArray().Select(s => (long)s!["droppedOff"]!));
        // The same SQL as issue #11's funnel checks, for the first and last step counted per session.
        Assert.Equal(SqlCount("SELECT count(DISTINCT user_session) FROM e WHERE event_type = 'view'"), (long)api["steps"]![0]!["count"]!);
    }

    [Fact]
    public async Task Paths_AndRetention_EqualTheLibraryOnTheFile()
    {
        var paths = await GetAsync("/api/v1/paths?length=3");
        var library = Paths.Count(Fixture.Events, new PathOptions { Length = 3, Top = 10 });
        Assert.Equal(library.Converted, (long)paths["data"]!["report"]!["converted"]!);
        Assert.Equal(library.TopAbandoning.Select(p => string.Join('>', p.Steps)),
            paths["data"]!["report"]!["topAbandoning"]!.AsArray().Select(p => string.Join('>', p!["steps"]!.AsArray().Select(s => (string)s!))));
        var retention = await GetAsync("/api/v1/retention?period=day");
        var cohorts = Retention.Compute(Fixture.Events, new RetentionOptions { Periods = 14 }).Cohorts;
        Assert.Equal(cohorts.Select(c => c.Users), retention["data"]!["cohorts"]!.AsArray().Select(c => (long)c!["users"]!));
    }

    [Fact]
    public async Task DateFilter_SelectsTheEventsOfThoseDays()
    {
        var inside = await GetAsync("/api/v1/overview?from=2019-10-01&to=2019-10-01");
        Assert.Equal(SqlCount("SELECT count(*) FROM e"), (long)inside["events"]!);
        var after = await GetAsync("/api/v1/overview?from=2019-10-02");
        Assert.Equal(0, (long)after["events"]!);
        Assert.Null(after["conversionRate"]); // no sessions: no rate, never a made-up 0
    }

    [Theory]
    [InlineData("segment", "x' OR '1'='1")]
    [InlineData("segment", "'); DROP TABLE events; --")]
    [InlineData("campaign", "c1' OR 1=1 --")]
    [InlineData("campaignType", "video\" OR \"\"=\"")]
    [InlineData("campaign", "%00%27")]
    public async Task HostileFilterValues_SelectNothing_AndLeaveTheStoreIntact(string filter, string value)
    {
        var before = (long)(await GetAsync("/api/v1/meta"))["events"]!;
        var o = await GetAsync($"/api/v1/overview?{filter}={Uri.EscapeDataString(value)}");
        Assert.Equal(0, (long)o["events"]!);
        using var client = Fixture.Factory.CreateClient();
        await client.PostAsync("/api/v1/reload", null, TestContext.Current.CancellationToken); // refused without the key; the read must not have written
        Assert.Equal(before, (long)(await GetAsync("/api/v1/meta"))["events"]!);
    }

    [Theory]
    [InlineData("/api/v1/overview?from=2019-13-45")]
    [InlineData("/api/v1/overview?from=2019-10-05&to=2019-10-01")]
    [InlineData("/api/v1/funnel?stages=view,nosuchaction")]
    [InlineData("/api/v1/funnel?stages=view')%3B%20DROP%20TABLE%20events%3B--")]
    [InlineData("/api/v1/breakdown?field=password&stages=view,purchase")]
    [InlineData("/api/v1/paths?length=0")]
    [InlineData("/api/v1/retention?period=year")]
    public async Task BadParameters_AreProblemDetails(string path)
    {
        using var client = Fixture.Factory.CreateClient();
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
    }

    [Fact]
    public async Task Pages_AndTheirAssets_AreServedFromTheService()
    {
        using var client = Fixture.Factory.CreateClient();
        foreach (var page in new[] { "overview.html", "behaviour.html", "adspend.html", "segments.html", "dashboard.js", "dashboard.css", "echarts.min.js" })
        {
            using var response = await client.GetAsync(page, TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, page);
            Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
        var html = await client.GetStringAsync("overview.html", TestContext.Current.CancellationToken);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal); // no CDN: every asset is the service's own
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }
}

public sealed class DuckDbDashboardApiTests(DashboardFixture fixture) : DashboardApiContract<DashboardFixture>(fixture), IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task SegmentFilter_SelectsTheEventsOfThatSegmentsUsers()
    {
        var even = await GetAsync("/api/v1/overview?segment=even");
        var expected = 0L;
        foreach (var u in Fixture.Events.UserIds)
            if (Fixture.Segments[Fixture.Events.Users[u]] == "even") expected++;
        Assert.Equal(expected, (long)even["events"]!);
        var segments = await GetAsync("/api/v1/segments");
        Assert.Equal(Fixture.Segments.Values.Count(v => v == "even"), (long)segments["data"]!["segments"]!.AsArray().Single(s => (string)s!["segment"]! == "even")!["users"]!);
    }

    [Fact]
    public async Task AdSpend_EqualsSumsOverTheCampaignTable_AndTheModelScoresIt()
    {
        var spend = Fixture.Campaigns.Get("spend").Numbers!;
        var revenue = Fixture.Campaigns.Get("revenue").Numbers!;
        var adType = Fixture.Campaigns.Get("ad_type").Texts!;
        var (s, r) = (0.0, 0.0);
        for (var i = 0; i < spend.Length; i++)
            if (adType[i] == "video") (s, r) = (s + (double.IsNaN(spend[i]) ? 0 : spend[i]), r + (double.IsNaN(revenue[i]) ? 0 : revenue[i]));
        var video = await GetAsync("/api/v1/adspend?campaignType=video");
        Assert.Equal(s, (double)video["data"]!["spend"]!, 1e-6);
        Assert.Equal(r / s, (double)video["data"]!["roas"]!, 1e-9);
        var model = video["data"]!["model"]!["data"]!;
        Assert.True((double)model["r2"]! > 0.5, $"the model fits its own table poorly: R² {model["r2"]}");
        Assert.NotEmpty(model["importance"]!.AsArray());
        var overview = await GetAsync("/api/v1/overview?campaignType=video");
        Assert.Equal(s, (double)overview["spend"]!, 1e-6);
    }

    [Fact]
    public async Task OpenApiDocument_IsTheCommittedOne()
    {
        var served = (await GetAsync("/openapi/v1.json")).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
        var committed = Path.Combine(AppContext.BaseDirectory, "openapi.v1.json");
        if (Environment.GetEnvironmentVariable("EXANIA_UPDATE_OPENAPI") == "1")
        {
            File.WriteAllText(Path.Combine(Exania.Testing.RepoPaths.Root, "docs", "openapi", "v1.json"), served);
            return;
        }
        Assert.True(File.Exists(committed), "docs/openapi/v1.json is missing: run the tests once with EXANIA_UPDATE_OPENAPI=1 and commit it.");
        Assert.Equal(File.ReadAllText(committed), served);
    }
}

/// <summary>The same API contract over a real PostgreSQL server: the same figures as over DuckDB.</summary>
public sealed class PostgresDashboardApiTests(PostgresDashboardFixture fixture) : DashboardApiContract<PostgresDashboardFixture>(fixture), IClassFixture<PostgresDashboardFixture>
{
    protected override void RequireStore() => Exania.Store.Tests.PostgresTestServer.RequireConnectionString();

    [Fact]
    public async Task TheStore_IsPostgreSql()
    {
        var meta = await GetAsync("/api/v1/meta");
        Assert.StartsWith("postgresql://", (string)meta["store"]!, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", (string)meta["store"]!, StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class MissingPanelTests(EventsOnlyFixture fixture) : DashboardApiContract<EventsOnlyFixture>(fixture), IClassFixture<EventsOnlyFixture>
{
    [Fact]
    public async Task MissingTables_NameTheCommandThatMakesThem()
    {
        var adspend = await GetAsync("/api/v1/adspend");
        Assert.Null(adspend["data"]);
        Assert.Contains("exania ingest --campaigns", (string)adspend["missing"]!, StringComparison.Ordinal);
        var segments = await GetAsync("/api/v1/segments");
        Assert.Contains("exania segment", (string)segments["missing"]!, StringComparison.Ordinal);
        var overview = await GetAsync("/api/v1/overview");
        Assert.Null(overview["spend"]);
        Assert.Null(overview["roas"]);
        var meta = await GetAsync("/api/v1/meta");
        Assert.Contains(meta["missing"]!.AsArray(), m => ((string)m!).Contains("exania train roas", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Writes_AreRefused_WhenNoKeyIsConfigured_OrTheKeyIsWrong()
    {
        using var client = Fixture.Factory.CreateClient();
        using var response = await client.PostAsync("/api/v1/reload", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

/// <summary>Writes change the store, so they run over a store of their own.</summary>
public sealed class DashboardWriteTests(WritableFixture fixture) : IClassFixture<WritableFixture>
{
    private DashboardFixture Fixture { get; } = fixture;

    private async Task<JsonNode> GetAsync(string path)
    {
        using var client = Fixture.Factory.CreateClient();
        return JsonNode.Parse(await client.GetStringAsync(path, TestContext.Current.CancellationToken))!;
    }

    [Fact]
    public async Task Writes_NeedTheApiKey_IngestIsIdempotent_AndOversizedBodiesAreRefused()
    {
        using var client = Fixture.Factory.CreateClient();
        const string csv = "user_id,session_id,timestamp,action\nnew-user,new-session,1569888000,view\nnew-user,new-session,1569888060,purchase\n";
        using (var response = await client.PostAsync("/api/v1/events", new StringContent(csv, Encoding.UTF8, "text/csv"), TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") })
        {
            request.Headers.Add("X-Api-Key", "wrong");
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        var before = (long)(await GetAsync("/api/v1/meta"))["events"]!;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };
            request.Headers.Add("X-Api-Key", DashboardFixture.ApiKey);
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var report = (await response.Content.ReadFromJsonAsync<JsonNode>(TestContext.Current.CancellationToken))!;
            Assert.Equal(attempt == 0 ? 2 : 0, (long)report["inserted"]!);
        }
        Assert.Equal(before + 2, (long)(await GetAsync("/api/v1/meta"))["events"]!);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new StringContent(csv + new string('x', 300_000), Encoding.UTF8, "text/csv") })
        {
            request.Headers.Add("X-Api-Key", DashboardFixture.ApiKey);
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new StringContent("user_id,timestamp\nu,notatime\n", Encoding.UTF8, "text/csv") })
        {
            request.Headers.Add("X-Api-Key", DashboardFixture.ApiKey);
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        Assert.Equal(before + 2, (long)(await GetAsync("/api/v1/meta"))["events"]!);
    }

}
