namespace Exania.Learning.Tests;

public class PolynomialExpansionTests
{
    [Fact]
    public void Terms_MatchScikitLearnOrder_ThreeInputsDegreeThree()
    {
        // sklearn 1.2.1: PolynomialFeatures(3, include_bias=False).fit(np.zeros((1, 3))).powers_
        int[][] powers =
        [
            [1, 0, 0], [0, 1, 0], [0, 0, 1], [2, 0, 0], [1, 1, 0], [1, 0, 1], [0, 2, 0], [0, 1, 1], [0, 0, 2],
            [3, 0, 0], [2, 1, 0], [2, 0, 1], [1, 2, 0], [1, 1, 1], [1, 0, 2], [0, 3, 0], [0, 2, 1], [0, 1, 2], [0, 0, 3],
        ];
        var expansion = new PolynomialExpansion(3, 3);
        Assert.Equal(powers.Length, expansion.TermCount);
        for (var t = 0; t < powers.Length; t++)
            Assert.Equal(powers[t], expansion.Exponents(t));
    }

    [Theory]
    [InlineData(20, 1, 20)]
    [InlineData(20, 2, 230)]
    [InlineData(20, 3, 1770)]
    [InlineData(1, 4, 4)]
    public void TermCount_IsSumOfMultisetCounts(int inputs, int degree, int expected) =>
        Assert.Equal(expected, new PolynomialExpansion(inputs, degree).TermCount);

    [Theory]
    [InlineData(3, 3)]
    [InlineData(20, 2)]
    [InlineData(7, 4)]
    public void Expand_EqualsProductOfIndexedInputs(int inputs, int degree)
    {
        var expansion = new PolynomialExpansion(inputs, degree);
        var random = new Random(inputs * 10 + degree);
        var x = new double[inputs];
        for (var i = 0; i < x.Length; i++)
            x[i] = random.NextDouble() * 4 - 2;
        var destination = new double[expansion.TermCount + 3];
        destination.AsSpan().Fill(double.NaN);
        expansion.Expand(x, destination);
        for (var t = 0; t < expansion.TermCount; t++)
        {
            var expected = 1.0;
            foreach (var index in expansion.TermIndices(t))
                expected *= x[index];
            Assert.Equal(expected, destination[t], Math.Abs(expected) * 1e-14);
        }
        Assert.True(double.IsNaN(destination[expansion.TermCount]), "wrote past TermCount");
    }

    [Fact]
    public void TermIndices_AreLexicographicWithinEachDegree()
    {
        var expansion = new PolynomialExpansion(5, 3);
        for (var t = 1; t < expansion.TermCount; t++)
        {
            var previous = expansion.TermIndices(t - 1);
            var current = expansion.TermIndices(t);
            if (previous.Length == current.Length)
                Assert.True(previous.SequenceCompareTo(current) < 0, $"term {t} is out of order");
            else
                Assert.Equal(previous.Length + 1, current.Length);
        }
    }

    [Fact]
    public void TermName_MatchesScikitLearnFeatureNames()
    {
        var expansion = new PolynomialExpansion(3, 2);
        string[] names = ["a", "b", "c"];
        // sklearn get_feature_names_out(["a", "b", "c"])
        string[] expected = ["a", "b", "c", "a^2", "a b", "a c", "b^2", "b c", "c^2"];
        for (var t = 0; t < expected.Length; t++)
            Assert.Equal(expected[t], expansion.TermName(t, names));
    }

    [Fact]
    public void Expand_RejectsWrongLengths()
    {
        var expansion = new PolynomialExpansion(3, 2);
        Assert.Throws<ArgumentException>(() => expansion.Expand(new double[2], new double[9]));
        Assert.Throws<ArgumentException>(() => expansion.Expand(new double[3], new double[8]));
    }

    [Fact]
    public void Constructor_RejectsRunawayDegree() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolynomialExpansion(200, 6));
}
