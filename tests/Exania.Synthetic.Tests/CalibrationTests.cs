using Exania.Events;
using Exania.Features;

namespace Exania.Synthetic.Tests;

/// <summary>The default settings hit the calibration targets with the default window settings.</summary>
public class CalibrationTests
{
    [Fact]
    public void DefaultWindows_PositiveRateAndWindowsPerSessionNearTargets()
    {
        const int sessions = 1_500;
        var log = new InteractionGenerator(GeneratorOptions.Defaults with { Seed = 1 }).Generate(sessions);
        var table = WindowExtractor.Extract(log, SessionIndex.Build(log));
        var rate = table.Positives / (double)table.Rows;
        var perSession = table.Rows / (double)sessions;

        Assert.InRange(rate, 0.045, 0.08);
        Assert.InRange(perSession, 8.0, 14.0);
        Assert.InRange(log.Count / (double)sessions, 22.0, 35.0);
    }
}
