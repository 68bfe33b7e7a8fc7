namespace Exania.Learning.Tests;

public class LogisticRegressionTests
{
    [Theory]
    [InlineData(false, 1.0)]
    [InlineData(true, 0.3)]
    [InlineData(true, 7.0)]
    public void LossGradient_MatchesCentralFiniteDifferences(bool weighted, double c)
    {
        // 5000 rows > 2 chunks, so the parallel path and the chunk reduction are exercised.
        const int rows = 5000, columns = 7;
        var (x, y, w) = TestData.Random(rows, columns, seed: 11);
        var loss = new LogisticLoss(x, rows, columns, y, weighted ? w : default, c);
        var random = new Random(3);
        var p = new double[columns + 1];
        for (var i = 0; i < p.Length; i++)
            p[i] = random.NextDouble() - 0.5;
        var gradient = new double[p.Length];
        loss.Evaluate(p, gradient);

        var scratch = new double[p.Length];
        for (var i = 0; i < p.Length; i++)
        {
            var h = 1e-5 * Math.Max(1, Math.Abs(p[i]));
            var plus = (double[])p.Clone();
            var minus = (double[])p.Clone();
            plus[i] += h;
            minus[i] -= h;
            var numeric = (loss.Evaluate(plus, scratch) - loss.Evaluate(minus, scratch)) / (2 * h);
            var relative = Math.Abs(numeric - gradient[i]) / Math.Max(1, Math.Abs(gradient[i]));
            Assert.True(relative < 1e-6, $"parameter {i}: analytic {gradient[i]}, numeric {numeric}, relative error {relative}");
        }
    }

    [Fact]
    public void LossValue_MatchesNaiveFormula()
    {
        const int rows = 300, columns = 4;
        var (x, y, w) = TestData.Random(rows, columns, seed: 5);
        var p = new[] { 0.3, -1.2, 2.0, 0.1, -0.4 };
        const double c = 2.5;
        var expected = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var z = p[columns];
            for (var j = 0; j < columns; j++)
                z += x[r * columns + j] * p[j];
            var probability = 1 / (1 + Math.Exp(-z));
            expected -= c * w[r] * (y[r] == 1 ? Math.Log(probability) : Math.Log(1 - probability));
        }
        for (var j = 0; j < columns; j++)
            expected += 0.5 * p[j] * p[j]; // intercept not penalised
        var actual = new LogisticLoss(x, rows, columns, y, w, c).Evaluate(p, new double[columns + 1]);
        Assert.Equal(expected, actual, 1e-9 * Math.Abs(expected));
    }

    [Fact]
    public void Loss_IsFiniteForHugeMargins()
    {
        // log(1 + exp(800)) overflows naively; the stable form gives ~800.
        var x = new[] { 1.0, 1.0 };
        var y = new byte[] { 0, 1 };
        var loss = new LogisticLoss(x, 2, 1, y, default, 1.0);
        var gradient = new double[2];
        var f = loss.Evaluate([800.0, 0.0], gradient);
        Assert.Equal(800.0 + 0.5 * 800 * 800, f, 1e-9);
        Assert.True(double.IsFinite(gradient[0]) && double.IsFinite(gradient[1]));
    }

    [Fact]
    public void Loss_IsIdenticalAcrossRepeatedParallelEvaluations()
    {
        const int rows = 20_000, columns = 9;
        var (x, y, w) = TestData.Random(rows, columns, seed: 8);
        var loss = new LogisticLoss(x, rows, columns, y, w, 1.0);
        var p = new[] { 0.1, 0.2, -0.3, 0.4, -0.5, 0.6, -0.7, 0.8, -0.9, 0.05 };
        var first = new double[p.Length];
        var f0 = loss.Evaluate(p, first);
        for (var repeat = 0; repeat < 10; repeat++)
        {
            var again = new double[p.Length];
            Assert.Equal(f0, loss.Evaluate(p, again));
            Assert.Equal(first, again);
        }
    }

    [Fact]
    public void Fit_ReachesStationaryPoint()
    {
        const int rows = 4000, columns = 6;
        var (x, y, w) = TestData.Random(rows, columns, seed: 21);
        var fit = LogisticRegression.Fit(x, rows, columns, y, w, 1.0, new LbfgsOptions { Tolerance = 1e-8, FunctionTolerance = 0 });
        Assert.Equal(LbfgsStop.GradientTolerance, fit.Optimization.Stop);
        var loss = new LogisticLoss(x, rows, columns, y, w, 1.0);
        var gradient = new double[columns + 1];
        loss.Evaluate([.. fit.Coefficients, fit.Intercept], gradient);
        // The optimiser's criterion is on the gradient of the mean loss (divided by C * sum of weights).
        var scaled = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude<double>(gradient)) / loss.WeightSum;
        Assert.True(scaled <= 1e-8, $"max scaled gradient {scaled}");
    }

    [Theory]
    // sklearn 1.2.1: LogisticRegression(C=1, class_weight='balanced') on Data/golden_small.csv (see Data/make_golden.py).
    [InlineData(true, 1.0, new[] { 0.40643794951043755, 0.4991250117444212, 0.16243760301068583 }, -0.25209994690372717)]
    // LogisticRegression(C=10) without class weights.
    [InlineData(false, 10.0, new[] { 0.4474056244541962, 0.5152902091901401, 0.08206543474762094 }, -1.1138300497134368)]
    public void Fit_MatchesScikitLearnReference(bool balanced, double c, double[] coefficients, double intercept)
    {
        var data = TestData.GoldenSmall();
        var weights = balanced ? LogisticRegression.BalancedSampleWeights(data.Labels) : null;
        var fit = LogisticRegression.Fit(data.Values, data.Rows, data.Columns, data.Labels, weights, c,
            new LbfgsOptions { Tolerance = 1e-10 });
        for (var j = 0; j < coefficients.Length; j++)
            Assert.Equal(coefficients[j], fit.Coefficients[j], 1e-6);
        Assert.Equal(intercept, fit.Intercept, 1e-6);
    }

    [Fact]
    public void BalancedSampleWeights_AreNOver2NClass()
    {
        var weights = LogisticRegression.BalancedSampleWeights([1, 0, 0, 0]);
        Assert.Equal([2.0, 4.0 / 6, 4.0 / 6, 4.0 / 6], weights);
    }

    [Fact]
    public void BalancedSampleWeights_SingleClass_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.BalancedSampleWeights([0, 0, 0]));
        Assert.Contains("only one class", e.Message);
    }

    [Theory]
    [InlineData(1e-20)]
    [InlineData(1e-10)]
    [InlineData(3e-5)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Log1P_IsAccurate(double x)
    {
        // Reference: the alternating series for small x, Math.Log for large.
        var expected = x < 1e-4 ? x * (1 - x * (1.0 / 2 - x * (1.0 / 3 - x * (1.0 / 4 - x / 5)))) : Math.Log(1 + x);
        Assert.Equal(expected, LogisticRegression.Log1P(x), Math.Abs(expected) * 1e-15);
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(-800.0, 0.0)]
    [InlineData(800.0, 1.0)]
    [InlineData(2.0, 0.8807970779778823)]
    [InlineData(-2.0, 0.11920292202211755)]
    public void Sigmoid_IsStable(double z, double expected) =>
        Assert.Equal(expected, LogisticRegression.Sigmoid(z), 1e-15);

    [Fact]
    public void LossConstructor_RejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => new LogisticLoss(new double[4], 2, 2, new byte[] { 0, 2 }, default, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogisticLoss(new double[4], 2, 2, new byte[] { 0, 1 }, default, 0));
        Assert.Throws<ArgumentException>(() => new LogisticLoss(new double[4], 2, 2, new byte[] { 0, 1 }, new[] { 1.0, -1.0 }, 1));
    }
}
