using Exania.Campaigns;
using Exania.Conversion;
using Exania.Testing;

namespace Exania.Conversion.Tests;

/// <summary>PCA against scikit-learn 1.2.1, and the bounded, seeded projection the segment report draws.</summary>
public class PcaTests
{
    private static readonly double[] s_data =
    [
        2.5, 2.4, 1.0, 0.5, 0.7, 2.1, 2.2, 2.9, 0.3, 1.9, 2.2, 1.7, 3.1, 3.0, 0.2,
        2.3, 2.7, 1.1, 2.0, 1.6, 2.5, 1.0, 1.1, 0.4, 1.5, 1.6, 1.9, 1.1, 0.9, 3.0,
    ];

    /// <summary>
    /// <c>p = sklearn.decomposition.PCA(n_components=2).fit(X)</c> on the 10 × 3 <c>X</c> above (scikit-learn 1.2.1,
    /// /usr/bin/python3): <c>p.explained_variance_ratio_</c>, <c>p.explained_variance_</c>, <c>p.components_</c> and
    /// <c>p.transform(X)</c>, each component (and its coordinates) negated where its largest-|loading| entry was negative.
    /// </summary>
    [Fact]
    public void Fit_MatchesScikitLearn_UpToTheLargestLoadingPositiveSign()
    {
        var pca = Pca.Fit(s_data, 3, 2);
        Assert.Equal(0.792451915295, pca.ExplainedVarianceRatio[0], 1e-10);
        Assert.Equal(0.190806971608, pca.ExplainedVarianceRatio[1], 1e-10);
        Assert.Equal(1.80450106134, pca.ExplainedVariance[0], 1e-10);
        Assert.Equal(0.434488675125, pca.ExplainedVariance[1], 1e-10);
        double[] components = [-0.514554958336, -0.598069170638, 0.614448095436, 0.528607951637, 0.3429683159, 0.776496212325];
        for (var i = 0; i < components.Length; i++)
            Assert.Equal(components[i], pca.Components[i], 1e-9);
        double[] projected =
        [
            -0.906165014947, 0.206665552245, 1.815555396788, -0.579450654504, -1.480946779571, -0.323980023924,
            -0.047704539013, 0.364454466709, -2.065297968680, 0.108414342908, -0.921229964928, 0.281484077920,
            0.751239943885, 0.832731242192, 0.274488487124, -1.498002913276, 0.639848565791, 0.102529538979,
            1.940211873551, 0.505154370751,
        ];
        var xy = new double[2];
        for (var r = 0; r < 10; r++)
        {
            pca.Project(s_data.AsSpan(r * 3, 3), xy);
            Assert.Equal(projected[2 * r], xy[0], 1e-9);
            Assert.Equal(projected[2 * r + 1], xy[1], 1e-9);
        }
    }

    [Fact]
    public void SymmetricEigen_ReconstructsTheMatrix()
    {
        double[] matrix = [4, 1, -2, 2, 1, 2, 0, 1, -2, 0, 3, -2, 2, 1, -2, -1];
        var (values, vectors) = Pca.SymmetricEigen(matrix, 4);
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 4; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < 4; k++)
                    sum += vectors[i * 4 + k] * values[k] * vectors[j * 4 + k];
                Assert.Equal(matrix[i * 4 + j], sum, 1e-10);
            }
        Assert.Equal(4 + 2 + 3 - 1, values.Sum(), 1e-10); // the trace
    }

    /// <summary>
    /// scikit-learn 1.2.1: <c>PCA(2).fit(StandardScaler().fit_transform(numpy.log1p(X)))</c> for the six spending
    /// columns of wholesale_customers.csv: explained_variance_ratio_ [0.44077752, 0.27194917], and the first row's
    /// coordinates (sign convention as above) [1.38038279, -0.30472683].
    /// </summary>
    [Fact]
    public void Segmentation_ProjectsTheStandardizedFeaturesAsScikitLearn()
    {
        var table = CampaignTableReader.Read(TestData.Path("wholesale_customers.csv"), new CampaignReadOptions { Delimiter = ';' }).Table;
        var data = SegmentData.FromTable(table, ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"], log1p: true);
        var result = Segmentation.Fit(data, new SegmentationOptions { K = 2 });
        var projection = result.Report.Projection!;
        Assert.Equal(0.44077752, projection.ExplainedVarianceRatio[0], 1e-6);
        Assert.Equal(0.27194917, projection.ExplainedVarianceRatio[1], 1e-6);
        Assert.Equal(440, projection.Rows.Count);
        Assert.Equal(1.38038279, projection.Rows[0].X, 1e-5);
        Assert.Equal(-0.30472683, projection.Rows[0].Y, 1e-5);
        Assert.Equal(result.Assignments, projection.Rows.Select(r => r.Segment));
    }

    [Fact]
    public void Projection_IsASeededSampleOfAtMost2000Rows_InRowOrder()
    {
        var random = new Random(3);
        var rows = 2600;
        var z = new double[rows * 3];
        for (var i = 0; i < z.Length; i++)
            z[i] = random.NextDouble();
        var assignments = Enumerable.Range(0, rows).Select(r => r % 4).ToArray();
        var one = SegmentProjection.Of(z, 3, assignments, seed: 7)!;
        var again = SegmentProjection.Of(z, 3, assignments, seed: 7)!;
        var other = SegmentProjection.Of(z, 3, assignments, seed: 8)!;
        Assert.Equal(SegmentProjection.MaxRows, one.Rows.Count);
        Assert.Equal(one.Rows, again.Rows);
        Assert.NotEqual(one.Rows, other.Rows);
        // Every drawn point is a real row's projection with that row's segment.
        var pca = Pca.Fit(z, 3, 2);
        var xy = new double[2];
        var byPoint = new HashSet<(double, double, int)>();
        for (var r = 0; r < rows; r++)
        {
            pca.Project(z.AsSpan(r * 3, 3), xy);
            byPoint.Add((Math.Round(xy[0], 6), Math.Round(xy[1], 6), assignments[r]));
        }
        Assert.All(one.Rows, p => Assert.Contains((p.X, p.Y, p.Segment), byPoint));
        Assert.Null(SegmentProjection.Of([1.0, 2, 3], 1, [0, 1, 0], 0));
    }
}
