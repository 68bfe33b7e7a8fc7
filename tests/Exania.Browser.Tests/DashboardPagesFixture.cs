using Exania.Server;
using Exania.Server.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Exania.Browser.Tests;

/// <summary>
/// The dashboard service over a real store (the REES46 head, campaign days, segments, a ROAS model: the API tests'
/// store), listening on 127.0.0.1, opened in Debian's Chromium through Playwright.
/// </summary>
public sealed class DashboardPagesFixture : IAsyncLifetime
{
    private readonly DashboardFixture _store = new();
    private IPlaywright? _playwright;
    private WebApplication? _app;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The DuckDB file the running service holds open.</summary>
    public string Db => _store.Db;

    public string EventsFile => _store.EventsFile;

    public Uri Address { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await _store.InitializeAsync();
        _app = DashboardHost.Build(["--db", _store.Db, "--models", _store.Models, "--urls", "http://127.0.0.1:0"]);
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Address = new Uri(address.EndsWith('/') ? address : address + "/");
        (_playwright, Browser) = await DemoPageFixture.LaunchChromiumAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await _store.DisposeAsync();
    }

    /// <summary>Opens a page (with its query) and waits until every panel has been drawn; console errors and failed requests are collected.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(string pathAndQuery)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 }, AcceptDownloads = true });
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        page.Response += (_, response) => { if (response.Status >= 400) errors.Add($"HTTP {response.Status} for {response.Url}"); };
        await page.GotoAsync(new Uri(Address, pathAndQuery).ToString());
        await WaitReadyAsync(page);
        return (page, errors);
    }

    public static async Task WaitReadyAsync(IPage page) =>
        await page.WaitForFunctionAsync("() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'error'", null, new PageWaitForFunctionOptions { Timeout = 30_000 });

    /// <summary>GET on the API, as the page's own fetch would, parsed.</summary>
    public async Task<System.Text.Json.JsonElement> ApiAsync(string pathAndQuery)
    {
        using var client = new HttpClient { BaseAddress = Address };
        var text = await client.GetStringAsync(pathAndQuery, TestContext.Current.CancellationToken);
        return System.Text.Json.JsonDocument.Parse(text).RootElement.Clone();
    }
}
