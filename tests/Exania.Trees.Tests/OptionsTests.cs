namespace Exania.Trees.Tests;

public class OptionsTests
{
    public static TheoryData<GbtOptions, string> Invalid => new()
    {
        { new GbtOptions { Rounds = 0 }, "Rounds" },
        { new GbtOptions { MaxDepth = 0 }, "MaxDepth" },
        { new GbtOptions { MaxDepth = -1 }, "MaxDepth" },
        { new GbtOptions { LearningRate = 0 }, "LearningRate" },
        { new GbtOptions { LearningRate = 1.5 }, "LearningRate" },
        { new GbtOptions { LearningRate = double.NaN }, "LearningRate" },
        { new GbtOptions { MinChildWeight = -1 }, "MinChildWeight" },
        { new GbtOptions { Lambda = -0.1 }, "Lambda" },
        { new GbtOptions { Alpha = double.PositiveInfinity }, "Alpha" },
        { new GbtOptions { Gamma = -1 }, "Gamma" },
        { new GbtOptions { Subsample = 0 }, "Subsample" },
        { new GbtOptions { ColsampleByTree = 1.01 }, "ColsampleByTree" },
        { new GbtOptions { MaxBins = 1 }, "MaxBins" },
        { new GbtOptions { MaxLeaves = 1 }, "MaxLeaves" },
        { new GbtOptions { Growth = GbtGrowth.LossGuided, MaxDepth = 0, MaxLeaves = 0 }, "MaxLeaves" },
        { new GbtOptions { EarlyStoppingRounds = -1 }, "EarlyStoppingRounds" },
        { new GbtOptions { Threads = -1 }, "Threads" },
        { new GbtOptions { Objective = GbtObjective.Logistic, BaseScore = 1 }, "BaseScore" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_OutOfRange_ThrowsNamingTheOption(GbtOptions options, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(name, e.ParamName);
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Defaults_MatchTheDocumentedValues()
    {
        var o = new GbtOptions();
        o.Validate();
        Assert.Equal((200, 6, 0.1, 1.0, 1.0, 0.0, 0.0), (o.Rounds, o.MaxDepth, o.LearningRate, o.MinChildWeight, o.Lambda, o.Alpha, o.Gamma));
        Assert.Equal((1.0, 1.0, 256, GbtGrowth.DepthWise, 0, 0, GbtObjective.SquaredError, 0), (o.Subsample, o.ColsampleByTree, o.MaxBins, o.Growth, o.MaxLeaves, o.EarlyStoppingRounds, o.Objective, o.Seed));
        Assert.Equal(0, o.Threads); // 0 = all processors, as in every options record
    }

    [Fact]
    public void Train_LogisticWithNonBinaryLabels_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => GbtTrainer.Train(TestData.Column([1, 2, 3], [0, 1, 2]), new GbtOptions { Objective = GbtObjective.Logistic }));
        Assert.Contains("row 2", e.Message);
    }

    [Fact]
    public void Dataset_InfiniteValue_RejectedWithRowAndColumn()
    {
        var e = Assert.Throws<ArgumentException>(() => new GbtDataset([1, double.PositiveInfinity], 1, 2, ["a", "b"], [0]));
        Assert.Contains("row 0, column 1 ('b')", e.Message);
    }

    [Fact]
    public void Train_ValidationColumnsDiffer_Throws()
    {
        var train = TestData.Column([1, 2, 3], [0, 1, 2]);
        var validation = new GbtDataset([1, 2], 2, 1, ["other"], [0, 1]);
        Assert.Throws<ArgumentException>(() => GbtTrainer.Train(train, new GbtOptions { Rounds = 2 }, validation));
    }
}
