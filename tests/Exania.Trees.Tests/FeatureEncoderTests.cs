namespace Exania.Trees.Tests;

public class FeatureEncoderTests
{
    private static IReadOnlyList<RawColumn> Columns(int idCount = 3) =>
    [
        RawColumn.Categorical("channel", ["search", "email", null, "search", ""]),
        RawColumn.Numeric("cost", [1.5, double.NaN, 3, 4, 5]),
        RawColumn.Categorical("user", [.. Enumerable.Range(0, 5).Select(i => $"u{i % idCount}")]),
    ];

    [Fact]
    public void Fit_LikePandasGetDummies_NumericFirstThenSortedDummies()
    {
        var encoder = FeatureEncoder.Fit(Columns(), maxCardinality: 2);

        Assert.Equal(["cost", "channel_email", "channel_search"], encoder.OutputNames);
        Assert.Equal(EncodedColumnKind.Dropped, encoder.Columns[2].Kind); // 3 distinct users > 2
        var x = encoder.Transform(Columns());
        Assert.Equal([
            1.5, 0, 1,
            double.NaN, 1, 0,
            3, 0, 0, // missing category: all zeros
            4, 0, 1,
            5, 0, 0,
        ], x);
    }

    [Fact]
    public void Transform_UnknownCategory_AllZeroDummies()
    {
        var encoder = FeatureEncoder.Fit(Columns());
        var x = encoder.Transform([RawColumn.Numeric("cost", [2]), RawColumn.Categorical("channel", ["social"]), RawColumn.Categorical("user", ["u9"])]);
        Assert.Equal(encoder.OutputWidth, x.Length);
        Assert.Equal(2, x[0]);
        Assert.All(x.Skip(1), v => Assert.Equal(0, v));
    }

    [Fact]
    public void EncodeRow_Text_MatchesTransform()
    {
        var encoder = FeatureEncoder.Fit(Columns(), maxCardinality: 2);
        var row = new double[encoder.OutputWidth];
        encoder.EncodeRow(["email", "2.5", "u7"], row);
        Assert.Equal([2.5, 1, 0], row);
        encoder.EncodeRow([null, "", null], row);
        Assert.Equal([double.NaN, 0, 0], row);
        var e = Assert.Throws<ArgumentException>(() => encoder.EncodeRow(["email", "abc", "u1"], row));
        Assert.Contains("'cost'", e.Message);
    }

    [Fact]
    public void Transform_MissingColumn_NamesIt()
    {
        var encoder = FeatureEncoder.Fit(Columns());
        var e = Assert.Throws<ArgumentException>(() => encoder.Transform([RawColumn.Numeric("cost", [1])]));
        Assert.Contains("'channel' is missing", e.Message);
    }

    [Fact]
    public void Model_WithEncoder_SavesLoadsAndPredictsRawColumns()
    {
        var rng = new Random(3);
        var n = 600;
        var channel = new string?[n];
        var cost = new double[n];
        var y = new double[n];
        string[] names = ["email", "search", "social"];
        for (var i = 0; i < n; i++)
        {
            channel[i] = i % 17 == 0 ? null : names[rng.Next(3)];
            cost[i] = rng.NextDouble();
            y[i] = (channel[i] == "search" ? 3 : 0) + cost[i];
        }
        IReadOnlyList<RawColumn> raw = [RawColumn.Categorical("channel", channel), RawColumn.Numeric("cost", cost)];
        var encoder = FeatureEncoder.Fit(raw);
        var model = GbtTrainer.Train(encoder.TransformDataset(raw, y), new GbtOptions { Rounds = 50, Threads = 2 }, encoder: encoder);

        using var temp = new TempFolder();
        model.Save(temp.File("m.json"));
        var loaded = GbtModel.Load(temp.File("m.json"));
        Assert.NotNull(loaded.Encoder);
        Assert.Equal(encoder.OutputNames, loaded.Encoder.OutputNames);
        IReadOnlyList<RawColumn> fresh = [RawColumn.Numeric("cost", [0.5, 0.5]), RawColumn.Categorical("channel", ["search", "email"])];
        var p = loaded.Predict(fresh);
        Assert.Equal(model.Predict(fresh), p);
        Assert.True(p[0] - p[1] > 2.5, $"search should add about 3: {p[0]} vs {p[1]}");
    }
}
