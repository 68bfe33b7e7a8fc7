namespace Exania.Learning.Tests;

public class StandardizerTests
{
    [Fact]
    public void Fit_MatchesScikitLearnStandardScaler()
    {
        var data = TestData.GoldenSmall();
        var scaler = Standardizer.Fit(data.Values, data.Columns);
        // sklearn 1.2.1 StandardScaler().fit(X).mean_ / .scale_ on Data/golden_small.csv
        double[] means = [-0.35343833333333347, 0.8523683333333327, -1.0517716666666665];
        double[] scales = [0.8018903243984735, 1.8583647008854913, 0.4321963632006739];
        for (var c = 0; c < 3; c++)
        {
            Assert.Equal(means[c], scaler.Means[c], 1e-13);
            Assert.Equal(scales[c], scaler.Scales[c], 1e-13);
        }
    }

    [Fact]
    public void Fit_ConstantColumn_GetsScaleOne()
    {
        double[] values = [0.1, 5, 0.1, 7, 0.1, 9];
        var scaler = Standardizer.Fit(values, 2);
        Assert.Equal(1.0, scaler.Scales[0]);
        Assert.Equal(Math.Sqrt(8.0 / 3), scaler.Scales[1], 1e-14);
        var z = new double[2];
        scaler.Transform([0.1, 7], z);
        Assert.Equal(0.0, z[0], 1e-15);
        Assert.Equal(0.0, z[1], 1e-15);
    }

    [Fact]
    public void Fit_OnRowSubset_UsesOnlyThoseRows()
    {
        double[] values = [1, 100, 3, -50];
        var scaler = Standardizer.Fit(values, 1, [0, 2]);
        Assert.Equal(2.0, scaler.Means[0]);
        Assert.Equal(1.0, scaler.Scales[0]);
    }

    [Fact]
    public void Transform_StandardizesToZeroMeanUnitVariance()
    {
        var data = TestData.Interaction(500, seed: 2);
        var scaler = Standardizer.Fit(data.Values, data.Columns);
        var transformed = new double[data.Values.Length];
        for (var r = 0; r < data.Rows; r++)
            scaler.Transform(data.Row(r), transformed.AsSpan(r * data.Columns, data.Columns));
        var again = Standardizer.Fit(transformed, data.Columns);
        for (var c = 0; c < data.Columns; c++)
        {
            Assert.Equal(0.0, again.Means[c], 1e-12);
            Assert.Equal(1.0, again.Scales[c], 1e-12);
        }
    }

    [Fact]
    public void Constructor_RejectsNonPositiveScale() =>
        Assert.Throws<ArgumentException>(() => new Standardizer([0.0], [0.0]));
}
