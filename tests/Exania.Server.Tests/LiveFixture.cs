using System.Globalization;
using System.Text;
using Exania.Campaigns;
using Exania.Roas;
using Exania.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Exania.Server.Tests;

/// <summary>
/// The batch path run as a user runs it, with the CLI: <c>exania generate</c> → <c>windows</c> → <c>train click</c> →
/// <c>predict click</c>, plus a next-action model (<c>train sequence</c>), a conversion network (<c>train
/// conversion</c>) and a ROAS model, all in one models folder; and the service over an empty store with that folder.
/// </summary>
public class LiveFixture : IAsyncLifetime
{
    public const string ApiKey = "admin-key-0123456789";
    public const string SiteKey = "site-key-abc";
    public const string AllowedOrigin = "http://127.0.0.1:9";

    private readonly TestData.TempDir _dir = new();

    public WebApplicationFactory<DashboardState> Factory { get; private set; } = null!;

    public string Folder => _dir.Root;
    public string EventsFile => _dir.File("events.csv");
    public string PredictionsFile => _dir.File("predictions.csv");
    public string Models => _dir.File("models");
    public string Db => _dir.File("live.duckdb");
    public CampaignTable Campaigns { get; private set; } = null!;

    /// <summary>The session-feature table the conversion network was trained on.</summary>
    public string ConversionTable => _dir.File("sessions.csv");

    /// <summary>Extra settings of a derived fixture.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    public virtual ValueTask InitializeAsync()
    {
        lock (CliLock.Gate)
        {
            Cli("generate", "--sessions", "60", "--seed", "5", "--out", EventsFile);
            Cli("windows", "--events", EventsFile, "--out", _dir.File("windows.csv"));
            Cli("train", "click", "--features", _dir.File("windows.csv"), "--out", Models, "--folds", "3");
            Cli("predict", "click", "--model", Models, "--features", _dir.File("windows.csv"), "--out", PredictionsFile);
            Cli("train", "sequence", "--events", EventsFile, "--out", _dir.File("seq"), "--epochs", "1", "--emb", "8", "--hidden", "16", "--threads", "1");
            File.Copy(Path.Combine(_dir.File("seq"), "sequence_model.json"), Path.Combine(Models, "sequence_model.json"));
            File.WriteAllText(ConversionTable, ConversionRows(600));
            Cli("train", "conversion", "--table", ConversionTable, "--targets", "conversion", "--hidden", "8", "--epochs", "5", "--no-baselines",
                "--seeds", "1", "--threads", "1", "--out", _dir.File("conv"));
            File.Copy(Path.Combine(_dir.File("conv"), "conversion_model.json"), Path.Combine(Models, "conversion_model.json"));
        }
        Campaigns = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 400, Seed = 3 });
        RoasTrainer.Train(Campaigns, RoasOptions.Default with { Trees = RoasOptions.Default.Trees with { Rounds = 20 } }).Model
            .Save(Path.Combine(Models, "roas_model.json"));
        Factory = new WebApplicationFactory<DashboardState>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Exania:Db", Db);
            builder.UseSetting("Exania:Models", Models);
            builder.UseSetting("Exania:ApiKey", ApiKey);
            builder.UseSetting("Exania:SiteKeys", SiteKey);
            builder.UseSetting("Exania:CorsOrigins", AllowedOrigin);
            builder.UseSetting("Exania:RateLimitPerSecond", "0");
            builder.UseSetting("Exania:DashboardRefreshSeconds", "0");
            builder.UseSetting("Exania:WatchModels", "false");
            foreach (var (key, value) in Settings)
                builder.UseSetting(key, value);
        });
        return ValueTask.CompletedTask;
    }

    private static void Cli(params string[] args)
    {
        var run = CliRunner.Run(args);
        if (run.Exit != 0)
            throw new InvalidOperationException($"exania {string.Join(' ', args)} failed ({run.Exit}): {run.Out}{run.Error}");
    }

    /// <summary>A session-feature-like table: conversion follows x0, with a text column.</summary>
    private static string ConversionRows(int rows)
    {
        var random = new Random(7);
        var text = new StringBuilder("session_id,x0,x1,device,conversion\n");
        for (var r = 0; r < rows; r++)
        {
            var x0 = random.NextDouble() * 2 - 1;
            var conversion = random.NextDouble() < (x0 > 0 ? 0.7 : 0.15) ? 1 : 0;
            text.Append(CultureInfo.InvariantCulture, $"s{r},{x0:R},{random.NextDouble():R},{(r % 3 == 0 ? "mobile" : "desktop")},{conversion}\n");
        }
        return text.ToString();
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Factory is not null)
            await Factory.DisposeAsync();
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The CLI redirects the console while it runs: one CLI call at a time in this test process.</summary>
internal static class CliLock
{
    public static readonly Lock Gate = new();
}
