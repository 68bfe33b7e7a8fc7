using Exania.Events;

namespace Exania.Sequence.Tests;

public class PreprocessingTests
{
    private static EventLog Log(params (string Session, double Time, string Action)[] events)
    {
        var log = new EventLog();
        foreach (var (session, time, action) in events)
            log.Append(new InteractionEvent("u-" + session, session, time, action));
        return log;
    }

    private static EventLog ManySessions(int sessions, int length, int seed = 0)
    {
        var random = new Random(seed);
        string[] actions = ["click", "hover", "scroll_down", "wait"];
        var log = new EventLog();
        for (var s = 0; s < sessions; s++)
            for (var i = 0; i < length; i++)
                log.Append(new InteractionEvent($"u{s % 7}", $"s{s}", 1000 + s * 100 + i * 2, actions[random.Next(actions.Length)]));
        return log;
    }

    [Fact]
    public void TimeSplit_TestsOnTheLatestSessions_ByFractionOrByDays()
    {
        // Session s starts at day s (in file order 9, 8, ..., 0, so the split cannot lean on file order).
        var log = new EventLog();
        for (var s = 9; s >= 0; s--)
            for (var i = 0; i < 3; i++)
                log.Append(new InteractionEvent($"u{s}", $"s{s}", 1_600_000_000 + s * 86_400 + i * 60, "click"));
        var byFraction = SequencePreprocessor.Build(log, new SequenceOptions { SplitBy = SplitUnit.Time, TestFraction = 0.2, ValidationFraction = 0.1 });
        string[] Names(SequenceDataset d, SequenceSamples x) => [.. x.Sessions.Distinct().Select(i => d.SessionNames[i]).Order()];
        Assert.Equal(["s8", "s9"], Names(byFraction, byFraction.Test));
        Assert.Equal(["s7"], Names(byFraction, byFraction.Validation));
        Assert.Equal(7, byFraction.TrainUnits);
        // The last 3 days: sessions starting after day 9 − 3, i.e. s7, s8, s9.
        var byDays = SequencePreprocessor.Build(log, new SequenceOptions { SplitBy = SplitUnit.Time, TestDays = 3, ValidationFraction = 0.1 });
        Assert.Equal(["s7", "s8", "s9"], Names(byDays, byDays.Test));
        Assert.Equal(["s6"], Names(byDays, byDays.Validation));
        Assert.Throws<ArgumentException>(() => SequencePreprocessor.Build(log, new SequenceOptions { TestDays = 3 }));
    }

    [Fact]
    public void SeparateTestEvents_AreTheTestSplit_WithTheTrainingVocabulary()
    {
        var train = Log(("a", 1, "click"), ("a", 2, "hover"), ("b", 1, "click"), ("b", 2, "wait"), ("c", 1, "hover"), ("c", 2, "click"));
        var test = Log(("a", 1, "click"), ("a", 2, "scroll_down"), ("a", 3, "hover"));
        var data = SequencePreprocessor.Build(train, new SequenceOptions { TestFraction = 0, ValidationFraction = 0 }, test);
        Assert.Equal(3, data.Train.Count);
        Assert.Equal(2, data.Test.Count);
        Assert.All(data.Test.Sessions, s => Assert.Equal(3, s)); // indexed after the three training sessions
        Assert.Equal("a", data.SessionNames[3]);
        Assert.DoesNotContain("scroll_down", data.Vocabulary.Tokens); // fitted on train only
        Assert.Throws<ArgumentOutOfRangeException>(() => SequencePreprocessor.Build(train, new SequenceOptions { TestFraction = 0.2 }, test));
        Assert.Throws<ArgumentOutOfRangeException>(() => SequencePreprocessor.Build(train, new SequenceOptions { TestFraction = 0 }));
    }

    [Fact]
    public void DateOnlyTimestamps_CountTheSameDayTies()
    {
        var day = 1_600_041_600.0; // a whole UTC day
        var dates = Log(("a", day, "click"), ("a", day, "hover"), ("a", day + 86_400, "click"), ("b", day, "click"), ("b", day, "click"));
        Assert.Equal(2, SequencePreprocessor.Clean(dates).Report.DateOnlyTies);
        var times = Log(("a", day, "click"), ("a", day, "hover"), ("a", day + 5, "click"));
        Assert.Equal(0, SequencePreprocessor.Clean(times).Report.DateOnlyTies);
    }

    [Fact]
    public void Clean_RemovesExactDuplicates_SortsOutOfOrder_DropsShortSessions()
    {
        var log = Log(
            ("a", 10, "click"), ("a", 5, "hover"), ("a", 10, "click"), ("a", 20, "wait"),
            ("b", 1, "click"),
            ("c", 3, "hover"), ("c", 3, "click"));
        var (sessions, report) = SequencePreprocessor.Clean(log);
        Assert.Equal(7, report.EventsIn);
        Assert.Equal(1, report.DuplicatesRemoved);
        Assert.Equal(1, report.OutOfOrderEvents); // a: 10 then 5
        Assert.Equal(1, report.SessionsReordered);
        Assert.Equal(3, report.SessionsIn);
        Assert.Equal(1, report.EmptySessionsDropped); // b has a single event: no input → target pair
        Assert.Equal(2, report.Sessions);
        var a = sessions[0];
        Assert.Equal(["hover", "click", "wait"], a.Actions);
        Assert.Equal([5.0, 10.0, 20.0], a.Timestamps);
        Assert.Equal([0f, (float)Math.Log(1 + 5), (float)Math.Log(1 + 10)], a.Gaps);
        // Same time, different action: not a duplicate, file order kept.
        Assert.Equal(["hover", "click"], sessions[1].Actions);
    }

    [Fact]
    public void Samples_ThatWouldNotFitTheMemoryBudget_AreRefusedWithTheFigure()
    {
        // 30 sessions of 6 events: 150 samples × 450 steps × 2 inputs × 4 bytes + 150 × 8 = 541,200 bytes.
        var log = ManySessions(30, 6);
        var ex = Assert.Throws<ArgumentException>(() =>
            SequencePreprocessor.Build(log, new SequenceOptions { MaxLength = 450, Seed = 1, MemoryBudgetBytes = 500_000 }));
        Assert.Equal(nameof(SequenceOptions.MaxLength), ex.ParamName);
        Assert.Contains("would need 541,200 bytes (150 samples × 450 steps × 2 inputs × 4 bytes), more than the 500,000 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the longest session has 6 events", ex.Message, StringComparison.Ordinal);
        var fits = SequencePreprocessor.Build(log, new SequenceOptions { MaxLength = 450, Seed = 1, MemoryBudgetBytes = 541_200 });
        Assert.Equal(150, fits.Train.Count + fits.Validation.Count + fits.Test.Count);
    }

    [Fact]
    public void Samples_AreLeftPaddedWindows_OfPreviousEvents_WithNextActionTargets()
    {
        var log = ManySessions(30, 6);
        var data = SequencePreprocessor.Build(log, new SequenceOptions { MaxLength = 4, Seed = 1 });
        var all = new[] { data.Train, data.Validation, data.Test };
        Assert.Equal(30 * 5, all.Sum(s => s.Count));
        var train = data.Train;
        // The first sample of a session: one real event, three padding steps, gap 0 for the first event.
        var first = Enumerable.Range(0, train.Count).First(i => train.TokensOf(i)[2] == SequenceVocabulary.Padding);
        Assert.Equal([0, 0, 0], train.TokensOf(first)[..3].ToArray());
        Assert.Equal(0f, train.GapsOf(first)[3]);
        Assert.NotEqual(SequenceVocabulary.Padding, train.TokensOf(first)[3]);
        // Later samples of the same session shift by one; the last sample holds the 4 events before the target.
        var session = train.Sessions[first];
        var rows = Enumerable.Range(0, train.Count).Where(i => train.Sessions[i] == session).ToArray();
        Assert.Equal(5, rows.Length);
        var last = rows[^1];
        Assert.Equal(train.TokensOf(rows[^2])[1..].ToArray(), train.TokensOf(last)[..3].ToArray());
        Assert.Equal(train.Targets[rows[^2]] + 1, train.TokensOf(last)[3]);
        Assert.Equal((float)Math.Log(1 + 2), train.GapsOf(last)[3]);
    }

    [Fact]
    public void Split_BySession_PutsEachSessionInOneSplit_AndIsSeeded()
    {
        var log = ManySessions(50, 5);
        var data = SequencePreprocessor.Build(log, new SequenceOptions { Seed = 3 });
        var sets = new[] { data.Train, data.Validation, data.Test }.Select(s => s.Sessions.ToHashSet()).ToArray();
        Assert.Empty(sets[0].Intersect(sets[1]));
        Assert.Empty(sets[0].Intersect(sets[2]));
        Assert.Empty(sets[1].Intersect(sets[2]));
        Assert.Equal((40, 5, 5), (data.TrainUnits, data.ValidationUnits, data.TestUnits));
        var again = SequencePreprocessor.Build(log, new SequenceOptions { Seed = 3 });
        Assert.Equal(data.Test.Sessions, again.Test.Sessions);
        var other = SequencePreprocessor.Build(log, new SequenceOptions { Seed = 4 });
        Assert.NotEqual(data.Test.Sessions.ToHashSet(), other.Test.Sessions.ToHashSet());
    }

    [Fact]
    public void Split_ByUser_KeepsAllSessionsOfAUserTogether()
    {
        var log = ManySessions(70, 4);
        var data = SequencePreprocessor.Build(log, new SequenceOptions { SplitBy = SplitUnit.User, Seed = 2 });
        string UserOf(int session) => "u" + (int.Parse(data.SessionNames[session][1..]) % 7);
        var users = new[] { data.Train, data.Validation, data.Test }.Select(s => s.Sessions.Select(UserOf).ToHashSet()).ToArray();
        Assert.Empty(users[0].Intersect(users[1]));
        Assert.Empty(users[0].Intersect(users[2]));
        Assert.Empty(users[1].Intersect(users[2]));
        Assert.Equal(7, users.Sum(u => u.Count));
    }

    [Fact]
    public void Vocabulary_RareActions_BecomeOov_CountedOnTrainOnly()
    {
        var log = ManySessions(40, 5);
        // One rare action in an otherwise ordinary session.
        log.Append(new InteractionEvent("u1", "s1", 1000 + 100 + 50, "rare_action"));
        var data = SequencePreprocessor.Build(log, new SequenceOptions { MinCount = 2, Seed = 0 });
        Assert.Equal(SequenceVocabulary.PaddingToken, data.Vocabulary[0]);
        Assert.Equal(SequenceVocabulary.OutOfVocabularyToken, data.Vocabulary[1]);
        Assert.DoesNotContain("rare_action", data.Vocabulary.Tokens);
        Assert.Equal(SequenceVocabulary.OutOfVocabulary, data.Vocabulary.IndexOf("rare_action"));
        Assert.Equal(SequenceVocabulary.OutOfVocabulary, data.Vocabulary.IndexOf(SequenceVocabulary.PaddingToken));
        var samples = new[] { data.Train, data.Validation, data.Test }.First(s => s.Sessions.Contains(Array.IndexOf(data.SessionNames, "s1")));
        Assert.Contains(0, samples.Targets); // class 0 = the OOV token
        Assert.Equal(6, data.Vocabulary.Count); // pad, oov, 4 actions
    }

    [Fact]
    public void Build_TooFewSessions_Throws()
    {
        var log = Log(("a", 1, "click"), ("a", 2, "wait"), ("b", 1, "click"));
        Assert.Throws<ArgumentException>(() => SequencePreprocessor.Build(log));
    }

    [Fact]
    public void Field_Category_TokensAndTargetsAreCategories_MissingIsNone()
    {
        var log = new EventLog();
        for (var s = 0; s < 10; s++)
        {
            log.Append(new InteractionEvent("u", $"s{s}", 1, "click", Category: "shoes"));
            log.Append(new InteractionEvent("u", $"s{s}", 2, "click", Category: "hats"));
            log.Append(new InteractionEvent("u", $"s{s}", 3, "wait"));
        }
        var data = SequencePreprocessor.Build(log, new SequenceOptions { Field = SequenceField.Category, MaxLength = 3 });
        Assert.Equal(["<pad>", "<oov>", "<none>", "hats", "shoes"], data.Vocabulary.Tokens);
        var all = new[] { data.Train, data.Validation, data.Test };
        Assert.All(all, split =>
        {
            for (var i = 0; i < split.Count; i++)
                Assert.Equal(split.LastToken(i) == data.Vocabulary.IndexOf("shoes") ? "hats" : "<none>", data.Vocabulary.ClassName(split.Targets[i]));
        });
    }
}
