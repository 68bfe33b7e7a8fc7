using System.Globalization;
using Exania.Campaigns;
using Exania.Conversion;
using Exania.Core;
using Exania.Testing;

namespace Exania.Conversion.Tests;

/// <summary>Segmentation: scikit-learn's inertia on real data, user features, profiles, names, the model file, bad input.</summary>
public class SegmentationTests
{
    private static readonly string[] s_spending = ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"];

    private static CampaignTable Wholesale() =>
        CampaignTableReader.Read(TestData.Path("wholesale_customers.csv"), new CampaignReadOptions { Delimiter = ';' }).Table;

    private static CampaignTable Table(string csv)
    {
        var summary = new TableReadSummary();
        return CampaignTableReader.ReadCsv(new StringReader(csv), "t.csv", CampaignReadOptions.Default, null, summary);
    }

    /// <summary>
    /// Inertias of scikit-learn 1.2 (Debian 12) on the six spending columns after log1p, from
    /// <c>/usr/bin/python3 ../shared/peers/kmeans.py --csv wh_log.csv --k K --columns Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen</c>,
    /// where wh_log.csv is the file with ';' turned into ',' and numpy.log1p applied to those columns (the peer
    /// standardizes itself; StandardScaler, KMeans k-means++, n_init 10, random_state 0).
    /// </summary>
    [Theory]
    [InlineData(2, 1844.0641)]
    [InlineData(3, 1553.3819)]
    [InlineData(4, 1386.8627)]
    [InlineData(5, 1266.1494)]
    [InlineData(6, 1174.6764)]
    public void Wholesale_InertiaIsWithinOnePercentOfScikitLearn(int k, double scikitLearn)
    {
        var data = SegmentData.FromTable(Wholesale(), s_spending, log1p: true);
        var result = Segmentation.Fit(data, new SegmentationOptions { K = k });
        Assert.Equal(440, result.Report.Rows);
        Assert.InRange(result.Report.Inertia / scikitLearn, 0.99, 1.01);
    }

    [Fact]
    public void Wholesale_AutomaticK_PicksTheBestSilhouette_AndNamesByTopFeatures()
    {
        var data = SegmentData.FromTable(Wholesale(), s_spending, log1p: true);
        var result = Segmentation.Fit(data, new SegmentationOptions { K = 2, MaxK = 5 });
        var report = result.Report;
        Assert.Equal("silhouette", report.KChosenBy);
        Assert.Equal([2, 3, 4, 5], report.Candidates.Select(c => c.K));
        Assert.Equal(report.Candidates.MaxBy(c => c.Silhouette)!.K, report.K);
        Assert.Equal(2, report.K); // scikit-learn: silhouette 0.290 at k = 2, 0.259 at 3, 0.189 at 4, 0.192 at 5
        Assert.Equal(0.29033, report.Silhouette, 0.001);
        var names = report.Segments.Select(s => s.Name).Order().ToList();
        Assert.Equal(["high Detergents_Paper, high Grocery", "low Detergents_Paper, low Grocery"], names);
        Assert.Equal(440, report.Segments.Sum(s => s.Size));
        var high = report.Segments.Single(s => s.Name.StartsWith("high", StringComparison.Ordinal));
        var grocery = high.Features.Single(f => f.Name == "Grocery");
        Assert.True(grocery.Mean > grocery.PopulationMean);
        Assert.Equal(grocery.Mean / grocery.PopulationMean, grocery.Ratio!.Value, 12);
    }

    [Fact]
    public void Model_SavedAndLoaded_AssignsTheSame()
    {
        using var dir = new TestData.TempDir();
        var data = SegmentData.FromTable(Wholesale(), s_spending, log1p: true);
        var result = Segmentation.Fit(data, new SegmentationOptions { K = 4, KMeans = KMeansOptions.Default with { Seed = 3 } });
        Assert.Equal(result.Assignments, result.Model.Assign(data));
        var path = dir.File("segment_model.json");
        result.Model.Save(path);
        Assert.Equal(ModelKind.Segment, ModelFile.Identify(path));
        var loaded = SegmentModel.Load(path);
        Assert.Equal(result.Assignments, loaded.Assign(data));
        Assert.Equal(result.Model.SegmentNames, loaded.SegmentNames);
        Assert.Equal(result.Model.ToJson(), loaded.ToJson());
        // New rows: the raw values of a few customers, in a table with other columns around them.
        var fresh = Table("Region,Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen\n3,12669,9656,7561,214,2674,1338\n1,3,5,7,9,1,2\n");
        var assigned = loaded.Assign(SegmentData.FromTable(fresh, loaded.FeatureNames, log1p: false));
        Assert.Equal(result.Assignments[0], assigned[0]);
        Assert.Throws<ModelFormatException>(() => SegmentModel.FromJson(result.Model.ToJson().Replace("\"version\": 1", "\"version\": 9", StringComparison.Ordinal)));
    }

    [Fact]
    public void SameSeed_SameModel_AnyThreads()
    {
        var data = SegmentData.FromTable(Wholesale(), s_spending, log1p: true);
        var one = Segmentation.Fit(data, new SegmentationOptions { K = 2, MaxK = 4, KMeans = KMeansOptions.Default with { Seed = 7, Threads = 1 } });
        var two = Segmentation.Fit(data, new SegmentationOptions { K = 2, MaxK = 4, KMeans = KMeansOptions.Default with { Seed = 7, Threads = 2 } });
        Assert.Equal(one.Model.ToJson(), two.Model.ToJson());
        Assert.Equal(one.Assignments, two.Assignments);
    }

    [Fact]
    public void Table_BadInput_GetsAClearMessage()
    {
        var table = Table("a,b,c,name\n1,5,7,x\n2,5,8,y\n,5,9,z\n10,5,1,w\n11,5,2,v\n");
        var constant = Assert.Throws<ArgumentException>(() => Segmentation.Fit(SegmentData.FromTable(table, ["a", "b"], false), new SegmentationOptions { K = 2 }));
        Assert.Contains("'b' is constant", constant.Message, StringComparison.Ordinal);
        Assert.Equal("Columns", constant.ParamName);
        var unknown = Assert.Throws<ArgumentException>(() => SegmentData.FromTable(table, ["a", "nope"], false));
        Assert.Contains("'nope' is not in the table; its columns are a, b, c, name", unknown.Message, StringComparison.Ordinal);
        var text = Assert.Throws<ArgumentException>(() => SegmentData.FromTable(table, ["a", "name"], false));
        Assert.Contains("'name' is not numeric: data row 1 holds 'x'", text.Message, StringComparison.Ordinal);
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => Segmentation.Fit(SegmentData.FromTable(table, ["a", "c"], false), new SegmentationOptions { K = 5 }));
        Assert.Equal("K", tooMany.ParamName);
        Assert.Contains("at most the number of rows (4)", tooMany.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SegmentData.FromTable(Table("a,b\n"), null, false));
        var negative = Assert.Throws<ArgumentException>(() => Segmentation.Fit(SegmentData.FromTable(Table("a\n-3\n1\n2\n"), null, true), new SegmentationOptions { K = 2 }));
        Assert.Contains("log1p needs values of at least 0", negative.Message, StringComparison.Ordinal);
        Assert.Equal("K", Assert.Throws<ArgumentOutOfRangeException>(() => new SegmentationOptions { K = 1, MaxK = 4 }.Validate()).ParamName);
    }

    [Fact]
    public void Table_RowsWithAMissingValue_AreSkippedAndCounted()
    {
        var table = Table("a,c\n1,7\n2,8\n,9\n10,1\n11,2\n12,\n");
        var data = SegmentData.FromTable(table, ["a", "c"], false);
        Assert.Equal((6, 4, 2), (data.InputRows, data.Rows, data.SkippedMissing));
        Assert.Equal(["1", "2", "4", "5"], data.RowIds);
        var report = Segmentation.Fit(data, new SegmentationOptions { K = 2 }).Report;
        Assert.Equal(2, report.RowsSkippedMissing);
        Assert.Equal([2, 2], report.Segments.Select(s => s.Size));
    }

    private const string Events =
        "user_id,session_id,timestamp,action,revenue\n" +
        // u1: two sessions on two days; the second clicks (cart) and buys for 30.
        "u1,a,0,view,\nu1,a,60,view,\nu1,b,86500,cart,\nu1,b,86600,buy,30\n" +
        // u2: one session that carts and leaves (a drop-off).
        "u2,c,10,view,\nu2,c,20,cart,\n" +
        // u3: one view.
        "u3,d,30,view,\n";

    [Fact]
    public void UserFeatures_MatchHandComputedValues()
    {
        var users = UserFeatures.Build(TestData.ReadCsv(Events).Log);
        Assert.Equal(["u1", "u2", "u3"], users.UserIds);
        Assert.True(users.HasSpend);
        Assert.Equal([.. UserFeatures.FixedFeatures, UserFeatures.Spend], users.FeatureNames);
        double Value(int user, string feature) => users.Row(user)[users.FeatureNames.ToList().IndexOf(feature)];
        Assert.Equal(2, Value(0, "sessions"));
        Assert.Equal(2, Value(0, "events_per_session"));
        Assert.Equal((60 + 100) / 2.0, Value(0, "session_seconds_mean"));
        Assert.Equal(2, Value(0, "active_days"));
        Assert.Equal(2 / (86600 / 86400.0), Value(0, "sessions_per_day"), 12);
        Assert.Equal((1 + 2) / 2.0, Value(0, "interaction_depth"));
        Assert.Equal(0.5, Value(0, "click_share"));
        Assert.Equal(0.5, Value(0, "conversion_share"));
        Assert.Equal(0, Value(0, "dropoff_share"));
        Assert.Equal(1, Value(0, "conversions"));
        Assert.Equal(30, Value(0, "spend"));
        Assert.Equal(1, Value(1, "dropoff_share"));
        Assert.Equal(1, Value(1, "sessions_per_day")); // one session within a day: at least one day
        Assert.Equal([1, 1, 0], users.ClickedSessions);
        Assert.Equal([0, 1, 0], users.DropoffSessions);
        var noBuy = Assert.Throws<ArgumentException>(() => UserFeatures.Build(TestData.ReadCsv("user_id,session_id,timestamp,action\nu,s,0,view\n").Log));
        Assert.Contains("No event is a conversion", noBuy.Message, StringComparison.Ordinal);
        Assert.Contains("view", noBuy.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Users_ProfilesCarryRates_AndConstantFeaturesAreLeftOut()
    {
        var data = SegmentData.FromUsers(UserFeatures.Build(TestData.ReadCsv(Events).Log));
        var result = Segmentation.Fit(data, new SegmentationOptions { K = 2 });
        var report = result.Report;
        Assert.Contains("distinct_items", report.DroppedConstantFeatures); // no items in the events
        Assert.DoesNotContain("distinct_items", report.Features);
        Assert.Equal(1.0 / 4, report.ConversionRate); // one of four sessions converts
        Assert.Equal(1.0 / 2, report.DropoffRate); // of two sessions that clicked, one did not convert
        Assert.Equal(3, report.Segments.Sum(s => s.Size));
        Assert.All(report.Segments, s => Assert.NotNull(s.BuyerShare));
        Assert.Equal(result.Assignments, result.Model.Assign(data));
        Assert.Equal(SegmentationOptions.Default.KMeans.Restarts, report.Restarts);
    }

    private static SegmentProfile Profile(int segment, double buyers, double sessionsMean, params (string Name, double Z)[] z) => new()
    {
        Segment = segment,
        Name = "",
        Size = 10,
        Share = 0.1,
        BuyerShare = buyers,
        Features =
        [
            new SegmentFeature { Name = "sessions", Mean = sessionsMean, PopulationMean = 2, ZDifference = z.FirstOrDefault(f => f.Name == "sessions").Z },
            .. z.Where(f => f.Name != "sessions").Select(f => new SegmentFeature { Name = f.Name, Mean = 1, PopulationMean = 1, ZDifference = f.Z }),
        ],
    };

    [Fact]
    public void UserNames_FollowTheStatedRules()
    {
        var names = Segmentation.Names(
        [
            Profile(0, 0.9, 6, ("sessions", 1.2), ("conversion_share", 0.8)),
            Profile(1, 0.7, 2, ("spend", 0.9), ("conversion_share", -0.1)),
            Profile(2, 0.1, 3, ("dropoff_share", 1.0)),
            Profile(3, 0.0, 1, ("sessions", -0.8)),
            Profile(4, 0.2, 3, ("sessions_per_day", 0.7)),
            Profile(5, 0.2, 3, ("interaction_depth", 0.6)),
            Profile(6, 0.2, 3, ("interaction_depth", 0.1)),
            Profile(7, 0.7, 1, ("conversion_share", 0.6), ("sessions", -0.9)),
            Profile(8, 0.6, 3, ("conversion_share", 0.2), ("dropoff_share", 0.2)), // 60% bought, fewer than the population's 65%
            Profile(9, 0.8, 3, ("dropoff_share", 0.9)),
            Profile(10, 0.66, 3),
        ], SegmentSource.Events, populationBuyerShare: 0.65);
        Assert.Equal(
        [
            "frequent buyers", "high-spending buyers", "drop-off-prone browsers", "one-time visitors", "frequent browsers",
            "deep browsers", "casual browsers", "occasional buyers", "casual browsers", "drop-off-prone buyers", "buyers",
        ], names.Select(n => n.Replace(" #1", "", StringComparison.Ordinal).Replace(" #2", "", StringComparison.Ordinal)));
        Assert.Equal(names.Length, names.Distinct().Count());
    }

    [Fact]
    public void TableNames_UseTheTopNotableFeatures_AndStayUnique()
    {
        var names = Segmentation.Names(
        [
            Profile(0, 0, 1, ("Grocery", 1.1), ("Milk", -0.7), ("Frozen", 0.2)),
            Profile(1, 0, 1, ("Grocery", 0.1)),
            Profile(2, 0, 1, ("Grocery", 0.9), ("Milk", -0.6), ("Frozen", 0.55)),
            Profile(3, 0, 1, ("Grocery", 0.9), ("Milk", -0.6), ("Frozen", 0.1)),
        ], SegmentSource.Table);
        Assert.Equal("high Grocery, low Milk #1", names[0]);
        Assert.Equal("average on every feature", names[1]);
        Assert.Equal("high Grocery, low Milk, high Frozen", names[2]);
        Assert.Equal("high Grocery, low Milk #2", names[3]);
    }

    [Fact]
    public void Names_AreRecordedInTheModel()
    {
        var data = SegmentData.FromTable(Wholesale(), s_spending, log1p: true);
        var result = Segmentation.Fit(data, new SegmentationOptions { K = 3 });
        Assert.Equal(result.Report.Segments.Select(s => s.Name), result.Model.SegmentNames);
        Assert.Equal(3, result.Model.SegmentNames.Distinct().Count());
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{result.Report.Inertia}"),
            string.Create(CultureInfo.InvariantCulture, $"{result.Model.Training!.Inertia}"));
    }
}
