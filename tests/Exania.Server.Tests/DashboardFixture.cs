using Exania.Campaigns;
using Exania.Events;
using Exania.Roas;
using Exania.Store;
using Exania.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Exania.Server.Tests;

/// <summary>
/// A store filled as a user fills it: the REES46 head (real events, prices as revenue, brand on the page field),
/// generated campaign days, segment assignments, and a ROAS model trained on those campaign days; and the service
/// over it, in process (WebApplicationFactory).
/// </summary>
public class DashboardFixture : IAsyncLifetime
{
    public const string ApiKey = "test-key-0123456789";

    /// <summary>How the REES46 columns map onto the canonical fields (brand onto page: events have no brand field).</summary>
    public static readonly IReadOnlyDictionary<EventField, string> Rees46Map = new Dictionary<EventField, string>
    {
        [EventField.Timestamp] = "event_time",
        [EventField.Action] = "event_type",
        [EventField.ItemId] = "product_id",
        [EventField.Category] = "category_code",
        [EventField.Page] = "brand",
        [EventField.SessionId] = "user_session",
        [EventField.Revenue] = "price",
        [EventField.UserId] = "user_id",
    };

    private readonly TestData.TempDir _dir = new();

    public WebApplicationFactory<DashboardState> Factory { get; private set; } = null!;

    public string EventsFile => TestData.Path("rees46_head6000.csv");

    /// <summary>The events as the file readers give them, for the reference figures.</summary>
    public EventLog Events { get; private set; } = null!;

    public CampaignTable Campaigns { get; private set; } = null!;

    public Dictionary<string, string> Segments { get; } = new(StringComparer.Ordinal);

    /// <summary>The store's <c>--db</c> value.</summary>
    public string Db { get; protected set; } = "";

    public string Folder => _dir.Root;

    /// <summary>The models folder (<c>roas_model.json</c>) when <see cref="WithModelsAndTables"/>.</summary>
    public string Models => _dir.File("models");

    /// <summary>The store the service reads: a DuckDB file here; the PostgreSQL fixture overrides it.</summary>
    protected virtual string CreateStore() => _dir.File("dashboard.duckdb");

    protected virtual bool WithModelsAndTables => true;

    /// <summary>False when the store's server is absent (the PostgreSQL fixture without EXANIA_TEST_POSTGRES): the tests then skip.</summary>
    protected virtual bool Available => true;

    public virtual async ValueTask InitializeAsync()
    {
        if (!Available)
            return;
        Db = CreateStore();
        (Events, _) = EventLoader.Load([EventsFile], new EventReaderOptions { ColumnMap = Rees46Map });
        Campaigns = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 800, Seed = 3, Start = new DateOnly(2019, 9, 20), StartSpreadDays = 20 });
        var models = Models;
        using (var store = EventStores.Open(Db))
        {
            store.Ingest(Events, "rees46_head6000.csv", TestContext.Current.CancellationToken);
            if (WithModelsAndTables)
            {
                store.IngestCampaignDays(CampaignDay.FromTable(Campaigns, "campaigns.csv"), "campaigns.csv", TestContext.Current.CancellationToken);
                // Two segments by the parity of the user id's last digit: a segmentation that is easy to recount.
                foreach (var user in Events.Users.Values)
                    Segments[user] = (user[^1] - '0') % 2 == 0 ? "even" : "odd";
                store.ReplaceSegments([.. Segments.Select(p => new SegmentAssignment(p.Key, p.Value))], "test", TestContext.Current.CancellationToken);
                Directory.CreateDirectory(models);
                RoasTrainer.Train(Campaigns, RoasOptions.Default with { Trees = RoasOptions.Default.Trees with { Rounds = 40 } }).Model
                    .Save(Path.Combine(models, "roas_model.json"));
            }
        }
        Factory = new WebApplicationFactory<DashboardState>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Exania:Db", Db);
            if (WithModelsAndTables)
                builder.UseSetting("Exania:Models", models);
            builder.UseSetting("Exania:ApiKey", ApiKey);
            builder.UseSetting("Exania:MaxIngestBytes", "200000");
        });
        await Task.CompletedTask;
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Factory is not null)
            await Factory.DisposeAsync();
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Only the events: the panels of what is missing say which command produces it.</summary>
public sealed class EventsOnlyFixture : DashboardFixture
{
    protected override bool WithModelsAndTables => false;
}

/// <summary>A store of its own for the tests that write to it.</summary>
public sealed class WritableFixture : DashboardFixture;

/// <summary>The same store on a real PostgreSQL server: a new database (EXANIA_TEST_POSTGRES, set by scripts/test.sh), dropped after.</summary>
public sealed class PostgresDashboardFixture : DashboardFixture
{
    private Exania.Store.Tests.TemporaryDatabase? _database;

    protected override bool Available => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Exania.Store.Tests.PostgresTestServer.ConnectionVariable));

    protected override string CreateStore()
    {
        _database = new Exania.Store.Tests.TemporaryDatabase(Environment.GetEnvironmentVariable(Exania.Store.Tests.PostgresTestServer.ConnectionVariable)!);
        return _database.ConnectionString;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools(); // the service's connection must be gone before the database is dropped
        _database?.Dispose();
    }
}
