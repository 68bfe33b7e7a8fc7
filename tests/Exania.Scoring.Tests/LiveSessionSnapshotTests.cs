using Exania.Click;
using Exania.Events;
using Exania.Features;
using Exania.Synthetic;

using TempFolder = Exania.Scoring.Tests.LiveSessionTableTests.TempFolder;

namespace Exania.Scoring.Tests;

/// <summary>
/// A live session saved after every batch and restored (what a cluster grain does when its node dies) scores exactly
/// as the session that never stopped; the binary form round-trips and refuses damage; a repeated batch is answered,
/// not applied twice.
/// </summary>
public class LiveSessionSnapshotTests
{
    private static (EventLog Log, SessionIndex Index, WindowTable Windows, double[] Expected, ModelSet Models) Setup(TempFolder dir)
    {
        var log = new InteractionGenerator(new GeneratorOptions { Seed = 9 }).Generate(sessions: 60);
        var index = SessionIndex.Build(log);
        var windows = WindowExtractor.Extract(log, index);
        var click = ClickData.Train(windows, ClickTrainingOptions.Default with { Folds = 2 }).Model;
        click.Save(Path.Combine(dir.Path, "click_model.json"));
        return (log, index, windows, ClickData.Predict(click, windows), ModelSet.Load(dir.Path));
    }

    private static List<LiveEvent> Events(EventLog log, ReadOnlySpan<int> rows, int start, int count)
    {
        var events = new List<LiveEvent>();
        for (var i = start; i < Math.Min(rows.Length, start + count); i++)
            events.Add(new LiveEvent(log.Timestamps[rows[i]], log.ActionCodes[rows[i]], log.Attributes[rows[i]].ScrollDepth));
        return events;
    }

    [Fact]
    public void SavedAndRestoredAfterEveryBatch_ScoresExactlyTheBatchProbabilities()
    {
        using var dir = new TempFolder();
        var (log, index, windows, expected, models) = Setup(dir);
        var options = LiveScoringOptions.Default;
        var live = new List<(string, double, double)>();
        for (var s = 0; s < index.SessionCount; s++)
        {
            var rows = index.Rows(s);
            var id = log.Sessions[index.SessionIds[s]];
            var session = new LiveSession(id, options);
            for (var start = 0; start < rows.Length; start += 5)
            {
                var batch = new LiveBatch("u-" + id, [.. Events(log, rows, start, 5)], start + 5 >= rows.Length);
                var report = LiveScorer.Apply(session, batch, batch.Digest(), models, options);
                live.AddRange(report.Windows.Select(w => (id, w.End, w.Probability)));
                // Every batch is followed by a move to "another node": only the saved bytes go across.
                var bytes = session.Capture().ToBytes();
                session = LiveSession.Restore(LiveSessionSnapshot.FromBytes(bytes), options);
                Assert.Equal(bytes, session.Capture().ToBytes());
            }
            Assert.True(session.Completed);
            Assert.Equal("u-" + id, session.User);
        }
        Assert.Equal(windows.Rows, live.Count);
        for (var r = 0; r < windows.Rows; r++)
            Assert.Equal((windows.SessionOf(r), windows.WindowEnds[r], expected[r]), live[r]);
    }

    [Fact]
    public void RestoredSession_KeepsItsHistoryAndCurrentWindow()
    {
        using var dir = new TempFolder();
        var (log, index, _, _, models) = Setup(dir);
        var options = LiveScoringOptions.Default with { HistoryLength = 8 };
        var rows = index.Rows(Enumerable.Range(0, index.SessionCount).First(s => index.Rows(s).Length > 20));
        var events = Events(log, rows, 0, 20);
        var straight = new LiveSession("a", options);
        var moved = new LiveSession("a", options);
        LiveScoreReport? last = null, lastMoved = null;
        for (var i = 0; i < events.Count; i += 3)
        {
            var batch = new LiveBatch(null, [.. events.Skip(i).Take(3)], false);
            last = LiveScorer.Apply(straight, batch, batch.Digest(), models, options);
            lastMoved = LiveScorer.Apply(moved, batch, batch.Digest(), models, options);
            moved = LiveSession.Restore(LiveSessionSnapshot.FromBytes(moved.Capture().ToBytes()), options);
        }
        Assert.Equal(straight.HistoryCount, moved.HistoryCount);
        Assert.Equal(8, moved.HistoryCount);
        for (var i = 0; i < moved.HistoryCount; i++)
            Assert.Equal(straight.History(i), moved.History(i));
        Assert.Equal(straight.LastTime, moved.LastTime);
        Assert.Equal(straight.EventCount, moved.EventCount);
        Assert.Equal(last!.Current, lastMoved!.Current);
        Assert.NotNull(last.Current);
    }

    [Fact]
    public void TheLastReport_IsKeptAsValues_AShorterOneAfterALongerOne_AndNullForgetsIt()
    {
        var session = new LiveSession("kept", LiveScoringOptions.Default);
        Assert.Null(session.LastReport);
        LiveWindow W(double end) => new(end - 120, end, end / 1000, end > 1500);
        var longer = new LiveScoreReport("kept", 9, 9, [W(1000), W(1010), W(2000)], W(2005), false, "v1");
        session.KeepLastReport(longer);
        var kept = session.LastReport!;
        Assert.Equal(longer with { Windows = kept.Windows }, kept);
        Assert.Equal(longer.Windows, kept.Windows);
        // The window buffer is reused: a later answer with fewer windows shows only its own, and no current window.
        var shorter = new LiveScoreReport("kept", 1, 10, [W(3000)], null, true, "v2");
        session.KeepLastReport(shorter);
        Assert.Equal([W(3000)], session.LastReport!.Windows);
        Assert.Null(session.LastReport.Current);
        Assert.True(session.LastReport.Completed);
        Assert.Equal(("v2", 1, 10L), (session.LastReport.ModelVersion, session.LastReport.Accepted, session.LastReport.EventCount));
        session.KeepLastReport(null);
        Assert.Null(session.LastReport);
    }

    [Fact]
    public void RepeatedBatch_IsAnsweredAgain_NotAppliedTwice()
    {
        using var dir = new TempFolder();
        var (log, index, _, _, models) = Setup(dir);
        var options = LiveScoringOptions.Default;
        var rows = index.Rows(Enumerable.Range(0, index.SessionCount).First(s => index.Rows(s).Length > 12));
        var session = new LiveSession("r", options);
        var first = new LiveBatch(null, [.. Events(log, rows, 0, 6)], false);
        var report = LiveScorer.Apply(session, first, first.Digest(), models, options);
        var again = new LiveBatch(null, [.. Events(log, rows, 0, 6)], false); // the same body sent again
        var repeat = LiveScorer.Apply(session, again, again.Digest(), models, options);
        Assert.True(repeat.Replayed);
        Assert.False(report.Replayed);
        // The same answer, made again from what the session kept: the same windows in a new list.
        Assert.Equal(report with { Replayed = true, Windows = repeat.Windows }, repeat);
        Assert.Equal(report.Windows, repeat.Windows);
        Assert.Equal(6, session.EventCount);
        // A batch that differs in anything is new: the same last event again, as a second batch, is applied.
        var lastAgain = new LiveBatch(null, [first.Events[^1]], false);
        var next = LiveScorer.Apply(session, lastAgain, lastAgain.Digest(), models, options);
        Assert.False(next.Replayed);
        Assert.Equal(7, session.EventCount);
        Assert.NotEqual(first.Digest(), new LiveBatch("someone", first.Events, false).Digest());
        Assert.NotEqual(first.Digest(), new LiveBatch(null, first.Events, true).Digest());
    }

    [Fact]
    public void Bytes_RefuseEveryTruncation_AndAnotherFormat()
    {
        using var dir = new TempFolder();
        var (log, index, _, _, models) = Setup(dir);
        var options = LiveScoringOptions.Default;
        var session = new LiveSession("t", options);
        var batch = new LiveBatch("u", [.. Events(log, index.Rows(0), 0, 9)], false);
        LiveScorer.Apply(session, batch, batch.Digest(), models, options);
        var bytes = session.Capture().ToBytes();
        for (var n = 0; n < bytes.Length; n++)
            Assert.Throws<InvalidDataException>(() => LiveSessionSnapshot.FromBytes(bytes.AsSpan(0, n)));
        var other = (byte[])bytes.Clone();
        other[0] ^= 0xFF;
        Assert.Throws<InvalidDataException>(() => LiveSessionSnapshot.FromBytes(other));
        Assert.Throws<InvalidDataException>(() => LiveSessionSnapshot.FromBytes([.. bytes, 0]));
    }

    [Fact]
    public void ExtractorRestore_RefusesAnInconsistentState()
    {
        var extractor = new IncrementalWindowExtractor();
        Assert.Throws<ArgumentException>(() => extractor.Restore(new IncrementalWindowState([1, 2], [0], [0, 0], 1, 2, 1, 2)));
        Assert.Throws<ArgumentException>(() => extractor.Restore(new IncrementalWindowState([2, 1], [0, 0], [0, 0], 1, 2, 1, 2)));
        Assert.Throws<ArgumentException>(() => extractor.Restore(new IncrementalWindowState([1, 3], [0, 0], [0, 0], 1, 2, 1, 2)));
        Assert.Throws<ArgumentException>(() => extractor.Restore(new IncrementalWindowState([1], [0], [0], double.NaN, 1, 1, 1)));
    }
}
