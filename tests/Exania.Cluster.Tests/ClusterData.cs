using System.Globalization;
using Exania.Events;
using Exania.Testing;

namespace Exania.Cluster.Tests;

/// <summary>
/// The batch path run as a user runs it (<c>exania generate</c> → <c>windows</c> → <c>train click</c> → <c>predict
/// click</c>), an event store for each node to open, and the generated sessions to replay.
/// </summary>
public sealed class ClusterData : IDisposable
{
    private readonly TestData.TempDir _dir = new();
    private int _stores;

    public ClusterData()
    {
        Cli("generate", "--sessions", "80", "--seed", "5", "--out", EventsFile);
        Cli("windows", "--events", EventsFile, "--out", _dir.File("windows.csv"));
        Cli("train", "click", "--features", _dir.File("windows.csv"), "--out", Models, "--folds", "3");
        Cli("predict", "click", "--model", Models, "--features", _dir.File("windows.csv"), "--out", _dir.File("predictions.csv"));
        Cli("ingest", "--events", EventsFile, "--db", _dir.File("template.duckdb"));
        var lines = File.ReadAllLines(_dir.File("predictions.csv"));
        Assert.Equal("session_id,window_end,click_probability,predicted_click", lines[0]);
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            Expected.Add((f[0], double.Parse(f[1], CultureInfo.InvariantCulture)), double.Parse(f[2], CultureInfo.InvariantCulture));
        }
        var (log, _) = EventLoader.Load([EventsFile]);
        var index = SessionIndex.Build(log);
        for (var s = 0; s < index.SessionCount; s++)
        {
            var events = new List<(double, string, double)>();
            foreach (var r in index.Rows(s))
                events.Add((log.Timestamps[r], log.Actions[log.ActionCodes[r]], log.Attributes[r].ScrollDepth));
            Sessions.Add((log.Sessions[index.SessionIds[s]], events));
        }
    }

    public string EventsFile => _dir.File("events.csv");
    public string Models => _dir.File("models");

    /// <summary>Folder for a test's own files.</summary>
    public string Folder(string name) => Directory.CreateDirectory(_dir.File(name)).FullName;

    /// <summary>predictions.csv: (session, window end) → click probability.</summary>
    public Dictionary<(string Session, double End), double> Expected { get; } = [];

    /// <summary>The sessions as the readers give them, events in time order.</summary>
    public List<(string Session, List<(double Time, string Action, double Depth)> Events)> Sessions { get; } = [];

    /// <summary>A DuckDB store of its own for one node (DuckDB takes one process per file).</summary>
    public string NewStore()
    {
        var path = _dir.File($"node{Interlocked.Increment(ref _stores)}.duckdb");
        File.Copy(_dir.File("template.duckdb"), path);
        return path;
    }

    internal static void Cli(params string[] args)
    {
        var run = CliRunner.Run(args);
        if (run.Exit != 0)
            throw new InvalidOperationException($"exania {string.Join(' ', args)} failed ({run.Exit}): {run.Out}{run.Error}");
    }

    public void Dispose() => _dir.Dispose();
}
