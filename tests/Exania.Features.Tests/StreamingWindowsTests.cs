using Exania.Core;
using Exania.Events;
using Exania.Features;
using Exania.Testing;

namespace Exania.Features.Tests;

/// <summary>
/// Issue #10: streaming extraction writes byte for byte what batch extraction writes, holds one chunk of sessions at a
/// time, and refuses a file whose sessions are not grouped instead of splitting one.
/// </summary>
public class StreamingWindowsTests
{
    private static readonly WindowOptions s_options = new() { MinActions = 3 };

    [Theory]
    [InlineData(1)]      // every session its own chunk
    [InlineData(97)]
    [InlineData(1 << 20)] // one chunk
    public void Stream_WritesExactlyTheBatchBytes(int chunkEvents)
    {
        using var dir = new TestData.TempDir();
        var log = new EventLog();
        EventReader.Load(TestData.Path("peer_events.csv"), log, TestData.RelativeTimes);
        WindowCsv.Write(WindowExtractor.Extract(log, SessionIndex.Build(log), s_options), dir.File("batch.csv"));

        var report = StreamingWindows.Run([TestData.Path("peer_events.csv")], TestData.RelativeTimes, null, s_options, dir.File("stream.csv"), chunkEvents);
        Assert.Equal(File.ReadAllBytes(dir.File("batch.csv")), File.ReadAllBytes(dir.File("stream.csv")));
        Assert.Equal(log.Count, report.Input.Accepted);
        // A chunk ends at the first new session after chunkEvents events: at most that plus one whole session.
        Assert.True(report.PeakEventsInMemory <= Math.Min(log.Count, chunkEvents + LongestSession(log)), $"{report.PeakEventsInMemory} events held");
        if (chunkEvents == 1)
            Assert.Equal(SessionIndex.Build(log).SessionCount, report.Chunks);
    }

    [Fact]
    public void SessionsInterleavedWithinAChunk_AreFine_AcrossChunks_AreRefused()
    {
        using var dir = new TestData.TempDir();
        var rows = "user_id,session_id,timestamp,action\n" +
                   "u,a,1700000000,click\nu,b,1700000001,click\nu,a,1700000002,click\nu,b,1700000003,click\n" +
                   "u,c,1700000004,click\nu,d,1700000005,click\nu,a,1700000006,click\n";
        File.WriteAllText(dir.File("e.csv"), rows);
        var options = new WindowOptions { MinActions = 1, StepSeconds = 1 };
        // One chunk: a and b interleave, then c, d and a again, all in memory together.
        StreamingWindows.Run([dir.File("e.csv")], null, null, options, dir.File("one.csv"), chunkEvents: 100);
        // Chunks of 4: a and b are written before c arrives; a's last row comes after: refused, and nothing is written.
        var ex = Assert.Throws<DataFormatException>(() => StreamingWindows.Run([dir.File("e.csv")], null, null, options, dir.File("w.csv"), chunkEvents: 4));
        Assert.Contains("session 'a' appears again after its rows were extracted", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("w.csv")));
    }

    [Fact]
    public void RowWithoutSessionId_IsRefused()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), "user_id,session_id,timestamp,action\nu,a,1700000000,click\nu,,1700000001,click\n");
        var ex = Assert.Throws<DataFormatException>(() => StreamingWindows.Run([dir.File("e.csv")], null, null, null, dir.File("w.csv")));
        Assert.Contains("streaming needs a session_id on every row", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadRows_GoToTheRejectsFile_AsInBatch()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), "user_id,session_id,timestamp,action\nu,a,1700000000,click\nu,a,soon,click\nu,b,1700000009,hover\n");
        var options = TestData.RelativeTimes with { OnBadRow = BadRowPolicy.Skip };
        var report = StreamingWindows.Run([dir.File("e.csv")], options, dir.File("w.rejects.csv"), new WindowOptions { MinActions = 1 }, dir.File("w.csv"), 1);
        Assert.Equal((3L, 2L, 1L), (report.Input.RowsRead, report.Input.Accepted, report.Input.Rejected));
        var rejects = File.ReadAllLines(dir.File("w.rejects.csv"));
        Assert.Equal(2, rejects.Length);
        Assert.StartsWith("e.csv,3,\"timestamp 'soon' is not", rejects[1], StringComparison.Ordinal);
    }

    private static int LongestSession(EventLog log)
    {
        var index = SessionIndex.Build(log);
        var longest = 0;
        for (var s = 0; s < index.SessionCount; s++)
            longest = Math.Max(longest, index.Starts[s + 1] - index.Starts[s]);
        return longest;
    }
}
