namespace Exania.Synthetic.Tests;

public class DeterminismTests
{
    private static InteractionGenerator Generator(int seed) =>
        new(GeneratorOptions.Defaults with { Seed = seed, Sessions = 120 });

    [Fact]
    public void Generate_SameSeed_ByteIdenticalCsv()
    {
        var a = Sample.Csv(Generator(42).Generate());
        var b = Sample.Csv(Generator(42).Generate());

        Assert.True(a.Length > 10_000, $"CSV unexpectedly short ({a.Length} chars).");
        Assert.Equal(a, b);
    }

    [Fact]
    public void Generate_DifferentSeed_DifferentEvents()
    {
        var a = Sample.Csv(Generator(42).Generate());
        var b = Sample.Csv(Generator(43).Generate());

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Generate_MoreSessions_FirstSessionsUnchanged()
    {
        var generator = Generator(5);
        var first = Sample.Csv(generator.Generate(60));
        var more = Sample.Csv(generator.Generate(60 + 45));

        Assert.True(more.Length > first.Length);
        Assert.StartsWith(first, more, StringComparison.Ordinal);
    }

    [Fact]
    public void AppendTo_InBatches_SameAsOneGeneration()
    {
        var generator = Generator(9);
        var whole = generator.Generate(50);
        var batched = new Exania.Events.EventLog();
        generator.AppendTo(batched, 0, 20);
        generator.AppendTo(batched, 20, 30);

        Assert.Equal(Sample.Csv(whole), Sample.Csv(batched));
    }

    [Fact]
    public void Session_ByIndex_EqualsStreamElement()
    {
        var generator = Generator(3);
        var fromStream = generator.Stream().Skip(17).First();
        var direct = generator.Session(17);

        Assert.Equal(fromStream.SessionId, direct.SessionId);
        Assert.Equal(fromStream.Events, direct.Events);
    }

    [Fact]
    public void Sessions_Count_FollowsOptions()
    {
        var sessions = Generator(1).Sessions().ToList();

        Assert.Equal(120, sessions.Count);
        Assert.Equal(120, sessions.Select(s => s.SessionId).Distinct().Count());
    }
}
