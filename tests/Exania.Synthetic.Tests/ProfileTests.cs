namespace Exania.Synthetic.Tests;

public class ProfileTests
{
    [Fact]
    public void Catalog_SixProfilesWeightsSumToOne()
    {
        Assert.Equal(6, ProfileCatalog.All.Count);
        Assert.Equal(6, ProfileCatalog.All.Select(p => p.Name).Distinct().Count());
        Assert.Equal(1.0, ProfileCatalog.All.Sum(p => p.Weight), 9);
    }

    [Fact]
    public void Catalog_BetaParametersPositiveAndRangesOrdered()
    {
        foreach (var p in ProfileCatalog.All)
            foreach (var b in new[] { p.SessionLength, p.InteractionRate, p.PauseProbability, p.ClickProbability, p.AdClickMultiplier })
            {
                Assert.True(b.Alpha > 0 && b.Beta > 0, $"{p.Name}: Beta({b.Alpha}, {b.Beta})");
                Assert.True(b.Min < b.Max, $"{p.Name}: range {b.Min}..{b.Max}");
            }
    }

    [Fact]
    public void Find_KnownAndUnknownNames()
    {
        Assert.Same(ProfileCatalog.MobileUser, ProfileCatalog.Find("mobile_user"));
        Assert.Null(ProfileCatalog.Find("robot"));
    }

    [Fact]
    public void ScaledBeta_EmpiricalMeanNearScaledBetaMean()
    {
        var b = ProfileCatalog.CarefulReader.SessionLength;
        var random = new Random(123);
        const int n = 20_000;
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            var x = b.Sample(random);
            Assert.InRange(x, b.Min, b.Max);
            sum += x;
        }
        // Beta(a, b) has variance ab / ((a+b)^2 (a+b+1)); allow 5 standard errors.
        var sd = (b.Max - b.Min) * Math.Sqrt(b.Alpha * b.Beta / ((b.Alpha + b.Beta) * (b.Alpha + b.Beta) * (b.Alpha + b.Beta + 1)));
        Assert.Equal(b.Mean, sum / n, 5 * sd / Math.Sqrt(n));
    }

    [Theory]
    [InlineData("rushed_reader")]
    [InlineData("careful_reader")]
    [InlineData("distracted_user")]
    [InlineData("focused_reader")]
    [InlineData("click_happy")]
    [InlineData("mobile_user")]
    public void GeneratedSessions_PlannedLengthMeanNearProfileBetaMean(string name)
    {
        var profile = ProfileCatalog.Find(name)!;
        var planned = Sample.Large.Where(s => s.Profile == profile).Select(s => s.Traits.PlannedSeconds).ToList();
        var b = profile.SessionLength;
        var sd = (b.Max - b.Min) * Math.Sqrt(b.Alpha * b.Beta / ((b.Alpha + b.Beta) * (b.Alpha + b.Beta) * (b.Alpha + b.Beta + 1)));

        Assert.True(planned.Count > 150, $"only {planned.Count} {name} sessions");
        Assert.All(planned, x => Assert.InRange(x, b.Min, b.Max));
        Assert.Equal(b.Mean, planned.Average(), 5 * sd / Math.Sqrt(planned.Count));
    }

    [Fact]
    public void GeneratedSessions_ProfileShareNearMixWeight()
    {
        // Shares of users, not sessions: session counts per user are skewed.
        var generator = new InteractionGenerator();
        const int users = 6_000;
        foreach (var p in ProfileCatalog.All)
        {
            var share = Enumerable.Range(0, users).Count(u => generator.ProfileOfUser(u) == p) / (double)users;
            Assert.Equal(p.Weight, share, 0.025);
        }
    }

    [Fact]
    public void GeneratedSessions_ActualDurationTracksPlannedLength()
    {
        var careful = Sample.Large.Where(s => s.Profile == ProfileCatalog.CarefulReader)
            .Average(s => s.Events[^1].Timestamp - s.Events[0].Timestamp);
        var rushed = Sample.Large.Where(s => s.Profile == ProfileCatalog.RushedReader)
            .Average(s => s.Events[^1].Timestamp - s.Events[0].Timestamp);

        Assert.True(careful > 1.8 * rushed, $"careful {careful:F0} s vs rushed {rushed:F0} s");
    }
}
