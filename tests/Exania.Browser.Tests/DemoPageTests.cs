using System.Globalization;
using System.Text.Json;
using Exania.Events;
using Exania.Features;
using Exania.Testing;
using Microsoft.Playwright;

namespace Exania.Browser.Tests;

/// <summary>The exported demo page in a real browser: real interactions in, the C# model's probability out.</summary>
public sealed class DemoPageTests(DemoPageFixture fixture, ITestOutputHelper output) : IClassFixture<DemoPageFixture>
{
    [Fact]
    public async Task DemoPage_RealInteractions_ShowTheCSharpModelsProbability()
    {
        var (page, errors) = await fixture.OpenDemoAsync("?idle=1.5");
        // Real input through the browser: wheel scrolls, hovers, clicks, an idle pause, scrolling back up.
        for (var i = 0; i < 6; i++)
        {
            await page.Mouse.WheelAsync(0, 500);
            await page.WaitForTimeoutAsync(320);
        }
        var tracked = page.Locator("[data-track]");
        var count = await tracked.CountAsync();
        Assert.True(count >= 3, "the demo has trackable elements");
        for (var i = 0; i < 3; i++)
        {
            await tracked.Nth(i).ScrollIntoViewIfNeededAsync();
            await tracked.Nth(i).HoverAsync();
            await page.WaitForTimeoutAsync(300);
        }
        await tracked.Nth(1).ClickAsync();
        await page.WaitForTimeoutAsync(2_200); // idle: the tracker records a wait
        await page.Mouse.WheelAsync(0, -400);
        await page.WaitForTimeoutAsync(400);
        await page.Mouse.ClickAsync(640, 300);
        await page.WaitForTimeoutAsync(400);

        // One snapshot, so an idle "wait" arriving between two reads cannot split log and prediction.
        var snapshot = await page.EvaluateAsync<JsonElement>(@"() => ({
            log: window.exaniaDemo.eventLog(),
            prediction: window.exaniaDemo.lastPrediction(),
            shown: document.getElementById('probability').getAttribute('data-probability') })");
        var log = ParseLog(snapshot.GetProperty("log"));
        var actions = log.Select(e => e.Action).ToHashSet();
        foreach (var expected in new[] { "scroll_down", "scroll_up", "hover", "click", "wait" })
            Assert.Contains(expected, actions);

        var shown = snapshot.GetProperty("prediction");
        var windowEnd = shown.GetProperty("windowEnd").GetDouble();
        var probability = shown.GetProperty("probability").GetDouble();
        var pageFeatures = shown.GetProperty("features").EnumerateArray().Select(f => f.GetDouble()).ToArray();
        var domProbability = double.Parse(snapshot.GetProperty("shown").GetString() ?? "NaN", CultureInfo.InvariantCulture);
        Assert.Equal(probability, domProbability);

        // The same event log through the C# extractor and model.
        var vocabulary = new ActionVocabulary();
        var extractor = new IncrementalWindowExtractor();
        foreach (var e in log)
            extractor.Push(e.T, vocabulary.GetOrAdd(e.Action), e.Depth, null);
        var features = new double[WindowFeatures.Count];
        Assert.True(extractor.TryComputeAt(windowEnd, features), "the last window has enough events");
        for (var f = 0; f < WindowFeatures.Count; f++)
            Assert.True(Math.Abs(features[f] - pageFeatures[f]) <= 1e-9 * Math.Max(1, Math.Abs(features[f])),
                $"{WindowFeatures.Names[f]}: C# {features[f]:R}, browser {pageFeatures[f]:R}");
        var expectedProbability = fixture.Model.PredictProbability(features);
        output.WriteLine($"{log.Count} events, window end {windowEnd:R}: browser {probability:R}, C# {expectedProbability:R}");
        Assert.InRange(probability, expectedProbability - 1e-4, expectedProbability + 1e-4);

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoPageFixture.ArtifactsFolder, "demo.png"), FullPage = false });
        Assert.True(errors.Count == 0, "browser errors:\n" + string.Join("\n", errors));
        await page.CloseAsync();
    }

    /// <summary>
    /// The demo page's benchmark (a feature of the page, for people trying it) runs and reports what it measured. The
    /// latency figures themselves come from the benchmark `npm run bench` in js/ (docs/benchmarks.md), not from tests.
    /// </summary>
    [Fact]
    public async Task DemoPage_Benchmark_ReportsPerCallTimesForTheRequestedCalls()
    {
        var (page, _) = await fixture.OpenDemoAsync();
        var result = await page.EvaluateAsync<JsonElement>("() => window.exaniaDemo.benchmark(200)");
        var median = result.GetProperty("median_ms").GetDouble();
        var p99 = result.GetProperty("p99_ms").GetDouble();
        Assert.Equal(200, result.GetProperty("n").GetInt32());
        Assert.True(median >= 0 && p99 >= median && double.IsFinite(p99), $"median {median}, p99 {p99}");
        var error = await page.EvaluateAsync<string>("async () => { try { await window.exaniaDemo.benchmark(0); return 'no error'; } catch (e) { return e.message; } }");
        Assert.Contains("n must be a positive integer", error, StringComparison.Ordinal);
        await page.CloseAsync();
    }

    [Fact]
    public async Task InteractionPredictor_InTheBrowser_RejectsNonFiniteFeatures()
    {
        var (page, _) = await fixture.OpenDemoAsync();
        var message = await page.EvaluateAsync<string>(@"async () => {
            const features = new Array(20).fill(1); features[13] = NaN;
            try { await window.exaniaDemo.predictor.predictClickProbability(features); return 'no error'; }
            catch (e) { return String(e.message); } }");
        Assert.Contains("action_entropy", message);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Extractor_InTheBrowser_MatchesTheGoldenVectors()
    {
        var (page, _) = await fixture.OpenDemoAsync();
        var golden = File.ReadAllText(Path.Combine(RepoPaths.Js, "test", "golden_windows.json"));
        var result = await page.EvaluateAsync<JsonElement>(GoldenCheckScript, golden);
        var checkedWindows = result.GetProperty("windows").GetInt32();
        var worst = result.GetProperty("worst").GetDouble();
        output.WriteLine($"{checkedWindows} golden windows checked in Chromium; worst relative difference {worst:E2}");
        Assert.True(checkedWindows > 200);
        Assert.Equal(0, result.GetProperty("mismatchedCounts").GetInt32());
        Assert.True(worst <= 1e-9, result.GetProperty("detail").GetString());
        await page.CloseAsync();
    }

    private sealed record LoggedEvent(double T, string Action, double Depth);

    private static List<LoggedEvent> ParseLog(JsonElement log) =>
        log.EnumerateArray().Select(e => new LoggedEvent(
            e.GetProperty("t").GetDouble(),
            e.GetProperty("action").GetString()!,
            e.TryGetProperty("scroll_depth", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : double.NaN)).ToList();

    /// <summary>Runs the page's own extractor module over every golden session and reports the worst difference.</summary>
    private const string GoldenCheckScript = @"async (text) => {
        const m = await import('./interaction_predictor.js');
        const golden = JSON.parse(text);
        let windows = 0, mismatchedCounts = 0, worst = 0, detail = '';
        const compare = (expected, actual, where) => {
            for (let i = 0; i < expected.length; i++) {
                const rel = Math.abs(expected[i] - actual[i]) / Math.max(1, Math.abs(expected[i]));
                if (!(rel <= worst)) { worst = Number.isNaN(rel) ? Infinity : rel; detail = `${where} feature ${i}: ${expected[i]} vs ${actual[i]}`; }
            }
        };
        for (const c of golden.cases) {
            const options = { windowSeconds: c.window.window_seconds, stepSeconds: c.window.step_seconds, minActions: c.window.min_actions };
            for (const s of c.sessions) {
                const got = [];
                const x = new m.IncrementalWindowExtractor(options);
                for (const e of s.events) x.push(e.t, e.action, e.scroll_depth ?? NaN, (end, f) => got.push({ end, f: Array.from(f) }));
                const now = s.now.map(n => ({ end: n.end, f: x.computeAt(n.end) }));
                x.complete((end, f) => got.push({ end, f: Array.from(f) }));
                if (got.length !== s.windows.length) { mismatchedCounts++; detail = `${c.name}/${s.name}: ${got.length} windows vs ${s.windows.length}`; continue; }
                s.windows.forEach((w, i) => { windows++; if (w.end !== got[i].end) mismatchedCounts++; compare(w.features, got[i].f, `${c.name}/${s.name}@${w.end}`); });
                s.now.forEach((n, i) => {
                    if ((n.features === null) !== (now[i].f === null)) { mismatchedCounts++; return; }
                    if (n.features) compare(n.features, Array.from(now[i].f), `${c.name}/${s.name} now@${n.end}`);
                });
            }
        }
        return { windows, mismatchedCounts, worst, detail };
    }";
}
