using Exania.Core;
using Exania.Events;
using Exania.Features;
using Exania.Testing;

namespace Exania.Features.Tests;

public class WindowFeatureTests
{
    // t0 = 0; gaps 10,10,10,20,10,10,10,10.
    private const string GoldenSession = "session_id,timestamp,action,scroll_depth\n" +
        "g,0,scroll_down,0.2\ng,10,scroll_down,0.5\ng,20,click,\ng,30,hover,\ng,50,scroll_up,0.4\n" +
        "g,60,blur_window,\ng,70,focus_window,\ng,80,click_ad,\ng,90,wait,\n";

    private static WindowTable Extract(string csv, WindowOptions? options = null)
    {
        var (log, _, _) = TestData.ReadCsv(csv);
        Sessionizer.AssignMissing(log);
        return WindowExtractor.Extract(log, SessionIndex.Build(log), options);
    }

    private static int RowAt(WindowTable table, double end)
    {
        for (var r = 0; r < table.Rows; r++)
            if (table.WindowEnds[r] == end) return r;
        throw new Xunit.Sdk.XunitException($"no window ends at {end}");
    }

    [Fact]
    public void Extract_GoldenSession_WindowEndsAndLabels()
    {
        var table = Extract(GoldenSession);
        // Ends 10..90; (t-120, t] holds every earlier event, so windows with >= 5 events end at 50..90.
        Assert.Equal([50.0, 60, 70, 80, 90], table.WindowEnds.ToArray());
        // click_ad at 80 is in (t, t+30] for t = 50, 60, 70 only.
        Assert.Equal([1, 1, 1, 0, 0], table.Labels.ToArray().Select(b => (int)b));
    }

    [Fact]
    public void Extract_GoldenSession_HandComputedFeatures()
    {
        var table = Extract(GoldenSession);
        var f = table.Row(RowAt(table, 90));
        // mu = 90/8; deviations: seven of -1.25 and one of 8.75 -> variance 87.5/8.
        var mu = 11.25;
        var sigma = Math.Sqrt(10.9375);
        double[] expected =
        [
            0, mu, 90,
            2, 1, 1, 1, 1, 1, 1,
            0.5, 9 / 120.0, 0.5,
            Math.Log2(9) - 2 / 9.0, // eight action types: one twice, seven once
            (sigma - mu) / (sigma + mu), 1 / (1 + sigma / mu),
            8, 2 / 4.0, 1 / 9.0, 9,
        ];
        AssertClose(expected, f, 1e-12);

        var f50 = table.Row(RowAt(table, 50));
        var mu50 = 12.5;
        var sigma50 = Math.Sqrt(75 / 4.0);
        double[] expected50 =
        [
            0, mu50, 50,
            2, 1, 1, 1, 0, 0, 0,
            0.5, 5 / 120.0, 0.5,
            -(0.4 * Math.Log2(0.4) + 3 * 0.2 * Math.Log2(0.2)),
            (sigma50 - mu50) / (sigma50 + mu50), 1 / (1 + sigma50 / mu50),
            4, 2 / 4.0, 0.2, 5,
        ];
        AssertClose(expected50, f50, 1e-12);
    }

    [Fact]
    public void Extract_ShortWindow_ExcludesEventOnItsStart()
    {
        // Window 30 s ending at 60 holds (30, 60]: the hover at exactly 30 is out.
        var table = Extract(GoldenSession, new WindowOptions { WindowSeconds = 30, MinActions = 1 });
        var f = table.Row(RowAt(table, 60));
        Assert.Equal(2, f[WindowFeatures.TotalActions]);
        Assert.Equal(0, f[WindowFeatures.HoverCount]);
        Assert.Equal(10, f[WindowFeatures.AvgTimeBetweenActions]);
        Assert.Equal(-1, f[WindowFeatures.BurstinessScore]);
        Assert.Equal(1, f[WindowFeatures.EngagementRhythm]);
        Assert.Equal(1, f[WindowFeatures.ActionEntropy]);
        Assert.Equal(0.4, f[WindowFeatures.ScrollDepthMax]);
        Assert.Equal(1 / 3.0, f[WindowFeatures.AttentionScore]);
        Assert.Equal(60, f[WindowFeatures.SessionDuration]);
    }

    [Fact]
    public void Extract_SingleEventWindow_HasZeroGapsInsteadOfNaN()
    {
        var table = Extract("session_id,timestamp,action\ns,0,click\ns,100,hover\n", new WindowOptions { WindowSeconds = 5, MinActions = 1 });
        var f = table.Row(RowAt(table, 100));
        Assert.Equal(0, f[WindowFeatures.AvgTimeBetweenActions]);
        Assert.Equal(0, f[WindowFeatures.BurstinessScore]);
        Assert.Equal(1, f[WindowFeatures.EngagementRhythm]);
        Assert.Equal(0, f[WindowFeatures.ActionEntropy]);
        Assert.False(double.IsNegative(f[WindowFeatures.ActionEntropy]));
        Assert.Equal(0, f[WindowFeatures.ScrollDepthMax]);
    }

    [Fact]
    public void Extract_MatchesPythonPeerRowByRow()
    {
        var log = new EventLog();
        EventReader.Load(TestData.Path("peer_events.csv"), log, TestData.RelativeTimes);
        var table = WindowExtractor.Extract(log, SessionIndex.Build(log), new WindowOptions { MinActions = 3 });
        var peer = WindowCsv.Read(TestData.Path("peer_windows.csv"));
        Assert.Equal(peer.Rows, table.Rows);
        Assert.True(table.Rows > 800);
        Assert.InRange(peer.Positives, 1, peer.Rows - 1);
        for (var r = 0; r < peer.Rows; r++)
        {
            Assert.Equal(peer.SessionOf(r), table.SessionOf(r));
            Assert.Equal(peer.WindowEnds[r], table.WindowEnds[r]);
            Assert.Equal(peer.Labels[r], table.Labels[r]);
            // The peer's sigma comes from E[g^2] - mu^2, so allow for its cancellation error.
            AssertClose(peer.Row(r), table.Row(r), 1e-9);
        }
    }

    [Fact]
    public void Incremental_GivesExactlyTheBatchWindows_OnGeneratedAndEdgeSessions()
    {
        var log = new EventLog();
        EventReader.Load(TestData.Path("peer_events.csv"), log, TestData.RelativeTimes);
        var options = new WindowOptions { MinActions = 3 };
        var index = SessionIndex.Build(log);
        var batch = WindowExtractor.Extract(log, index, options);
        var incremental = IncrementalWindows.Run(log, index, options);
        Assert.Equal(batch.Rows, incremental.Count);
        for (var r = 0; r < batch.Rows; r++)
        {
            Assert.Equal(batch.SessionIndices[r], incremental[r].Session);
            Assert.Equal(batch.WindowEnds[r], incremental[r].End);
            Assert.Equal(batch.Row(r).ToArray(), incremental[r].Features); // bit-identical
        }
    }

    [Fact]
    public void Extract_LargeLog_ParallelChunksEqualSequentialIncremental()
    {
        var log = new Exania.Synthetic.InteractionGenerator(new Exania.Synthetic.GeneratorOptions { Seed = 5 }).Generate(1200);
        Assert.True(log.Count > 20_000, "large enough to be split into chunks");
        var index = SessionIndex.Build(log);
        var batch = WindowExtractor.Extract(log, index);
        var incremental = IncrementalWindows.Run(log, index, WindowOptions.Default);
        Assert.Equal(incremental.Count, batch.Rows);
        for (var r = 0; r < batch.Rows; r++)
        {
            Assert.Equal(incremental[r].Session, batch.SessionIndices[r]);
            Assert.Equal(incremental[r].End, batch.WindowEnds[r]);
            Assert.Equal(incremental[r].Features, batch.Row(r).ToArray());
        }
    }

    [Fact]
    public void Incremental_TryComputeAt_MatchesBatchAndDoesNotLoseEvents()
    {
        var (log, _, _) = TestData.ReadCsv(GoldenSession);
        var extractor = new IncrementalWindowExtractor();
        var features = new double[WindowFeatures.Count];
        for (var i = 0; i < log.Count; i++)
        {
            extractor.Push(log.Timestamps[i], log.ActionCodes[i], log.Attributes[i].ScrollDepth, null);
            // A live query "now" must not evict events that earlier, still pending windows need.
            extractor.TryComputeAt(log.Timestamps[i] + 115, features);
        }
        Assert.True(extractor.TryComputeAt(90, features));
        var table = Extract(GoldenSession);
        Assert.Equal(table.Row(RowAt(table, 90)).ToArray(), features);
        Assert.False(extractor.TryComputeAt(500, features)); // nothing in (380, 500]
        Assert.Throws<ArgumentOutOfRangeException>(() => extractor.TryComputeAt(85, features));
    }

    [Fact]
    public void Incremental_RejectsEventsOutOfOrderOrNotFinite()
    {
        var extractor = new IncrementalWindowExtractor();
        extractor.Push(10, KnownActions.Click, double.NaN, null);
        Assert.Throws<ArgumentException>(() => extractor.Push(9, KnownActions.Click, double.NaN, null));
        Assert.Throws<ArgumentException>(() => extractor.Push(double.NaN, KnownActions.Click, double.NaN, null));
    }

    [Fact]
    public void WindowOptions_InvalidSettings_NameTheSetting()
    {
        Assert.Contains("StepSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => new WindowOptions { StepSeconds = 0 }.Validate()).Message);
        Assert.Contains("MinActions", Assert.Throws<ArgumentOutOfRangeException>(() => new WindowOptions { MinActions = 0 }.Validate()).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowOptions { WindowSeconds = double.PositiveInfinity }.Validate());
    }

    [Fact]
    public void WindowCsv_RoundTripIsExact()
    {
        var log = new EventLog();
        EventReader.Load(TestData.Path("peer_events.csv"), log, TestData.RelativeTimes);
        var table = WindowExtractor.Extract(log, SessionIndex.Build(log));
        var writer = new StringWriter();
        WindowCsv.Write(table, writer);
        var again = WindowCsv.Read(new StringReader(writer.ToString()), "w.csv");
        Assert.Equal(table.Features.ToArray(), again.Features.ToArray());
        Assert.Equal(table.Labels.ToArray(), again.Labels.ToArray());
        Assert.Equal(table.WindowEnds.ToArray(), again.WindowEnds.ToArray());
    }

    [Fact]
    public void WindowCsv_ChunkedParallelWrite_SameBytesOnAnyThreadCount_AndExactRoundTrip()
    {
        // 30,000 rows: four chunks of 8,192, formatted on different threads and written in order.
        var random = new Random(10);
        var names = Enumerable.Range(0, 500).Select(i => i % 7 == 0 ? $"s,{i}" : $"s{i}").ToArray();
        var table = new WindowTable(names, 30_000);
        for (var r = 0; r < 30_000; r++)
        {
            var row = table.Add(random.Next(names.Length), 1.7e9 + r * 10.0 + random.NextDouble(), (byte)(r % 3 == 0 ? 1 : 0));
            for (var f = 0; f < WindowFeatures.Count; f++)
                row[f] = f % 3 == 0 ? random.Next(50) : random.NextDouble() * Math.Pow(10, random.Next(-5, 6));
        }
        byte[] Bytes(int threads)
        {
            using var stream = new MemoryStream();
            WindowCsv.Write(table, stream, threads);
            return stream.ToArray();
        }
        var one = Bytes(1);
        Assert.Equal(one, Bytes(2));
        Assert.Equal(one, Bytes(3));
        var again = WindowCsv.Read(new StringReader(System.Text.Encoding.UTF8.GetString(one)), "w.csv");
        Assert.Equal(table.Rows, again.Rows);
        Assert.Equal(table.Features.ToArray(), again.Features.ToArray());
        Assert.Equal(table.WindowEnds.ToArray(), again.WindowEnds.ToArray());
        Assert.Equal(table.Labels.ToArray(), again.Labels.ToArray());
        Assert.Equal(Enumerable.Range(0, table.Rows).Select(table.SessionOf), Enumerable.Range(0, again.Rows).Select(again.SessionOf));
    }

    [Fact]
    public void Predictions_LargerThanTheWriteBuffer_AreWrittenWhole()
    {
        // 40,000 rows of about 45 bytes: the 1 MB buffer is flushed on the way.
        var table = new WindowTable(["a,b", "s"], 40_000);
        var probabilities = new double[40_000];
        for (var r = 0; r < 40_000; r++)
        {
            table.Add(r % 2, 1.7e9 + r, 0);
            probabilities[r] = (r % 1000) / 999.0;
        }
        using var dir = new TestData.TempDir();
        WindowPredictions.Write(dir.File("p.csv"), table, probabilities, threshold: 0.5);
        var lines = File.ReadAllLines(dir.File("p.csv"));
        Assert.Equal(40_001, lines.Length);
        Assert.Equal("\"a,b\",1700000000,0,0", lines[1]);
        for (var r = 0; r < 40_000; r += 997)
        {
            var fields = lines[r + 1].Split(',');
            Assert.Equal(probabilities[r], double.Parse(fields[^2], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(probabilities[r] >= 0.5 ? "1" : "0", fields[^1]);
        }
    }

    [Fact]
    public void WindowCsv_BadValues_NameFileLineAndColumn()
    {
        var header = "session_id,window_end," + string.Join(',', WindowFeatures.Names) + ",label\n";
        var good = "s,10," + string.Join(',', Enumerable.Repeat("1", 20)) + ",0\n";
        var nan = "s,20," + string.Join(',', Enumerable.Repeat("1", 12)) + ",NaN," + string.Join(',', Enumerable.Repeat("1", 7)) + ",1\n";
        var ex = Assert.Throws<DataFormatException>(() => WindowCsv.Read(new StringReader(header + good + nan), "w.csv"));
        Assert.Equal("w.csv:3: attention_score is NaN, not a finite number", ex.Message);
        var missing = Assert.Throws<DataFormatException>(() => WindowCsv.Read(new StringReader("session_id,label\n"), "w.csv"));
        Assert.Contains("time_since_last_action", missing.Message);
    }

    internal static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var tolerance = relative * Math.Max(1, Math.Abs(expected[i]));
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
                throw new Xunit.Sdk.XunitException($"{WindowFeatures.Names[i]}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}

/// <summary>Runs the incremental extractor over a whole log, session by session.</summary>
internal static class IncrementalWindows
{
    public static List<(int Session, double End, double[] Features)> Run(EventLog log, SessionIndex index, WindowOptions options)
    {
        var result = new List<(int, double, double[])>();
        var extractor = new IncrementalWindowExtractor(options);
        for (var s = 0; s < index.SessionCount; s++)
        {
            extractor.Reset();
            var session = s;
            WindowHandler collect = (end, f) => result.Add((session, end, f.ToArray()));
            foreach (var row in index.Rows(s))
                extractor.Push(log.Timestamps[row], log.ActionCodes[row], log.Attributes[row].ScrollDepth, collect);
            extractor.Complete(collect);
        }
        return result;
    }
}
