using System.Text;
using System.Text.Json;
using Exania.Core;
using Exania.Events;
using Exania.Features;
using Exania.Synthetic;
using Exania.Testing;

namespace Exania.Features.Tests;

/// <summary>
/// The golden feature vectors that the JavaScript port (js/src/interaction_predictor.js) is checked against, in Node
/// and in the browser. This test rebuilds them from the C# extractor and requires the committed file to match, so the
/// file cannot drift from the C# definitions. Set EXANIA_WRITE_GOLDEN=1 to rewrite it after a deliberate change.
/// </summary>
public class GoldenWindowsTests
{
    public static string GoldenPath => Path.Combine(RepoPaths.Js, "test", "golden_windows.json");

    [Fact]
    public void GoldenWindows_CommittedFileMatchesTheCSharpExtractor()
    {
        var json = Build();
        if (Environment.GetEnvironmentVariable("EXANIA_WRITE_GOLDEN") == "1")
            AtomicFile.WriteAllText(GoldenPath, json);
        Assert.True(File.Exists(GoldenPath), $"{GoldenPath} is missing; run this test with EXANIA_WRITE_GOLDEN=1");
        Assert.Equal(json, File.ReadAllText(GoldenPath));
        using var document = JsonDocument.Parse(json);
        var windows = document.RootElement.GetProperty("cases").EnumerateArray()
            .SelectMany(c => c.GetProperty("sessions").EnumerateArray())
            .Sum(s => s.GetProperty("windows").GetArrayLength());
        Assert.True(windows > 200, $"{windows} golden windows");
    }

    private static List<(string Name, List<InteractionEvent> Events)> Sessions(int generated)
    {
        var sessions = new List<(string, List<InteractionEvent>)>();
        var (hand, _, _) = TestData.ReadCsv("session_id,timestamp,action,scroll_depth\n" +
            "hand,0,scroll_down,0.2\nhand,10,scroll_down,0.5\nhand,20,click,\nhand,30,hover,\nhand,50,scroll_up,0.4\n" +
            "hand,60,blur_window,\nhand,70,focus_window,\nhand,80,click_ad,\nhand,90,wait,\n");
        sessions.Add(("hand", Enumerable.Range(0, hand.Count).Select(i => hand[i]).ToList()));

        var edges = new EventLog();
        EventReader.Load(TestData.Path("peer_events.csv"), edges, TestData.RelativeTimes);
        var index = SessionIndex.Build(edges);
        for (var s = 0; s < index.SessionCount; s++)
        {
            var name = edges.Sessions[index.SessionIds[s]];
            if (name.StartsWith("edge", StringComparison.Ordinal))
                sessions.Add((name, index.Rows(s).ToArray().Select(r => edges[r]).ToList()));
        }
        var generator = new InteractionGenerator(new GeneratorOptions { Seed = 9 });
        foreach (var session in generator.Stream().Take(generated))
            sessions.Add((session.SessionId, session.Events.ToList()));
        return sessions;
    }

    private static string Build()
    {
        var cases = new (string Name, WindowOptions Options, int Generated)[]
        {
            ("defaults", WindowOptions.Default, 20),
            ("short-window", new WindowOptions { WindowSeconds = 30, StepSeconds = 7, MinActions = 1 }, 5),
        };
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            w.WriteString("format", "exania.golden-windows");
            w.WriteNumber("version", 1);
            w.WriteStartArray("feature_names");
            foreach (var name in WindowFeatures.Names) w.WriteStringValue(name);
            w.WriteEndArray();
            w.WriteStartArray("cases");
            foreach (var (caseName, options, generated) in cases)
            {
                w.WriteStartObject();
                w.WriteString("name", caseName);
                w.WriteStartObject("window");
                w.WriteNumber("window_seconds", options.WindowSeconds);
                w.WriteNumber("step_seconds", options.StepSeconds);
                w.WriteNumber("min_actions", options.MinActions);
                w.WriteEndObject();
                w.WriteStartArray("sessions");
                foreach (var (name, events) in Sessions(generated))
                    WriteSession(w, name, events, options);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()).Replace("},{\"name\"", "},\n{\"name\"", StringComparison.Ordinal) + "\n";
    }

    private static void WriteSession(Utf8JsonWriter w, string name, List<InteractionEvent> events, WindowOptions options)
    {
        var vocabulary = new ActionVocabulary();
        var extractor = new IncrementalWindowExtractor(options);
        var windows = new List<(double End, double[] Features)>();
        WindowHandler collect = (end, f) => windows.Add((end, f.ToArray()));
        foreach (var e in events)
            extractor.Push(e.Timestamp, vocabulary.GetOrAdd(e.Action), e.ScrollDepth, collect);
        var last = events[^1].Timestamp;
        var now = new List<(double End, double[]? Features)>();
        foreach (var end in new[] { last, last + 3.25, last + options.WindowSeconds / 2, last + options.WindowSeconds + 1 })
        {
            var features = new double[WindowFeatures.Count];
            now.Add((end, extractor.TryComputeAt(end, features) ? features : null));
        }
        extractor.Complete(collect);

        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteStartArray("events");
        foreach (var e in events)
        {
            w.WriteStartObject();
            w.WriteNumber("t", e.Timestamp);
            w.WriteString("action", e.Action);
            if (double.IsNaN(e.ScrollDepth)) w.WriteNull("scroll_depth");
            else w.WriteNumber("scroll_depth", e.ScrollDepth);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteWindows(w, "windows", windows.Select(x => (x.End, (double[]?)x.Features)));
        WriteWindows(w, "now", now);
        w.WriteEndObject();
    }

    private static void WriteWindows(Utf8JsonWriter w, string property, IEnumerable<(double End, double[]? Features)> windows)
    {
        w.WriteStartArray(property);
        foreach (var (end, features) in windows)
        {
            w.WriteStartObject();
            w.WriteNumber("end", end);
            if (features is null)
            {
                w.WriteNull("features");
            }
            else
            {
                w.WriteStartArray("features");
                foreach (var v in features) w.WriteNumberValue(v);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
