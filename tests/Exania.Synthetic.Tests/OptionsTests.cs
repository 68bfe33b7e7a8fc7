namespace Exania.Synthetic.Tests;

public class OptionsTests
{
    public static TheoryData<string, GeneratorOptions> Invalid => new()
    {
        { "Sessions", GeneratorOptions.Defaults with { Sessions = 0 } },
        { "Sessions", GeneratorOptions.Defaults with { Sessions = -5 } },
        { "Users", GeneratorOptions.Defaults with { Users = 0 } },
        { "Days", GeneratorOptions.Defaults with { Days = 0 } },
        { "Days", GeneratorOptions.Defaults with { Days = 100_000 } },
        { "StartUtc", GeneratorOptions.Defaults with { StartUtc = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Local) } },
        { "Articles", GeneratorOptions.Defaults with { Articles = 0 } },
        { "Campaigns", GeneratorOptions.Defaults with { Campaigns = 1_000 } },
        { "AdClickScale", GeneratorOptions.Defaults with { AdClickScale = -1 } },
        { "AdClickScale", GeneratorOptions.Defaults with { AdClickScale = double.NaN } },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Constructor_InvalidOption_ThrowsNamingIt(string name, GeneratorOptions options)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new InteractionGenerator(options));

        Assert.Equal(name, ex.ParamName);
        Assert.Contains($"GeneratorOptions.{name}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(was ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ZeroSessions_MessageStatesRuleAndValue()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => (GeneratorOptions.Defaults with { Sessions = 0 }).Validate());

        Assert.StartsWith("GeneratorOptions.Sessions must be positive (was 0).", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AreValidAndDocumentedValues()
    {
        var d = GeneratorOptions.Defaults;
        d.Validate();

        Assert.Equal(new GeneratorOptions(), d);
        Assert.Equal(new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc), d.StartUtc);
        Assert.Equal(DayOfWeek.Monday, d.StartUtc.DayOfWeek);
        Assert.Same(d, new InteractionGenerator().Options);
    }

    [Fact]
    public void AppendTo_NegativeArguments_Throw()
    {
        var generator = new InteractionGenerator();
        var log = new Exania.Events.EventLog();

        Assert.Throws<ArgumentOutOfRangeException>(() => generator.AppendTo(log, -1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.AppendTo(log, 0, -3));
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.Session(-1));
        Assert.Throws<ArgumentNullException>(() => generator.AppendTo(null!, 3));
    }
}
