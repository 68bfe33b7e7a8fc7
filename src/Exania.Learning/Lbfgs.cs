using System.Numerics.Tensors;
using Exania.Core;

namespace Exania.Learning;

/// <summary>A smooth function of a vector that returns its value and writes its gradient.</summary>
public interface IDifferentiableFunction
{
    /// <summary>Length of the parameter vector.</summary>
    int Dimension { get; }

    /// <summary>Returns f(<paramref name="parameters"/>) and writes the gradient to <paramref name="gradient"/>.</summary>
    double Evaluate(ReadOnlySpan<double> parameters, Span<double> gradient);
}

/// <summary>Options of <see cref="Lbfgs"/>; defaults live in <see cref="Defaults"/>.</summary>
public sealed record LbfgsOptions
{
    /// <summary>The one home of the default values.</summary>
    public static class Defaults
    {
        public const int MaxIterations = 1000;
        public const double Tolerance = 1e-6;
        public const int History = 10;
        /// <summary>scipy's L-BFGS-B <c>ftol</c> as scikit-learn sets it: 64 machine epsilons.</summary>
        public const double FunctionTolerance = 64 * 2.220446049250313e-16;
        public const int MaxLineSearchSteps = 50;
    }

    public static LbfgsOptions Default { get; } = new();

    /// <summary>Maximum number of iterations (accepted steps).</summary>
    public int MaxIterations { get; init; } = Defaults.MaxIterations;

    /// <summary>Stop when the largest absolute gradient component is at most this.</summary>
    public double Tolerance { get; init; } = Defaults.Tolerance;

    /// <summary>Number of (s, y) correction pairs kept.</summary>
    public int History { get; init; } = Defaults.History;

    /// <summary>Stop when <c>(f_k - f_k+1) / max(|f_k|, |f_k+1|, 1)</c> is at most this.</summary>
    public double FunctionTolerance { get; init; } = Defaults.FunctionTolerance;

    /// <summary>Maximum function evaluations in one line search.</summary>
    public int MaxLineSearchSteps { get; init; } = Defaults.MaxLineSearchSteps;

    internal void Validate()
    {
        if (MaxIterations < 0)
            ExaniaThrow.ArgumentOutOfRange(nameof(MaxIterations), MaxIterations, "Must be zero or positive.");
        if (!(Tolerance >= 0) || double.IsInfinity(Tolerance))
            ExaniaThrow.ArgumentOutOfRange(nameof(Tolerance), Tolerance, "Must be finite and non-negative.");
        if (History < 1)
            ExaniaThrow.ArgumentOutOfRange(nameof(History), History, "Must be at least 1.");
        if (!(FunctionTolerance >= 0))
            ExaniaThrow.ArgumentOutOfRange(nameof(FunctionTolerance), FunctionTolerance, "Must be non-negative.");
        if (MaxLineSearchSteps < 1)
            ExaniaThrow.ArgumentOutOfRange(nameof(MaxLineSearchSteps), MaxLineSearchSteps, "Must be at least 1.");
    }
}

/// <summary>Why <see cref="Lbfgs.Minimize"/> stopped.</summary>
public enum LbfgsStop
{
    /// <summary>Largest gradient component at most <see cref="LbfgsOptions.Tolerance"/>.</summary>
    GradientTolerance,
    /// <summary>Relative decrease of f at most <see cref="LbfgsOptions.FunctionTolerance"/>.</summary>
    FunctionTolerance,
    MaxIterations,
    /// <summary>No step satisfying the Wolfe conditions was found (usually: at the optimum to rounding precision).</summary>
    LineSearchFailed,
}

/// <summary>Outcome of <see cref="Lbfgs.Minimize"/>.</summary>
public sealed record LbfgsResult(double Value, double GradientMaxNorm, int Iterations, int Evaluations, LbfgsStop Stop)
{
    /// <summary>True when stopped on a tolerance, not on a limit or a failure.</summary>
    public bool Converged => Stop is LbfgsStop.GradientTolerance or LbfgsStop.FunctionTolerance;
}

/// <summary>
/// Limited-memory BFGS (Nocedal and Wright, Numerical Optimization, Algorithms 7.4 and 7.5) with a line search
/// satisfying the strong Wolfe conditions (Algorithms 3.5 and 3.6, cubic interpolation in the zoom phase).
/// </summary>
/// <remarks>
/// All buffers are allocated once per call; an iteration allocates nothing. Dot products go through
/// <see cref="TensorPrimitives"/>, so results are identical for identical input on one machine.
/// </remarks>
public static class Lbfgs
{
    private const double C1 = 1e-4;
    private const double C2 = 0.9;

    /// <summary>Minimises <paramref name="function"/> starting from <paramref name="x"/>, which receives the solution.</summary>
    public static LbfgsResult Minimize(IDifferentiableFunction function, Span<double> x, LbfgsOptions? options = null,
        ReadOnlySpan<double> preconditioner = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        options ??= LbfgsOptions.Default;
        options.Validate();
        var n = function.Dimension;
        if (x.Length != n)
            ExaniaThrow.LengthMismatch(nameof(x), n, x.Length);
        if (!preconditioner.IsEmpty && preconditioner.Length != n)
            ExaniaThrow.LengthMismatch(nameof(preconditioner), n, preconditioner.Length);
        var diagonal = preconditioner.IsEmpty ? null : preconditioner.ToArray();
        var scratch = diagonal is null ? null : new double[n];

        var m = options.History;
        var s = new double[m * n];
        var y = new double[m * n];
        var rho = new double[m];
        var alpha = new double[m];
        var g = new double[n];
        var direction = new double[n];
        var trialX = new double[n];
        var trialG = new double[n];
        var state = new LineSearch(function, trialX, trialG);

        var evaluations = 1;
        var f = function.Evaluate(x, g);
        if (!double.IsFinite(f))
            ExaniaThrow.Argument($"The function is {f} at the starting point.", nameof(x));
        var gmax = MaxAbs(g);
        var count = 0; // stored pairs
        var newest = -1;
        var iteration = 0;
        var stop = LbfgsStop.MaxIterations;
        if (gmax <= options.Tolerance)
            return new LbfgsResult(f, gmax, 0, evaluations, LbfgsStop.GradientTolerance);

        while (iteration < options.MaxIterations)
        {
            // Two-loop recursion: direction = -H g.
            g.CopyTo(direction, 0);
            for (var k = 0; k < count; k++)
            {
                var i = (newest - k + m) % m;
                var a = rho[i] * TensorPrimitives.Dot<double>(s.AsSpan(i * n, n), direction);
                alpha[i] = a;
                TensorPrimitives.MultiplyAdd<double>(y.AsSpan(i * n, n), -a, direction, direction);
            }
            // Initial inverse Hessian H0 = gamma * D: D is the caller's diagonal preconditioner (identity when absent),
            // gamma = s'y / y'Dy makes H0 match the newest curvature pair.
            if (diagonal is not null)
                TensorPrimitives.Multiply<double>(direction, diagonal, direction);
            if (count > 0)
            {
                var yNewest = y.AsSpan(newest * n, n);
                var yDy = diagonal is null
                    ? TensorPrimitives.Dot<double>(yNewest, yNewest)
                    : DotScaled(yNewest, diagonal, scratch!);
                var gamma = TensorPrimitives.Dot<double>(s.AsSpan(newest * n, n), yNewest) / yDy;
                TensorPrimitives.Multiply<double>(direction, gamma, direction);
            }
            for (var k = count - 1; k >= 0; k--)
            {
                var i = (newest - k + m) % m;
                var beta = rho[i] * TensorPrimitives.Dot<double>(y.AsSpan(i * n, n), direction);
                TensorPrimitives.MultiplyAdd<double>(s.AsSpan(i * n, n), alpha[i] - beta, direction, direction);
            }
            TensorPrimitives.Negate<double>(direction, direction);

            var slope = TensorPrimitives.Dot<double>(direction, g);
            if (!(slope < 0))
            {
                // Not a descent direction (rounding or a bad curvature pair): restart from steepest descent.
                count = 0;
                TensorPrimitives.Negate<double>(g, direction);
                if (diagonal is not null)
                    TensorPrimitives.Multiply<double>(direction, diagonal, direction);
                slope = TensorPrimitives.Dot<double>(direction, g);
            }

            // Unit step once curvature is known; a cautious first step otherwise.
            var initialStep = count == 0 ? Math.Min(1.0, 1.0 / Math.Sqrt(-slope)) : 1.0;
            var accepted = state.Search(x, f, direction, slope, initialStep, options.MaxLineSearchSteps, out var fNew, ref evaluations);
            if (!accepted)
            {
                if (count == 0)
                {
                    stop = LbfgsStop.LineSearchFailed;
                    break;
                }
                count = 0; // drop the history and retry along the gradient
                continue;
            }

            iteration++;
            var slot = (newest + 1) % m;
            var sNew = s.AsSpan(slot * n, n);
            var yNew = y.AsSpan(slot * n, n);
            TensorPrimitives.Subtract<double>(trialX, x, sNew);
            TensorPrimitives.Subtract<double>(trialG, g, yNew);
            var sy = TensorPrimitives.Dot<double>(sNew, yNew);
            if (sy > 1e-10 * TensorPrimitives.Dot<double>(yNew, yNew))
            {
                newest = slot;
                rho[newest] = 1.0 / sy;
                count = Math.Min(count + 1, m);
            }
            else if (count == m)
            {
                // Skip the pair (curvature too small to keep H positive definite); it overwrote the oldest pair.
                count = m - 1;
            }

            trialX.CopyTo(x);
            trialG.CopyTo(g, 0);
            var decrease = (f - fNew) / Math.Max(Math.Max(Math.Abs(f), Math.Abs(fNew)), 1.0);
            f = fNew;
            gmax = MaxAbs(g);
            if (gmax <= options.Tolerance)
            {
                stop = LbfgsStop.GradientTolerance;
                break;
            }
            if (decrease <= options.FunctionTolerance)
            {
                stop = LbfgsStop.FunctionTolerance;
                break;
            }
        }
        return new LbfgsResult(f, gmax, iteration, evaluations, stop);
    }

    /// <summary>y' diag(d) y, using <paramref name="scratch"/>.</summary>
    private static double DotScaled(ReadOnlySpan<double> y, ReadOnlySpan<double> d, Span<double> scratch)
    {
        TensorPrimitives.Multiply(y, d, scratch);
        return TensorPrimitives.Dot<double>(scratch, y);
    }

    /// <summary>Largest absolute component (<c>TensorPrimitives.MaxMagnitude</c> returns it with its sign).</summary>
    private static double MaxAbs(ReadOnlySpan<double> values) => Math.Abs(TensorPrimitives.MaxMagnitude(values));

    /// <summary>Strong Wolfe line search; on success the trial buffers hold the accepted point and its gradient.</summary>
    private sealed class LineSearch(IDifferentiableFunction function, double[] trialX, double[] trialG)
    {
        private readonly double[] _origin = new double[trialX.Length];
        private readonly double[] _direction = new double[trialX.Length];

        public bool Search(Span<double> x, double f0, ReadOnlySpan<double> direction, double slope0, double step,
            int maxSteps, out double fAccepted, ref int evaluations)
        {
            x.CopyTo(_origin);
            direction.CopyTo(_direction);

            double previousStep = 0, fPrevious = f0, slopePrevious = slope0;
            var steps = 0;
            while (steps < maxSteps)
            {
                var fStep = Evaluate(step, out var slopeStep);
                steps++;
                evaluations++;
                if (!double.IsFinite(fStep) || fStep > f0 + C1 * step * slope0 || (steps > 1 && fStep >= fPrevious))
                {
                    return Zoom(previousStep, fPrevious, slopePrevious, step, fStep, slopeStep, f0, slope0, maxSteps - steps, out fAccepted, ref evaluations);
                }
                if (Math.Abs(slopeStep) <= -C2 * slope0)
                {
                    fAccepted = fStep;
                    return true;
                }
                if (slopeStep >= 0)
                    return Zoom(step, fStep, slopeStep, previousStep, fPrevious, slopePrevious, f0, slope0, maxSteps - steps, out fAccepted, ref evaluations);
                previousStep = step;
                fPrevious = fStep;
                slopePrevious = slopeStep;
                step *= 2;
            }
            fAccepted = f0;
            return false;
        }

        private bool Zoom(double lo, double fLo, double slopeLo, double hi, double fHi, double slopeHi,
            double f0, double slope0, int maxSteps, out double fAccepted, ref int evaluations)
        {
            for (var k = 0; k < maxSteps; k++)
            {
                var width = hi - lo;
                var step = double.IsFinite(fHi) ? Cubic(lo, fLo, slopeLo, hi, fHi, slopeHi) : double.NaN;
                var low = Math.Min(lo, hi) + 0.1 * Math.Abs(width);
                var high = Math.Max(lo, hi) - 0.1 * Math.Abs(width);
                if (!(step >= low && step <= high))
                    step = lo + 0.5 * width; // safeguard: bisect
                if (Math.Abs(width) <= 1e-16 * Math.Max(1.0, Math.Abs(lo)))
                    break;

                var fStep = Evaluate(step, out var slopeStep);
                evaluations++;
                if (!double.IsFinite(fStep) || fStep > f0 + C1 * step * slope0 || fStep >= fLo)
                {
                    hi = step;
                    fHi = fStep;
                    slopeHi = slopeStep;
                }
                else
                {
                    if (Math.Abs(slopeStep) <= -C2 * slope0)
                    {
                        fAccepted = fStep;
                        return true;
                    }
                    if (slopeStep * width >= 0)
                    {
                        hi = lo;
                        fHi = fLo;
                        slopeHi = slopeLo;
                    }
                    lo = step;
                    fLo = fStep;
                    slopeLo = slopeStep;
                }
            }

            // No strong-Wolfe point; accept the best sufficient-decrease point if it improves on f0.
            if (lo > 0 && fLo < f0)
            {
                fAccepted = Evaluate(lo, out _);
                evaluations++;
                return true;
            }
            fAccepted = f0;
            return false;
        }

        private double Evaluate(double step, out double slope)
        {
            TensorPrimitives.MultiplyAdd<double>(_direction, step, _origin, trialX);
            var f = function.Evaluate(trialX, trialG);
            slope = TensorPrimitives.Dot<double>(trialG, _direction);
            return f;
        }

        /// <summary>Minimiser of the cubic interpolating f and f' at a and b (N&amp;W eq. 3.59); NaN when undefined.</summary>
        private static double Cubic(double a, double fa, double da, double b, double fb, double db)
        {
            var d1 = da + db - 3 * (fa - fb) / (a - b);
            var disc = d1 * d1 - da * db;
            if (disc < 0)
                return double.NaN;
            var d2 = Math.Sign(b - a) * Math.Sqrt(disc);
            return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
        }
    }
}
