namespace Exania.Learning.Tests;

public class TrainTestSplitTests
{
    // Golden values from Debian's scikit-learn 1.2: train_test_split(np.arange(n), test_size=0.2, random_state=seed).
    [Theory]
    [InlineData(10, 0, new[] { 2, 8 }, new[] { 4, 9, 1, 6, 7, 3, 0, 5 }, 10L)]
    [InlineData(1000, 0, new[] { 993, 859, 298, 553, 672, 971, 27, 231 }, new[] { 687, 500, 332, 979, 817, 620, 814, 516 }, 104921L)]
    [InlineData(15344, 0, new[] { 6856, 8057, 13137, 13223, 5488, 14107, 13039, 6031 }, new[] { 8003, 3064, 11428, 14489, 15019, 10823, 12666, 12360 }, 23797403L)]
    [InlineData(7, 42, new[] { 0, 1 }, new[] { 5, 2, 4, 3, 6 }, 1L)]
    public void ScikitLearnCompatible_MatchesTrainTestSplit(int rows, int seed, int[] testHead, int[] trainHead, long testSum)
    {
        var (train, test) = TrainTestSplit.ScikitLearnCompatible(rows, 0.2, seed);
        Assert.Equal((int)Math.Ceiling(0.2 * rows), test.Length);
        Assert.Equal(rows - test.Length, train.Length);
        Assert.Equal(testHead, test.Take(testHead.Length));
        Assert.Equal(trainHead, train.Take(trainHead.Length));
        Assert.Equal(testSum, test.Sum(i => (long)i));
        Assert.Equal(Enumerable.Range(0, rows), train.Concat(test).Order());
    }

    [Fact]
    public void ScikitLearnCompatible_RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainTestSplit.ScikitLearnCompatible(1, 0.2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainTestSplit.ScikitLearnCompatible(10, 1.0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainTestSplit.ScikitLearnCompatible(10, 0.2, -1));
    }
}
