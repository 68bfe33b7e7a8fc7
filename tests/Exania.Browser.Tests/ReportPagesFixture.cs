using System.Globalization;
using System.Text;
using Exania.Cli;
using Exania.Testing;
using Microsoft.Playwright;

namespace Exania.Browser.Tests;

/// <summary>
/// One HTML report of each kind, written by the CLI's <c>--report</c> on small data, and Debian's Chromium to open them
/// from disk (file://), as a user does with a report sent to them.
/// </summary>
public sealed class ReportPagesFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "exania-reports-" + Guid.NewGuid().ToString("N"));
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The report file of each kind.</summary>
    public Dictionary<string, string> Reports { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        Reports["click"] = Click();
        Reports["conversion"] = Conversion();
        Reports["sequence"] = Sequence();
        Reports["segments"] = Segments();
        Reports["roas"] = Roas();
        Reports["bench"] = Bench();
        (_playwright, Browser) = await DemoPageFixture.LaunchChromiumAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>
    /// A fresh page on the report of <paramref name="kind"/>, with console errors collected and every request that is
    /// not the file itself refused and recorded: a report must need nothing but itself.
    /// </summary>
    public async Task<(IPage Page, List<string> Errors, List<string> Requests)> OpenAsync(string kind)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        var requests = new List<string>();
        var address = new Uri(Reports[kind]).AbsoluteUri;
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url == address)
            {
                await route.ContinueAsync();
                return;
            }
            requests.Add(route.Request.Url);
            await route.AbortAsync();
        });
        await page.GotoAsync(address);
        return (page, errors, requests);
    }

    private string Click()
    {
        var dir = Path.Combine(Folder, "click");
        Run("generate", "--sessions", "600", "--seed", "4", "--out", Path.Combine(dir, "events.csv"));
        Run("windows", "--events", Path.Combine(dir, "events.csv"), "--out", Path.Combine(dir, "windows.csv"));
        var report = Path.Combine(dir, "m", "report.html");
        Run("train", "click", "--features", Path.Combine(dir, "windows.csv"), "--out", Path.Combine(dir, "m"), "--folds", "3", "--report", report);
        return report;
    }

    private string Conversion()
    {
        var dir = Path.Combine(Folder, "conversion");
        Directory.CreateDirectory(dir);
        var random = new Random(3);
        var text = new StringBuilder("session_id,x0,x1,device,clicked,conversion,dropoff\n");
        for (var r = 0; r < 1200; r++)
        {
            var x0 = random.NextDouble() * 2 - 1;
            var clicked = random.NextDouble() < 0.6 ? 1 : 0;
            var conversion = clicked == 1 && random.NextDouble() < (x0 > 0 ? 0.75 : 0.1) ? 1 : 0;
            text.Append(CultureInfo.InvariantCulture, $"s{r},{x0:R},{random.NextDouble():R},{(r % 3 == 0 ? "mobile" : "desktop")},{clicked},{conversion},{clicked * (1 - conversion)}\n");
        }
        File.WriteAllText(Path.Combine(dir, "t.csv"), text.ToString());
        var report = Path.Combine(dir, "report.html");
        Run("train", "conversion", "--table", Path.Combine(dir, "t.csv"), "--targets", "conversion:clicked,dropoff", "--hidden", "12", "--epochs", "15",
            "--threads", "1", "--out", Path.Combine(dir, "m"), "--report", report);
        return report;
    }

    private string Sequence()
    {
        var dir = Path.Combine(Folder, "sequence");
        Run("generate", "--sessions", "300", "--seed", "4", "--out", Path.Combine(dir, "events.csv"));
        var report = Path.Combine(dir, "report.html");
        Run("train", "sequence", "--events", Path.Combine(dir, "events.csv"), "--out", Path.Combine(dir, "m"), "--epochs", "2", "--emb", "8", "--hidden", "16",
            "--threads", "1", "--report", report);
        return report;
    }

    private string Segments()
    {
        var report = Path.Combine(Folder, "segments", "report.html");
        Run("segment", "--table", TestData.Path("wholesale_customers.csv"), "--delimiter", ";", "--columns", "Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen",
            "--log1p", "--k", "2..5", "--out", Path.Combine(Folder, "segments", "m"), "--report", report);
        return report;
    }

    private string Roas()
    {
        var report = Path.Combine(Folder, "roas", "report.html");
        Run("train", "roas", "--campaigns", TestData.Path("online_advertising_head2000.csv"), "--map", "spend=cost",
            "--exclude", "post_click_conversions,post_click_sales_amount", "--rounds", "40", "--early-stopping", "5", "--out", Path.Combine(Folder, "roas", "m"), "--report", report);
        return report;
    }

    /// <summary>
    /// A bench page drawn from a fixed summary: a real bench run needs the Python peers, which tests do not read; the
    /// page's figures are checked in Exania.Reports.Tests, here only that it draws in a browser.
    /// </summary>
    private string Bench()
    {
        var summary = new Exania.Reports.BenchSummary("bench roas", "Trees against XGBoost (test figures, not measurements).", [new Exania.Reports.ReportFact("rounds", "30")],
        [
            new Exania.Reports.BenchFigure("generated", "training seconds", 0.3, "s", "XGBoost", 0.6, 0.5, new Exania.Reports.BenchQuality("RMSE", 5.2, 5.0, HigherIsBetter: false)),
            new Exania.Reports.BenchFigure("online advertising", "training seconds", 0.9, "s", "XGBoost", 0.75, 1.2, new Exania.Reports.BenchQuality("RMSE", 2.2, 2.2, HigherIsBetter: false)),
        ]);
        var report = Path.Combine(Folder, "bench", "report.html");
        Directory.CreateDirectory(Path.GetDirectoryName(report)!);
        Exania.Reports.BenchReportPage.Build(summary, "{\"command\":\"bench roas\"}").Save(report);
        return report;
    }

    private static void Run(params string[] args)
    {
        var exit = ExaniaApp.Run(args);
        if (exit != 0)
            throw new InvalidOperationException($"exania {string.Join(' ', args)} exited with {exit}");
    }
}
