using System.Globalization;
using Microsoft.Playwright;

namespace Exania.Browser.Tests;

/// <summary>The four dashboard pages in Chromium: they load cleanly, draw their charts, and follow the filters the URL keeps.</summary>
public sealed class DashboardPagesTests(DashboardPagesFixture fixture) : IClassFixture<DashboardPagesFixture>
{
    [Theory]
    [InlineData("overview", 1)]
    [InlineData("behaviour", 2)]
    [InlineData("adspend", 3)]
    [InlineData("segments", 4)]
    public async Task Page_LoadsWithoutErrors_AndDrawsItsCharts(string name, int minimumCharts)
    {
        var (page, errors) = await fixture.OpenAsync($"{name}.html");
        Assert.Equal("ready", await page.EvaluateAsync<string>("() => document.body.dataset.state"));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Empty(await page.Locator("[data-missing]").AllTextContentsAsync()); // the store has every table, so no panel is missing
        // Each chart is an echarts canvas with something drawn on it (a blank canvas has only transparent pixels).
        var drawn = await page.EvaluateAsync<int>(@"() => [...document.querySelectorAll('.chart canvas')].filter(c => {
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
            return false;
        }).length");
        Assert.True(drawn >= minimumCharts, $"{name}: {drawn} charts drawn, expected at least {minimumCharts}");
        Assert.True(await page.Locator("table tbody tr").CountAsync() > 0, $"{name}: no table rows");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoPageFixture.ArtifactsFolder, $"dashboard-{name}.png"), FullPage = true });
        await page.CloseAsync();
    }

    [Fact]
    public async Task FilterChange_ShowsTheApisFiguresForThatFilter_AndTheUrlKeepsIt()
    {
        var (page, errors) = await fixture.OpenAsync("overview.html");
        var all = await Kpi(page, "sessions");
        await page.SelectOptionAsync("select[name=segment]", "even");
        await DashboardPagesFixture.WaitReadyAsync(page);
        await page.WaitForFunctionAsync($"() => document.querySelector('[data-kpi=sessions]').dataset.value !== '{all}'");
        var api = await fixture.ApiAsync("api/v1/overview?segment=even");
        Assert.Equal(api.GetProperty("sessions").GetInt64(), await Kpi(page, "sessions"));
        Assert.Equal(api.GetProperty("events").GetInt64(), await Kpi(page, "events"));
        Assert.Contains("segment=even", page.Url, StringComparison.Ordinal);

        // The address alone restores the view: a new page on the same URL shows the same filter and figures.
        var (copy, copyErrors) = await fixture.OpenAsync(new Uri(page.Url).PathAndQuery.TrimStart('/'));
        Assert.Equal("even", await copy.InputValueAsync("select[name=segment]"));
        Assert.Equal(api.GetProperty("sessions").GetInt64(), await Kpi(copy, "sessions"));
        // The navigation keeps the filter across pages.
        Assert.Contains("segment=even", await copy.GetAttributeAsync("nav a[href^='behaviour.html']", "href") ?? "", StringComparison.Ordinal);
        Assert.Empty(errors);
        Assert.Empty(copyErrors);
        await page.CloseAsync();
        await copy.CloseAsync();
    }

    [Fact]
    public async Task FunnelStages_ChosenInThePage_AreTheApisFunnel_AndTablesExportToCsv()
    {
        var (page, errors) = await fixture.OpenAsync("behaviour.html?campaignType=");
        await page.FillAsync("#stages", "view,purchase");
        await page.ClickAsync("#stages-form button");
        await DashboardPagesFixture.WaitReadyAsync(page);
        await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-table=funnel] tbody tr').length === 2");
        var api = await fixture.ApiAsync("api/v1/funnel?stages=view,purchase");
        var cells = await page.Locator("[data-table=funnel] tbody tr td:nth-child(2)").AllTextContentsAsync();
        Assert.Equal(api.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("count").GetInt64().ToString("N0", CultureInfo.InvariantCulture)), cells);
        Assert.Contains("stages=view%2Cpurchase", page.Url, StringComparison.Ordinal);

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-csv=funnel]"));
        var csv = await File.ReadAllLinesAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        Assert.Equal("stage,sessions,from first,from previous,dropped off,drop-off %", csv[0]);
        Assert.Equal(api.GetProperty("steps")[1].GetProperty("count").GetInt64().ToString(CultureInfo.InvariantCulture), csv[2].Split(',')[1]);
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task IngestFromAnotherProcess_IntoTheFileTheServiceHolds_IsRefusedClearly_AndChangesNothing()
    {
        var before = (await fixture.ApiAsync("api/v1/meta")).GetProperty("events").GetInt64();
        // stat only: opening and closing the file here would drop DuckDB's lock (POSIX record locks belong to the
        // process and go with any of its descriptors on the file), and the test would then test nothing.
        var (length, written) = (new FileInfo(fixture.Db).Length, File.GetLastWriteTimeUtc(fixture.Db));
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "exania.dll"), "ingest", "--events", fixture.EventsFile, "--db", fixture.Db },
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var message = await stderr;
        Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}: {message}"); // an I/O failure, as every command reports one
        Assert.Contains("open in another process", message, StringComparison.Ordinal);
        Assert.Equal((length, written), (new FileInfo(fixture.Db).Length, File.GetLastWriteTimeUtc(fixture.Db)));
        Assert.Equal(before, (await fixture.ApiAsync("api/v1/meta")).GetProperty("events").GetInt64());
    }

    private static async Task<long> Kpi(IPage page, string name) =>
        long.Parse(await page.GetAttributeAsync($"[data-kpi={name}]", "data-value") ?? "-1", CultureInfo.InvariantCulture);
}
