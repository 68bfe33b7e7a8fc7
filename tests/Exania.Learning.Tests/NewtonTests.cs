using Exania.Core;

namespace Exania.Learning.Tests;

public class NewtonTests
{
    [Fact]
    public void LossHessian_MatchesFiniteDifferencesOfTheGradient()
    {
        // 5000 rows: several chunks, so the parallel per-chunk Hessians and their ordered sum are exercised.
        const int rows = 5000, columns = 6;
        var (x, y, w) = TestData.Random(rows, columns, seed: 21);
        var loss = new LogisticLoss(x, rows, columns, y, w, 0.7);
        var random = new Random(8);
        var p = new double[columns + 1];
        for (var i = 0; i < p.Length; i++)
            p[i] = random.NextDouble() - 0.5;
        var d = p.Length;
        var hessian = new double[d * d];
        loss.Hessian(p, hessian);

        var plusGradient = new double[d];
        var minusGradient = new double[d];
        for (var k = 0; k < d; k++)
        {
            const double h = 1e-5;
            var plus = (double[])p.Clone();
            var minus = (double[])p.Clone();
            plus[k] += h;
            minus[k] -= h;
            loss.Evaluate(plus, plusGradient);
            loss.Evaluate(minus, minusGradient);
            for (var j = 0; j < d; j++)
            {
                var numeric = (plusGradient[j] - minusGradient[j]) / (2 * h);
                var analytic = hessian[j * d + k];
                Assert.True(Math.Abs(numeric - analytic) <= 1e-6 * Math.Max(1, Math.Abs(analytic)),
                    $"H[{j},{k}]: analytic {analytic}, numeric {numeric}");
            }
        }
        for (var j = 0; j < d; j++)
            for (var k = 0; k < d; k++)
                Assert.Equal(hessian[j * d + k], hessian[k * d + j]);
    }

    [Fact]
    public void CholeskySolve_SolvesAHandCheckedSystem()
    {
        // A = [[4, 2, 0], [2, 5, 1], [0, 1, 3]], x = [1, -1, 2] gives b = A x = [2, -1, 5].
        double[] a = [4, 2, 0, 2, 5, 1, 0, 1, 3];
        double[] b = [2, -1, 5];
        Assert.True(Cholesky.Solve(a, 3, b));
        Assert.Equal(1, b[0], 12);
        Assert.Equal(-1, b[1], 12);
        Assert.Equal(2, b[2], 12);
        Assert.False(Cholesky.Solve(new double[] { 1, 2, 2, 1 }, 2, new double[2]));
    }

    [Fact]
    public void Fit_IllConditionedProblem_NewtonFinishesWhatLbfgsLeaves()
    {
        // Nearly collinear columns (as polynomial terms of the same counts are) give a badly conditioned Hessian that no
        // diagonal preconditioner fixes, so L-BFGS creeps along the valley.
        const int rows = 6000, columns = 8;
        var random = new Random(4);
        var x = new double[rows * columns];
        var y = new byte[rows];
        for (var r = 0; r < rows; r++)
        {
            var u = random.NextDouble() * 2 - 1;
            var v = random.NextDouble() * 2 - 1;
            for (var j = 0; j < columns; j++)
                x[r * columns + j] = (j % 2 == 0 ? u : v) + 1e-3 * (random.NextDouble() - 0.5) * (j + 1);
            var z = 2 * u - v + 800 * (x[r * columns + 2] - x[r * columns]);
            y[r] = (byte)(random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0);
        }
        var options = new LbfgsOptions { MaxIterations = 15, Tolerance = 1e-8 };
        var fit = LogisticRegression.Fit(x, rows, columns, y, default, 1.0, options);
        Assert.True(fit.NewtonSteps > 0, "L-BFGS alone should not reach 1e-8 in 15 iterations here");
        Assert.Equal(LbfgsStop.GradientTolerance, fit.Optimization.Stop);
        Assert.True(fit.Optimization.GradientMaxNorm <= 1e-8);

        // Same optimum as a long L-BFGS run.
        var reference = LogisticRegression.Fit(x, rows, columns, y, default, 1.0,
            new LbfgsOptions { MaxIterations = 20_000, Tolerance = 1e-9, FunctionTolerance = 0 });
        Assert.True(reference.Optimization.GradientMaxNorm <= 1e-8);
        for (var j = 0; j < columns; j++)
            Assert.Equal(reference.Coefficients[j], fit.Coefficients[j], 1e-4 * Math.Max(1, Math.Abs(reference.Coefficients[j])));
    }
}
