namespace Exania.Learning;

/// <summary>
/// One step of Adam (Kingma and Ba) with PyTorch's defaults, β₁ 0.9, β₂ 0.999, ε 1e-8, and bias correction:
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε).
/// </summary>
public static class Adam
{
    public const double Beta1 = 0.9;
    public const double Beta2 = 0.999;
    public const double Epsilon = 1e-8;

    /// <summary>Updates <paramref name="parameters"/> and the moments in place; <paramref name="step"/> counts from 1.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Step(Span<float> parameters, ReadOnlySpan<float> gradient, Span<float> m, Span<float> v, int step, double learningRate)
    {
        if (gradient.Length != parameters.Length || m.Length != parameters.Length || v.Length != parameters.Length)
            throw new ArgumentException($"Adam needs equal lengths: {parameters.Length} parameters, {gradient.Length} gradients, {m.Length} and {v.Length} moments.", nameof(gradient));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        var c1 = (float)(1 - Math.Pow(Beta1, step));
        var c2 = (float)(1 - Math.Pow(Beta2, step));
        var lr = (float)learningRate;
        const float b1 = (float)Beta1, b2 = (float)Beta2, eps = (float)Epsilon;
        for (var i = 0; i < parameters.Length; i++)
        {
            var g = gradient[i];
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            parameters[i] -= lr * (m[i] / c1) / (MathF.Sqrt(v[i] / c2) + eps);
        }
    }
}
