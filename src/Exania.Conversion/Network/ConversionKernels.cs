using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;

namespace Exania.Conversion;

/// <summary>
/// Forward and backward pass of the multi-task network for one row, and its loss. Generic in the element type so the
/// very same code trains in float32 and is checked against finite differences in float64 (as the sequence kernels are).
/// </summary>
/// <remarks>
/// <para>Trunk layer l: a_l = ReLU(W_l a_{l−1} + b_l), a_{−1} = x. Heads: z = W_H a_last + b_H, one logit per head.
/// The ReLU derivative at 0 is taken as 0, as PyTorch does.</para>
/// <para><b>Loss of a plain head</b> (logit z, label y, weight w): w · (softplus(z) − y z), the binary cross-entropy of
/// σ(z) written without forming σ, so it neither overflows nor loses digits for large |z|; ∂/∂z = w (σ(z) − y).</para>
/// <para><b>Loss of a product head</b> h with partner g (the ESMM form): p = σ(z_g) σ(z_h) is the probability of the
/// partner's event and then this head's. log p = −softplus(−z_g) − softplus(−z_h), and
/// 1 − p = σ(−z_g) + σ(z_g) σ(−z_h), a sum of two non-negative terms, so neither log cancels. With y = 1:
/// ∂/∂z_g = −w σ(−z_g) and ∂/∂z_h = −w σ(−z_h); with y = 0: ∂/∂z_g = w p σ(−z_g) / (1 − p), and the same with z_h.</para>
/// <para>A weight of 0 leaves a row out of a head's loss: that is how a conditional head (conversion given a click) sees
/// only the rows of its population, and how class balancing weighs the rare class up.</para>
/// </remarks>
internal static class ConversionKernels<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Activations (<see cref="ConversionNetworkShape.HiddenUnits"/>) and logits (one per head) of row <paramref name="x"/>.</summary>
    public static void Forward(ConversionNetworkShape shape, ReadOnlySpan<T> parameters, ReadOnlySpan<T> x, Span<T> activations, Span<T> logits)
    {
        // Internal kernel: the trainer and the model lay out every buffer, so shapes are invariants, checked in debug builds.
        Debug.Assert(parameters.Length == shape.ParameterCount && x.Length == shape.Inputs);
        Debug.Assert(activations.Length >= shape.HiddenUnits && logits.Length >= shape.Heads);
        ReadOnlySpan<T> input = x;
        var last = shape.Layers - 1;
        for (var l = 0; l <= last; l++)
        {
            int inputs = shape.LayerInputs(l), outputs = shape.LayerOutputs(l);
            var w = parameters.Slice(shape.WeightOffset(l), inputs * outputs);
            var b = parameters.Slice(shape.BiasOffset(l), outputs);
            var output = l == last ? logits[..outputs] : activations.Slice(shape.ActivationOffset(l), outputs);
            for (var j = 0; j < outputs; j++)
                output[j] = b[j] + TensorPrimitives.Dot(w.Slice(j * inputs, inputs), input);
            if (l < last)
                TensorPrimitives.Max(output, T.Zero, output);
            input = output;
        }
    }

    /// <summary>
    /// Backpropagates ∂L/∂logits (<paramref name="logitGradient"/>, used as scratch) into <paramref name="gradient"/>
    /// (accumulated, +=). <paramref name="scratch"/> needs 2 · <see cref="ConversionNetworkShape.MaxLayerWidth"/> elements.
    /// </summary>
    public static void Backward(ConversionNetworkShape shape, ReadOnlySpan<T> parameters, ReadOnlySpan<T> x, ReadOnlySpan<T> activations,
        Span<T> logitGradient, Span<T> gradient, Span<T> scratch)
    {
        Debug.Assert(gradient.Length == shape.ParameterCount && scratch.Length >= 2 * shape.MaxLayerWidth);
        var width = shape.MaxLayerWidth;
        Span<T> delta = logitGradient[..shape.Heads];
        for (var l = shape.Layers - 1; l >= 0; l--)
        {
            int inputs = shape.LayerInputs(l), outputs = shape.LayerOutputs(l);
            var input = l == 0 ? x : activations.Slice(shape.ActivationOffset(l - 1), inputs);
            var w = parameters.Slice(shape.WeightOffset(l), inputs * outputs);
            var gw = gradient.Slice(shape.WeightOffset(l), inputs * outputs);
            var gb = gradient.Slice(shape.BiasOffset(l), outputs);
            TensorPrimitives.Add(gb, delta, gb);
            for (var j = 0; j < outputs; j++)
            {
                // A ReLU that was off passes no gradient: skipping its row saves a pass over the inputs.
                if (delta[j] == T.Zero)
                    continue;
                var row = gw.Slice(j * inputs, inputs);
                TensorPrimitives.MultiplyAdd(input, delta[j], row, row);
            }
            if (l == 0)
                break;
            var below = scratch.Slice((l & 1) * width, inputs);
            below.Clear();
            for (var j = 0; j < outputs; j++)
            {
                if (delta[j] != T.Zero)
                    TensorPrimitives.MultiplyAdd(w.Slice(j * inputs, inputs), delta[j], below, below);
            }
            for (var k = 0; k < inputs; k++)
            {
                if (input[k] <= T.Zero)
                    below[k] = T.Zero;
            }
            delta = below;
        }
    }

    /// <summary>
    /// The loss of one row over every head, and ∂loss/∂logits into <paramref name="logitGradient"/> (overwritten).
    /// <paramref name="partner"/>[h] is −1 for a plain head, else the head whose probability multiplies this one's (ESMM).
    /// </summary>
    public static T Loss(ReadOnlySpan<T> logits, ReadOnlySpan<byte> labels, ReadOnlySpan<T> weights, ReadOnlySpan<int> partner, Span<T> logitGradient)
    {
        var heads = partner.Length;
        Debug.Assert(logits.Length >= heads && labels.Length == heads && weights.Length == heads && logitGradient.Length >= heads);
        logitGradient[..heads].Clear();
        var loss = T.Zero;
        for (var h = 0; h < heads; h++)
        {
            var w = weights[h];
            if (w == T.Zero)
                continue;
            var z = logits[h];
            var y = labels[h] != 0;
            if (partner[h] < 0)
            {
                loss += w * (Softplus(z) - (y ? z : T.Zero));
                logitGradient[h] += w * (Sigmoid(z) - (y ? T.One : T.Zero));
                continue;
            }
            var g = partner[h];
            var zg = logits[g];
            T notG = Sigmoid(-zg), notH = Sigmoid(-z);
            if (y)
            {
                loss += w * (Softplus(-zg) + Softplus(-z));
                logitGradient[g] -= w * notG;
                logitGradient[h] -= w * notH;
            }
            else
            {
                var p = Sigmoid(zg) * Sigmoid(z);
                var notP = notG + Sigmoid(zg) * notH;
                loss -= w * T.Log(notP);
                var scale = w * p / notP;
                logitGradient[g] += scale * notG;
                logitGradient[h] += scale * notH;
            }
        }
        return loss;
    }

    /// <summary>log(1 + e^z) without overflow: max(z, 0) + log1p(e^−|z|).</summary>
    public static T Softplus(T z) => T.Max(z, T.Zero) + T.LogP1(T.Exp(-T.Abs(z)));

    /// <summary>1 / (1 + e^−z); for very negative z, e^−z overflows to ∞ and the result is 0, as it should be.</summary>
    public static T Sigmoid(T z) => T.One / (T.One + T.Exp(-z));
}
