using Exania.Cli;
using Exania.Click;
using Exania.Events;
using Exania.Features;
using Exania.Learning;
using Exania.Synthetic;
using Exania.Testing;
using Microsoft.Playwright;

namespace Exania.Browser.Tests;

/// <summary>
/// One trained click model, exported with <c>exania export web</c>, served on 127.0.0.1 and opened in Debian's
/// Chromium through Playwright (never a downloaded browser).
/// </summary>
public sealed class DemoPageFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private StaticWebServer? _server;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "exania-browser-" + Guid.NewGuid().ToString("N"));
    public ClickModel Model { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri Address => _server!.Address;

    /// <summary>The exported ONNX file of <see cref="Model"/>.</summary>
    public string OnnxPath => Path.Combine(Folder, "web", "interaction_predictor.onnx");

    /// <summary>Where screenshots and measurements go; CI keeps this folder as its artifact.</summary>
    public static string ArtifactsFolder => Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts", "browser")).FullName;

    public async ValueTask InitializeAsync()
    {
        RepoPaths.EnsureNodeModules();
        var log = new InteractionGenerator(new GeneratorOptions { Seed = 4 }).Generate(800);
        var table = WindowExtractor.Extract(log, SessionIndex.Build(log));
        var data = ClickData.FromWindows(table);
        Model = ClickModelTrainer.Train(data, ClickTrainingOptions.Default with { Folds = 3 });
        var models = Path.Combine(Folder, "models");
        Model.Save(Path.Combine(models, "click_model.json"));
        var web = Path.Combine(Folder, "web");
        var exit = ExaniaApp.Run(["export", "web", "--model", models, "--out", web]);
        if (exit != 0)
            throw new InvalidOperationException($"exania export web exited with {exit}");
        _server = await StaticWebServer.StartAsync(web);
        (_playwright, Browser) = await LaunchChromiumAsync();
    }

    /// <summary>Debian's Chromium, headless, through Playwright (never a downloaded browser), for every browser fixture.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchChromiumAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (apt-get install chromium).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic"],
        });
        return (playwright, browser);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>A fresh page on the demo, with console errors collected, once the predictor is ready.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenDemoAsync(string query = "")
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        // Chromium's console says only "Failed to load resource"; name the URL and status so a failure says which file.
        page.Response += (_, response) => { if (response.Status >= 400) errors.Add($"HTTP {response.Status} for {response.Url}"); };
        await page.GotoAsync(new Uri(Address, "demo.html" + query).ToString());
        await page.EvaluateAsync<bool>("async () => { await window.exaniaDemo.ready; return true; }");
        return (page, errors);
    }
}
