using System.Text.Json.Nodes;
using Exania.Conversion;
using Exania.Events;
using Exania.Store;
using Exania.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Exania.Server.Tests;

/// <summary>The Taobao head (pv / cart / buy, no header, no prices) ingested and shown: the page's default funnel and its figures.</summary>
public sealed class TaobaoDashboardTests
{
    [Fact]
    public async Task TaobaoEvents_GiveThePvCartBuyFunnel_OfTheLibrary()
    {
        using var dir = new TestData.TempDir();
        var options = new EventReaderOptions { HasHeader = false, ColumnNames = ["user_id", "item_id", "category", "action", "timestamp"] };
        var (log, _) = EventLoader.Load([TestData.Path("taobao_head3000.csv")], options);
        var db = dir.File("taobao.duckdb");
        using (var store = EventStores.Open(db))
            store.Ingest(log, "taobao_head3000.csv", TestContext.Current.CancellationToken);
        await using var factory = new WebApplicationFactory<DashboardState>().WithWebHostBuilder(b => b.UseSetting("Exania:Db", db));
        using var client = factory.CreateClient();
        async Task<JsonNode> Get(string path) => JsonNode.Parse(await client.GetStringAsync(path, TestContext.Current.CancellationToken))!;

        var meta = await Get("/api/v1/meta");
        Assert.Equal("pv,cart,buy", (string)meta["defaultStages"]!);
        var funnel = await Get("/api/v1/funnel?stages=pv,cart,buy&by=user&windowDays=14");
        var library = Funnel.Count(log, new FunnelOptions { Steps = FunnelStep.ParseList("pv,cart,buy"), CountBy = FunnelUnit.User, WindowSeconds = 14 * 86_400 });
        Assert.Equal(library.Steps.Select(s => s.Count), funnel["steps"]!.AsArray().Select(s => (long)s!["count"]!));
        Assert.True(library.Steps[^1].Count > 0, "the sample has buyers");
        var overview = await Get("/api/v1/overview");
        Assert.Equal(log.Count, (long)overview["events"]!);
        Assert.Equal(log.Users.Count, (long)overview["users"]!);
        Assert.Equal(0.0, (double)overview["revenue"]!); // Taobao has no prices: no revenue, not an invented one
    }
}
