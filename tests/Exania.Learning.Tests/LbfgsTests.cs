namespace Exania.Learning.Tests;

public class LbfgsTests
{
    private sealed class Rosenbrock(int dimension) : IDifferentiableFunction
    {
        public int Dimension => dimension;

        public int Calls { get; private set; }

        public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
        {
            Calls++;
            var f = 0.0;
            gradient[..dimension].Clear();
            for (var i = 0; i + 1 < dimension; i++)
            {
                var a = x[i + 1] - x[i] * x[i];
                var b = 1 - x[i];
                f += 100 * a * a + b * b;
                gradient[i] += -400 * x[i] * a - 2 * b;
                gradient[i + 1] += 200 * a;
            }
            return f;
        }
    }

    private sealed class Quadratic(double[] diagonal) : IDifferentiableFunction
    {
        public int Dimension => diagonal.Length;

        public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
        {
            var f = 0.0;
            for (var i = 0; i < diagonal.Length; i++)
            {
                var d = x[i] - (i + 1);
                f += 0.5 * diagonal[i] * d * d;
                gradient[i] = diagonal[i] * d;
            }
            return f;
        }
    }

    [Fact]
    public void Minimize_Rosenbrock_ReachesOptimum()
    {
        var function = new Rosenbrock(10);
        var x = new double[10];
        for (var i = 0; i < x.Length; i++)
            x[i] = i % 2 == 0 ? -1.2 : 1.0;
        var result = Lbfgs.Minimize(function, x, new LbfgsOptions { Tolerance = 1e-9, FunctionTolerance = 0 });
        Assert.Equal(LbfgsStop.GradientTolerance, result.Stop);
        Assert.True(result.GradientMaxNorm <= 1e-9);
        foreach (var xi in x)
            Assert.Equal(1.0, xi, 1e-7);
        Assert.Equal(function.Calls, result.Evaluations);
    }

    [Fact]
    public void Minimize_IllConditionedQuadratic_ReachesOptimum()
    {
        var diagonal = new double[50];
        for (var i = 0; i < diagonal.Length; i++)
            diagonal[i] = Math.Pow(10, 2.0 * i / (diagonal.Length - 1)); // condition number 100
        var x = new double[50];
        var result = Lbfgs.Minimize(new Quadratic(diagonal), x, new LbfgsOptions { Tolerance = 1e-8, FunctionTolerance = 0 });
        Assert.Equal(LbfgsStop.GradientTolerance, result.Stop);
        Assert.True(result.Iterations < 300, result.ToString());
        for (var i = 0; i < x.Length; i++)
            Assert.Equal(i + 1, x[i], 1e-8 / diagonal[i]);
    }

    [Fact]
    public void Minimize_StopsAtMaxIterations()
    {
        var x = new[] { -1.2, 1.0 };
        var result = Lbfgs.Minimize(new Rosenbrock(2), x, new LbfgsOptions { MaxIterations = 3, Tolerance = 1e-12 });
        Assert.Equal(LbfgsStop.MaxIterations, result.Stop);
        Assert.Equal(3, result.Iterations);
        Assert.False(result.Converged);
    }

    [Fact]
    public void Minimize_RejectsBadOptions()
    {
        var x = new double[2];
        Assert.Throws<ArgumentOutOfRangeException>(() => Lbfgs.Minimize(new Rosenbrock(2), x, new LbfgsOptions { History = 0 }));
        Assert.Throws<ArgumentException>(() => Lbfgs.Minimize(new Rosenbrock(2), new double[3]));
    }
}
