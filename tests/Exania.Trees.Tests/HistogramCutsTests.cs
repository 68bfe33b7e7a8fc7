namespace Exania.Trees.Tests;

public class HistogramCutsTests
{
    [Fact]
    public void Compute_FewDistinctValues_EachValueGetsItsBinAndTheSentinelEnds()
    {
        var cuts = HistogramCuts.Compute([3, 1, 2, 2, double.NaN, 5], 256);

        // Distinct 1, 2, 3, 5: cuts are the values after the minimum plus XGBoost's sentinel max + (|max| + 1e-5).
        Assert.Equal([2f, 3f, 5f, 5f + (5f + 1e-5f)], cuts);
        Assert.Equal(0, HistogramCuts.BinOf(cuts, 1));
        Assert.Equal(1, HistogramCuts.BinOf(cuts, 2));
        Assert.Equal(1, HistogramCuts.BinOf(cuts, 2.5));
        Assert.Equal(2, HistogramCuts.BinOf(cuts, 3));
        Assert.Equal(3, HistogramCuts.BinOf(cuts, 5));
        Assert.Equal(3, HistogramCuts.BinOf(cuts, 1e9)); // clamped to the last bin
        Assert.Equal(0, HistogramCuts.BinOf(cuts, -1e9));
    }

    [Fact]
    public void BinOf_NaN_GoesToTheMissingBinAfterTheValueBins()
    {
        float[] cuts = [2f, 3f, 10f];
        Assert.Equal(3, HistogramCuts.BinOf(cuts, double.NaN));
        Assert.Equal(0, HistogramCuts.BinOf([], double.NaN));
    }

    [Fact]
    public void Compute_ManyDistinctValues_CutsAtEqualCountQuantiles()
    {
        var column = new double[1000];
        for (var i = 0; i < column.Length; i++)
            column[i] = column.Length - 1 - i; // 999 .. 0, order must not matter
        // maxBins 5 = 4 value bins + the missing bin: interior cuts x_(250), x_(500), x_(750).
        var cuts = HistogramCuts.Compute(column, 5);

        Assert.Equal([250f, 500f, 750f, 999f + (999f + 1e-5f)], cuts);
        var counts = new int[cuts.Length + 1];
        foreach (var v in column)
            counts[HistogramCuts.BinOf(cuts, v)]++;
        Assert.Equal([250, 250, 250, 250, 0], counts);
    }

    [Fact]
    public void Compute_HeavyTies_CollapsesRepeatedQuantiles()
    {
        // 90% zeros: every quantile below the 90th is 0 (the minimum), so only the top values get cuts.
        var column = new double[100];
        for (var i = 90; i < 100; i++)
            column[i] = i;
        var cuts = HistogramCuts.Compute(column, 11);

        Assert.Equal(90f, cuts[0]);
        Assert.True(cuts.Length <= 10);
        for (var i = 1; i < cuts.Length; i++)
            Assert.True(cuts[i] > cuts[i - 1]);
    }

    [Fact]
    public void Compute_AllMissing_HasNoValueBins()
    {
        Assert.Empty(HistogramCuts.Compute([double.NaN, double.NaN], 256));
    }

    [Fact]
    public void Compute_MaxBinsBelowTwo_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => HistogramCuts.Compute([1, 2], 1));
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void BinnedMatrix_ColumnMajorCodes_MissingCodeIsTheValueBinCount()
    {
        // Two rows x three features, row-major.
        double[] values = [1, double.NaN, 7, 2, 5, double.NaN];
        var narrow = BinnedMatrix.Build(values, 2, 3, 256, 1);
        var wide = BinnedMatrix.Build(values, 2, 3, 300, 2);

        Assert.NotNull(narrow.Bins8);
        Assert.NotNull(wide.Bins16);
        foreach (var m in new[] { narrow, wide })
        {
            Assert.Equal([2, 1, 1], m.ValueBins);
            Assert.Equal(0, m.Bin(0, 0));
            Assert.Equal(1, m.Bin(0, 1));
            Assert.Equal(1, m.Bin(1, 0)); // NaN: missing bin = value bins of feature 1
            Assert.Equal(0, m.Bin(1, 1));
            Assert.Equal(0, m.Bin(2, 0));
            Assert.Equal(1, m.Bin(2, 1));
            Assert.Equal([0, 3, 5], m.HistOffset);
        }
    }

    [Fact]
    public void Training_WideBins_GivesTheSameTreesAsByteBins()
    {
        // Under 255 distinct values per feature (two decimals in [−1, 1]: 201), byte and ushort storage hold the same bins.
        var source = TestData.Regression(400, 5);
        var values = source.Values.Select(v => Math.Round(v, 2)).ToArray();
        var data = new GbtDataset(values, source.Rows, source.Columns, source.ColumnNames, source.Target);
        var options = new GbtOptions { Rounds = 20, Threads = 2 };
        var narrow = GbtTrainer.Train(data, options);
        var wide = GbtTrainer.Train(data, options with { MaxBins = 1000 });

        Assert.Equal(narrow.Predict(data), wide.Predict(data));
    }
}
