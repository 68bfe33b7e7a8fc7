using System.Globalization;
using Exania.Campaigns;
using Exania.Roas;

namespace Exania.Roas.Tests;

public class RoasSplitTests
{
    private static CampaignTable TextDates(params string?[] dates) =>
        new([TableColumn.Text("start_date", dates), TableColumn.Numeric("spend", [.. Enumerable.Range(1, dates.Length).Select(i => (double)i)])]);

    [Fact]
    public void ByDate_GeneratedCampaigns_EveryTestDateIsLaterThanEveryTrainingDate()
    {
        var table = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 3000, Seed = 3 });
        var (train, test) = RoasSplit.ByDate(table, "start_date", 0.2);
        var dates = table.Get("start_date").Texts!;
        var latestTrain = train.Max(r => DateTime.Parse(dates[r]!, CultureInfo.InvariantCulture));
        var earliestTest = test.Min(r => DateTime.Parse(dates[r]!, CultureInfo.InvariantCulture));
        Assert.True(earliestTest > latestTrain, $"test starts {earliestTest:O}, training ends {latestTrain:O}");
        Assert.Equal(table.Rows, train.Length + test.Length);
        Assert.Equal(table.Rows, train.Concat(test).Distinct().Count());
        // Close to the asked fraction (whole dates stay on one side).
        Assert.InRange(test.Length / (double)table.Rows, 0.1, 0.35);
    }

    [Fact]
    public void ByDate_TextDatesAreOrderedAsDatesNotStrings()
    {
        // As strings "12/30/2023" > "1/5/2024"; as dates it is earlier. Ordinal order would hold out the wrong rows.
        var table = TextDates("1/5/2024", "12/30/2023", "2/1/2024", "12/31/2023", "1/20/2024");
        var (train, test) = RoasSplit.ByDate(table, "start_date", 0.2);
        // Sorted: 12/30/2023 (1), 12/31/2023 (3), 1/5/2024 (0), 1/20/2024 (4), 2/1/2024 (2); the cut is the date at
        // floor(0.8 × 4) = 3 in that order, and rows on or after it are held out.
        Assert.Equal([1, 3, 0], train);
        Assert.Equal([4, 2], test);
    }

    [Fact]
    public void ByDate_NumbersAreOrderedAsNumbers_NegativesIncluded()
    {
        var table = new CampaignTable([TableColumn.Numeric("day", [10, -3, 2, -20, 7])]);
        var (train, test) = RoasSplit.ByDate(table, "day", 0.2);
        // Sorted: -20 (3), -3 (1), 2 (2), 7 (4), 10 (0); as strings "-20" < "-3" < "10" < "2" < "7" would hold out 2 and 7.
        Assert.Equal([3, 1, 2], train);
        Assert.Equal([4, 0], test);
    }

    [Theory]
    [InlineData("not a date", "'not a date', which is not a date")]
    [InlineData(null, "row 2 has no start_date")]
    public void ByDate_UnreadableOrMissingDate_ThrowsNamingTheRow(string? bad, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => RoasSplit.ByDate(TextDates("2024-01-01", bad, "2024-01-03"), "start_date", 0.3));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ByDate_OneDistinctDate_LeavesAnEmptySideAndSaysSo()
    {
        var ex = Assert.Throws<ArgumentException>(() => RoasSplit.ByDate(TextDates("2024-01-01", "2024-01-01", "2024-01-01"), "start_date", 0.2));
        Assert.Contains("empty side", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_Random_IsScikitLearnsSplitForTheSeed()
    {
        var table = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 500, Seed = 1 });
        var data = RoasDataset.Prepare(table, RoasOptions.Default);
        var (train, test) = RoasSplit.Split(data, RoasOptions.Default with { Seed = 4 });
        var expected = Exania.Learning.TrainTestSplit.ScikitLearnCompatible(data.Rows.Rows, 0.2, 4);
        Assert.Equal(expected.Train, train);
        Assert.Equal(expected.Test, test);
    }
}
