using System.Text.Json;
using Exania.Features;
using Exania.Server;
using Exania.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Exania.Browser.Tests;

/// <summary>
/// Server-side scoring from a real page: the demo page (one origin) runs <c>InteractionTracker</c> with its
/// <c>server</c> option against a running <c>exania serve</c> (another origin, CORS allow-list, site key) in
/// Chromium; the windows the page gets back equal the incremental extractor and the click model on the same events.
/// </summary>
public class LiveTrackerTests(DemoPageFixture fixture) : IClassFixture<DemoPageFixture>
{
    private const string SiteKey = "browser-site-key";

    [Fact]
    public async Task Tracker_SendsItsEventsToTheService_AndGetsTheBatchPathsProbabilities()
    {
        using var dir = new TestData.TempDir();
        var origin = fixture.Address.GetLeftPart(UriPartial.Authority);
        var app = DashboardHost.Build(["--db", dir.File("live.duckdb"), "--models", Path.Combine(fixture.Folder, "models"), "--urls", "http://127.0.0.1:0",
            "--site-keys", SiteKey, "--cors-origins", origin, "--Exania:WatchModels", "false"], quiet: true);
        await using (app)
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
            var service = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            var (page, errors) = await fixture.OpenDemoAsync();
            // 40 events, 4 s apart, with explicit times: the page records them as its listeners would.
            var json = await page.EvaluateAsync<string>("""
                async ([url, key]) => {
                  const { InteractionTracker } = await import('./interaction_predictor.js');
                  const scores = [];
                  const tracker = new InteractionTracker({
                    server: { url, sessionId: 'browser-1', siteKey: key, batchSize: 7, onScore: (s) => scores.push(s), onError: (e) => scores.push({ error: String(e) }) },
                  });
                  const actions = ['scroll_down', 'click', 'hover', 'scroll_up', 'wait', 'click', 'click_ad', 'scroll_down'];
                  for (let i = 0; i < 40; i++)
                    tracker.record(actions[i % actions.length], i % 3 === 0 ? (i % 10) / 10 : null, 1700000000 + 4 * i);
                  await tracker.complete();
                  return JSON.stringify(scores);
                }
                """, new object[] { service, SiteKey });
            Assert.Empty(errors);
            var scores = JsonDocument.Parse(json).RootElement;
            Assert.True(scores.GetArrayLength() >= 2, json); // the first batch of 7, then what queued behind it, then the completion
            var windows = new List<(double End, double Probability)>();
            foreach (var score in scores.EnumerateArray())
            {
                Assert.False(score.TryGetProperty("error", out var error), error.ToString());
                foreach (var w in score.GetProperty("windows").EnumerateArray())
                    windows.Add((w.GetProperty("end").GetDouble(), w.GetProperty("probability").GetDouble()));
            }

            // The same events through the library: the incremental extractor and the click model.
            var extractor = new IncrementalWindowExtractor();
            var expected = new List<(double, double)>();
            string[] names = ["scroll_down", "click", "hover", "scroll_up", "wait", "click", "click_ad", "scroll_down"];
            WindowHandler collect = (end, features) => expected.Add((end, fixture.Model.PredictProbability(features)));
            for (var i = 0; i < 40; i++)
            {
                var action = Events.KnownActions.Names.ToList().IndexOf(names[i % names.Length]);
                extractor.Push(1_700_000_000 + 4 * i, action, i % 3 == 0 ? i % 10 / 10.0 : double.NaN, collect);
            }
            extractor.Complete(collect);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, windows);
            await page.CloseAsync();
        }
    }
}
