using Exania.Core;
using Exania.Events;
using Exania.Store;
using Exania.Trees;

namespace Exania.Dashboard;

/// <summary>
/// What the dashboard shows, read once from the store (and the models folder) into memory: the events, the segment
/// assignments, the campaign-day rows and the ROAS model. Every panel is computed from a snapshot, so all the figures
/// of one page agree; <see cref="Load"/> again (the service's reload) picks up what was ingested since.
/// </summary>
public sealed class DashboardSnapshot
{
    private DashboardSnapshot(string store, EventLog events, IReadOnlyDictionary<string, string> segments, IReadOnlyList<CampaignDay> campaignDays,
        GbtModel? roasModel, string? roasModelPath, string? roasModelProblem)
    {
        Store = store;
        Events = events;
        Segments = segments;
        CampaignDays = campaignDays;
        RoasModel = roasModel;
        RoasModelPath = roasModelPath;
        RoasModelProblem = roasModelProblem;
        LoadedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The file name of the ROAS model <c>exania train roas --out models/</c> writes.</summary>
    public const string RoasModelFileName = "roas_model.json";

    public string Store { get; }

    /// <summary>Every stored event, in load order, sessionized as stored.</summary>
    public EventLog Events { get; }

    /// <summary>User id → segment name of the stored segmentation (empty without one).</summary>
    public IReadOnlyDictionary<string, string> Segments { get; }

    public IReadOnlyList<CampaignDay> CampaignDays { get; }

    public GbtModel? RoasModel { get; }

    public string? RoasModelPath { get; }

    /// <summary>Why the models folder's ROAS model could not be used (absent, or unreadable), or null.</summary>
    public string? RoasModelProblem { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>Reads everything the dashboard shows from <paramref name="store"/> and <paramref name="modelsFolder"/> (null for none).</summary>
    public static DashboardSnapshot Load(IEventStore store, string? modelsFolder)
    {
        ArgumentNullException.ThrowIfNull(store);
        var events = store.Load();
        var segments = store.LoadSegments();
        var campaignDays = store.LoadCampaignDays();
        GbtModel? model = null;
        string? modelPath = null;
        string? problem;
        if (modelsFolder is null)
            problem = "No models folder was given: start the service with --models FOLDER after `exania train roas --campaigns campaigns.csv --out FOLDER`.";
        else if (!File.Exists(Path.Combine(modelsFolder, RoasModelFileName)))
            problem = $"No {RoasModelFileName} in {modelsFolder}: run `exania train roas --campaigns campaigns.csv --out {modelsFolder}`.";
        else
        {
            modelPath = Path.Combine(modelsFolder, RoasModelFileName);
            try
            {
                model = GbtModel.Load(modelPath);
                problem = null;
            }
            catch (Exception e) when (e is ModelFormatException or IOException or System.Text.Json.JsonException)
            {
                problem = $"{modelPath} could not be read: {e.Message}";
                modelPath = null;
            }
        }
        return new DashboardSnapshot(store.Source, events, segments, campaignDays, model, modelPath, problem);
    }
}
