namespace Exania.Learning.Tests;

public class StratifiedKFoldTests
{
    private static byte[] Labels(int rows, int positives, int seed)
    {
        var labels = new byte[rows];
        for (var i = 0; i < positives; i++)
            labels[i] = 1;
        new Random(seed).Shuffle(labels);
        return labels;
    }

    [Theory]
    [InlineData(1000, 63, 5)]
    [InlineData(997, 10, 10)]
    [InlineData(50, 25, 2)]
    [InlineData(101, 97, 4)]
    public void Split_FoldsPartitionRowsWithProportionalPositives(int rows, int positives, int folds)
    {
        var labels = Labels(rows, positives, seed: rows);
        var split = StratifiedKFold.Split(labels, folds, seed: 3);
        var seen = new int[rows];
        for (var f = 0; f < folds; f++)
        {
            var test = split.TestRows(f);
            var train = split.TrainRows(f);
            Assert.Equal(rows, test.Length + train.Length);
            Assert.Empty(test.Intersect(train));
            foreach (var r in test)
                seen[r]++;
            var foldPositives = test.Count(r => labels[r] == 1);
            var expected = (double)positives * test.Length / rows;
            Assert.True(Math.Abs(foldPositives - expected) <= 1, $"fold {f}: {foldPositives} positives, proportional {expected}");
            Assert.InRange(test.Length, rows / folds, rows / folds + 1);
        }
        Assert.All(seen, count => Assert.Equal(1, count)); // each row held out exactly once
    }

    [Fact]
    public void Split_IsDeterministicPerSeed()
    {
        var labels = Labels(500, 40, seed: 1);
        var a = StratifiedKFold.Split(labels, 5, seed: 42).FoldOfRow.ToArray();
        var b = StratifiedKFold.Split(labels, 5, seed: 42).FoldOfRow.ToArray();
        var c = StratifiedKFold.Split(labels, 5, seed: 43).FoldOfRow.ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Split_OneFold_ThrowsClearly()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedKFold.Split(Labels(10, 5, 1), 1, 0));
        Assert.Contains("at least 2 folds", e.Message);
    }

    [Fact]
    public void Split_MoreFoldsThanMinorityRows_ThrowsNamingTheClass()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedKFold.Split(Labels(100, 3, 1), 5, 0));
        Assert.Contains("minority class (label 1) has only 3", e.Message);
        Assert.Contains("at most 3 folds", e.Message);
    }
}
