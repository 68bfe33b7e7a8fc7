using System.Text;
using Exania.Click;
using Exania.Events;
using Exania.Features;
using Exania.Synthetic;

namespace Exania.Scoring.Tests;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock : TimeProvider
{
    public long Ticks { get; set; }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Ticks;

    public void Advance(TimeSpan by) => Ticks += by.Ticks;
}

public class LiveSessionTableTests
{
    [Fact]
    public void IdleSessions_Expire_AfterTheTimeToLive_AndRecentOnesStay()
    {
        var clock = new ManualClock();
        var table = new LiveSessionTable(new LiveScoringOptions { IdleTimeToLive = TimeSpan.FromMinutes(10) }, clock);
        var a = table.GetOrAdd("a");
        clock.Advance(TimeSpan.FromMinutes(6));
        table.GetOrAdd("b");
        clock.Advance(TimeSpan.FromMinutes(5)); // a: 11 minutes idle, b: 5
        Assert.Equal(1, table.ExpireIdle());
        Assert.True(a.Closed);
        Assert.Null(table.Find("a"));
        Assert.NotNull(table.Find("b"));
        Assert.Equal(new LiveSessionCounts(1, 2, 0, 1, 0), table.Counts);
        // A lookup keeps a session alive: b was touched just now.
        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.NotNull(table.Find("b"));
        Assert.NotSame(a, table.GetOrAdd("a")); // a's id starts a new session
    }

    [Fact]
    public void PastTheCap_TheLeastRecentlyUsedIsEvicted_AndTheCountStaysFlatUnderEndlessNewSessions()
    {
        var table = new LiveSessionTable(new LiveScoringOptions { MaxSessions = 1000 });
        for (var i = 0; i < 1000; i++)
            table.GetOrAdd($"s{i}");
        table.Find("s0"); // now the most recent: s1 is the least recently used
        table.GetOrAdd("new");
        Assert.NotNull(table.Find("s0"));
        Assert.Null(table.Find("s1"));
        for (var i = 0; i < 200_000; i++)
            table.GetOrAdd($"x{i}");
        var counts = table.Counts;
        Assert.Equal(1000, counts.Live);
        Assert.Equal(200_001 + 1000 - 1000, counts.Evicted);
    }

    [Fact]
    public void Scorer_EqualsTheBatchExtractorAndModel_ForEverySessionOfAGeneratedLog()
    {
        var log = new InteractionGenerator(new GeneratorOptions { Seed = 9 }).Generate(sessions: 80);
        var windows = WindowExtractor.Extract(log, SessionIndex.Build(log));
        var click = ClickData.Train(windows, ClickTrainingOptions.Default with { Folds = 2 }).Model;
        var expected = ClickData.Predict(click, windows);
        using var dir = new TempFolder();
        click.Save(Path.Combine(dir.Path, "click_model.json"));
        var scorer = new LiveScorer(new LiveSessionTable(LiveScoringOptions.Default), new ModelRegistry(dir.Path));
        var index = SessionIndex.Build(log);
        var live = new List<(string, double, double)>();
        for (var s = 0; s < index.SessionCount; s++)
        {
            var rows = index.Rows(s);
            var id = log.Sessions[index.SessionIds[s]];
            for (var start = 0; start < rows.Length; start += 7)
            {
                var events = new List<LiveEvent>();
                for (var i = start; i < Math.Min(rows.Length, start + 7); i++)
                    events.Add(new LiveEvent(log.Timestamps[rows[i]], log.ActionCodes[rows[i]], log.Attributes[rows[i]].ScrollDepth));
                var report = scorer.Score(id, new LiveBatch(null, [.. events], start + 7 >= rows.Length));
                live.AddRange(report.Windows.Select(w => (id, w.End, w.Probability)));
            }
        }
        Assert.Equal(windows.Rows, live.Count);
        for (var r = 0; r < windows.Rows; r++)
            Assert.Equal((windows.SessionOf(r), windows.WindowEnds[r], expected[r]), live[r]);
        Assert.Equal(0, scorer.Sessions.Counts.Live); // every session was completed
    }

    [Theory]
    [InlineData("{\"events\":[{\"timestamp\":\"2019-10-01 00:00:00 UTC\",\"action\":\"hover\"}]}", 1569888000.0)]
    [InlineData("{\"events\":[{\"timestamp\":\"2019-10-01T00:00:01Z\",\"action\":\"hover\",\"scrollDepth\":null}]}", 1569888001.0)]
    [InlineData("{\"user\":\"u\",\"events\":[{\"action\":\"hover\",\"timestamp\":1569888000.25,\"scrollDepth\":1}],\"complete\":true}", 1569888000.25)]
    public void Reader_TakesEpochSecondsAndIsoText(string json, double expected)
    {
        var batch = LiveBatchReader.Read(Encoding.UTF8.GetBytes(json), LiveScoringOptions.Default);
        Assert.Equal(expected, batch.Events.Single().Timestamp);
        Assert.Equal(KnownActions.Hover, batch.Events[0].Action);
    }

    [Fact]
    public void Reader_RefusesAMillisecondTimestamp_NamingTheField()
    {
        var e = Assert.Throws<LiveInputException>(() => LiveBatchReader.Read(
            Encoding.UTF8.GetBytes("{\"events\":[{\"timestamp\":1,\"action\":\"click\"},{\"timestamp\":1569888000000,\"action\":\"click\"}]}"),
            LiveScoringOptions.Default with { TimeRange = TimestampRange.Plausible }));
        Assert.Equal("events[0].timestamp", e.Field);
        Assert.Contains("outside the accepted time range", e.Message);
    }

    internal sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("exania-scoring-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
