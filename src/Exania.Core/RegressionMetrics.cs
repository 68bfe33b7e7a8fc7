namespace Exania.Core;

/// <summary>
/// Regression and probability metrics every model reports and early stopping watches (scikit-learn definitions):
/// RMSE, MAE, R², log-loss. Sums run in index order, so a figure is the same on every machine and thread count.
/// </summary>
public static partial class Metrics
{
    /// <summary>Root mean squared error, <c>sqrt(mean((p - y)²))</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static double Rmse(ReadOnlySpan<double> predictions, ReadOnlySpan<double> targets)
    {
        CheckPaired(predictions, targets);
        double sum = 0;
        for (var i = 0; i < predictions.Length; i++)
        {
            var d = predictions[i] - targets[i];
            sum += d * d;
        }
        return Math.Sqrt(sum / predictions.Length);
    }

    /// <summary>Coefficient of determination <c>1 - SS_res / SS_tot</c> (as <c>sklearn.metrics.r2_score</c>; with constant targets: 1 for an exact fit, else 0).</summary>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static double R2(ReadOnlySpan<double> predictions, ReadOnlySpan<double> targets)
    {
        CheckPaired(predictions, targets);
        double mean = 0;
        foreach (var t in targets)
            mean += t;
        mean /= targets.Length;
        double residual = 0, total = 0;
        for (var i = 0; i < targets.Length; i++)
        {
            residual += (predictions[i] - targets[i]) * (predictions[i] - targets[i]);
            total += (targets[i] - mean) * (targets[i] - mean);
        }
        return total > 0 ? 1 - residual / total : residual == 0 ? 1 : 0;
    }

    /// <summary>Mean log-loss of probabilities against 0/1 labels, probabilities clipped to [1e-15, 1 - 1e-15].</summary>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static double LogLoss(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> labels)
    {
        CheckPaired(probabilities, labels);
        double sum = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var p = Math.Clamp(probabilities[i], 1e-15, 1 - 1e-15);
            sum -= labels[i] > 0.5 ? Math.Log(p) : Math.Log(1 - p);
        }
        return sum / labels.Length;
    }

    /// <summary>Mean absolute error, <c>mean(|p - y|)</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static double Mae(ReadOnlySpan<double> predictions, ReadOnlySpan<double> targets)
    {
        CheckPaired(predictions, targets);
        double sum = 0;
        for (var i = 0; i < predictions.Length; i++)
            sum += Math.Abs(predictions[i] - targets[i]);
        return sum / predictions.Length;
    }

    private static void CheckPaired(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
            ExaniaThrow.LengthMismatch("targets", a.Length, b.Length);
        if (a.Length == 0)
            ExaniaThrow.Argument("Metrics need at least one row.");
    }
}
