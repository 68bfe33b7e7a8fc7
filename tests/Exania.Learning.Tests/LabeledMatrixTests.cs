namespace Exania.Learning.Tests;

public class LabeledMatrixTests
{
    [Fact]
    public void Constructor_NaN_ThrowsNamingRowAndColumn()
    {
        double[] values = [1, 2, 3, double.NaN, 5, 6];
        var e = Assert.Throws<ArgumentException>(() => new LabeledMatrix(values, 2, 3, ["a", "b", "c"], [0, 1]));
        Assert.Contains("row 1, column 0 ('a')", e.Message);
    }

    [Fact]
    public void Constructor_Infinity_Throws() =>
        Assert.Throws<ArgumentException>(() => new LabeledMatrix([1, double.PositiveInfinity], 1, 2, ["a", "b"], [0]));

    [Fact]
    public void Constructor_RejectsShapeAndLabelErrors()
    {
        Assert.Throws<ArgumentException>(() => new LabeledMatrix(new double[5], 2, 3, ["a", "b", "c"], [0, 1]));
        Assert.Throws<ArgumentException>(() => new LabeledMatrix(new double[6], 2, 3, ["a", "b"], [0, 1]));
        Assert.Throws<ArgumentException>(() => new LabeledMatrix(new double[6], 2, 3, ["a", "b", "c"], [0]));
        var e = Assert.Throws<ArgumentException>(() => new LabeledMatrix(new double[6], 2, 3, ["a", "b", "c"], [0, 2]));
        Assert.Contains("row 1", e.Message);
    }

    [Fact]
    public void Row_ReturnsRowMajorSlice()
    {
        var m = new LabeledMatrix([1, 2, 3, 4, 5, 6], 2, 3, ["a", "b", "c"], [0, 1]);
        Assert.Equal([4.0, 5, 6], m.Row(1).ToArray());
        Assert.Equal(1, m.PositiveCount);
    }
}
