using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;

namespace Exania.Sequence;

/// <summary>
/// The LSTM layer over one sequence, forward and backward through time. Generic in the element type so that the very
/// same code runs in float32 for training and in float64 for the finite-difference gradient checks.
/// </summary>
/// <remarks>
/// Gates z = b + W x_t + U h_{t−1} in the order i, f, g, o (as PyTorch); c_t = σ(f)·c_{t−1} + σ(i)·tanh(g),
/// h_t = σ(o)·tanh(c_t); h_{−1} = c_{−1} = 0. <c>gates</c> keeps the activated gates, <c>tc</c> keeps tanh(c_t).
/// </remarks>
internal static class Lstm<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Forward(ReadOnlySpan<T> x, int steps, int d, int hidden, ReadOnlySpan<T> w, ReadOnlySpan<T> u, ReadOnlySpan<T> b,
        Span<T> gates, Span<T> c, Span<T> h, Span<T> tc)
    {
        // Internal kernel: the network lays out every buffer, so shapes are invariants, checked in debug builds only.
        Debug.Assert(x.Length >= steps * d && w.Length == 4 * hidden * d && u.Length == 4 * hidden * hidden && b.Length == 4 * hidden);
        Debug.Assert(gates.Length >= steps * 4 * hidden && c.Length >= steps * hidden && h.Length >= steps * hidden && tc.Length >= steps * hidden);
        var g4 = 4 * hidden;
        for (var t = 0; t < steps; t++)
        {
            var xt = x.Slice(t * d, d);
            var z = gates.Slice(t * g4, g4);
            for (var r = 0; r < g4; r++)
                z[r] = b[r] + TensorPrimitives.Dot(w.Slice(r * d, d), xt);
            if (t > 0)
            {
                var hPrev = h.Slice((t - 1) * hidden, hidden);
                for (var r = 0; r < g4; r++)
                    z[r] += TensorPrimitives.Dot(u.Slice(r * hidden, hidden), hPrev);
            }
            TensorPrimitives.Sigmoid(z[..(2 * hidden)], z[..(2 * hidden)]);
            TensorPrimitives.Tanh(z.Slice(2 * hidden, hidden), z.Slice(2 * hidden, hidden));
            TensorPrimitives.Sigmoid(z.Slice(3 * hidden, hidden), z.Slice(3 * hidden, hidden));
            var ig = z[..hidden];
            var fg = z.Slice(hidden, hidden);
            var gg = z.Slice(2 * hidden, hidden);
            var og = z.Slice(3 * hidden, hidden);
            var ct = c.Slice(t * hidden, hidden);
            TensorPrimitives.Multiply(ig, gg, ct);
            if (t > 0)
                TensorPrimitives.MultiplyAdd(fg, c.Slice((t - 1) * hidden, hidden), ct, ct);
            var tct = tc.Slice(t * hidden, hidden);
            TensorPrimitives.Tanh(ct, tct);
            TensorPrimitives.Multiply(og, tct, h.Slice(t * hidden, hidden));
        }
    }

    /// <summary>
    /// Backpropagation through time. <paramref name="dh"/> holds ∂L/∂h_t from above (it is used as scratch);
    /// <paramref name="dx"/> receives ∂L/∂x_t (overwritten); parameter gradients are accumulated (+=).
    /// <paramref name="scratch"/> needs 6·hidden elements.
    /// </summary>
    public static void Backward(ReadOnlySpan<T> x, int steps, int d, int hidden, ReadOnlySpan<T> w, ReadOnlySpan<T> u,
        ReadOnlySpan<T> gates, ReadOnlySpan<T> c, ReadOnlySpan<T> h, ReadOnlySpan<T> tc, Span<T> dh, Span<T> dx,
        Span<T> dw, Span<T> du, Span<T> db, Span<T> scratch)
    {
        var g4 = 4 * hidden;
        var dz = scratch[..g4];
        var dcNext = scratch.Slice(g4, hidden);
        var dhNext = scratch.Slice(g4 + hidden, hidden);
        dcNext.Clear();
        dhNext.Clear();
        for (var t = steps - 1; t >= 0; t--)
        {
            var gt = gates.Slice(t * g4, g4);
            var tct = tc.Slice(t * hidden, hidden);
            var dht = dh.Slice(t * hidden, hidden);
            TensorPrimitives.Add(dht, dhNext, dht);
            for (var k = 0; k < hidden; k++)
            {
                T i = gt[k], f = gt[hidden + k], g = gt[2 * hidden + k], o = gt[3 * hidden + k];
                var tcv = tct[k];
                var dhv = dht[k];
                var dc = dcNext[k] + dhv * o * (T.One - tcv * tcv);
                var cPrev = t > 0 ? c[(t - 1) * hidden + k] : T.Zero;
                dz[k] = dc * g * i * (T.One - i);
                dz[hidden + k] = dc * cPrev * f * (T.One - f);
                dz[2 * hidden + k] = dc * i * (T.One - g * g);
                dz[3 * hidden + k] = dhv * tcv * o * (T.One - o);
                dcNext[k] = dc * f;
            }
            var xt = x.Slice(t * d, d);
            var dxt = dx.Slice(t * d, d);
            dxt.Clear();
            dhNext.Clear();
            TensorPrimitives.Add(db[..g4], dz, db[..g4]);
            var hPrev = t > 0 ? h.Slice((t - 1) * hidden, hidden) : default;
            for (var r = 0; r < g4; r++)
            {
                var dzr = dz[r];
                if (dzr == T.Zero) continue;
                var wr = w.Slice(r * d, d);
                var dwr = dw.Slice(r * d, d);
                TensorPrimitives.MultiplyAdd(xt, dzr, dwr, dwr);
                TensorPrimitives.MultiplyAdd(wr, dzr, dxt, dxt);
                var ur = u.Slice(r * hidden, hidden);
                TensorPrimitives.MultiplyAdd(ur, dzr, dhNext, dhNext);
                if (t > 0)
                {
                    var dur = du.Slice(r * hidden, hidden);
                    TensorPrimitives.MultiplyAdd(hPrev, dzr, dur, dur);
                }
            }
        }
    }
}

/// <summary>
/// Additive attention over the LSTM outputs: u_t = tanh(W h_t + b), score_t = v·u_t, α = softmax(score) over the
/// real steps only (padding never enters, which is the mask), context = Σ α_t h_t.
/// </summary>
internal static class AdditiveAttention<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Forward(ReadOnlySpan<T> h, int steps, int hidden, int size, ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<T> v,
        Span<T> u, Span<T> alpha, Span<T> context)
    {
        for (var t = 0; t < steps; t++)
        {
            var ht = h.Slice(t * hidden, hidden);
            var ut = u.Slice(t * size, size);
            for (var a = 0; a < size; a++)
                ut[a] = b[a] + TensorPrimitives.Dot(w.Slice(a * hidden, hidden), ht);
            TensorPrimitives.Tanh(ut, ut);
            alpha[t] = TensorPrimitives.Dot(v, ut);
        }
        StableSoftmax(alpha[..steps]);
        context.Clear();
        for (var t = 0; t < steps; t++)
            TensorPrimitives.MultiplyAdd(h.Slice(t * hidden, hidden), alpha[t], context, context);
    }

    /// <summary>Accumulates ∂L/∂h_t into <paramref name="dh"/> and the parameter gradients; <paramref name="scratch"/> needs size + steps.</summary>
    public static void Backward(ReadOnlySpan<T> h, int steps, int hidden, int size, ReadOnlySpan<T> w, ReadOnlySpan<T> v,
        ReadOnlySpan<T> u, ReadOnlySpan<T> alpha, ReadOnlySpan<T> dContext, Span<T> dh, Span<T> dw, Span<T> db, Span<T> dv, Span<T> scratch)
    {
        var dz = scratch[..size];
        var dScore = scratch.Slice(size, steps);
        // dα_t = h_t·dctx; dscore_t = α_t (dα_t − Σ_s α_s dα_s)
        var mean = T.Zero;
        for (var t = 0; t < steps; t++)
        {
            dScore[t] = TensorPrimitives.Dot(h.Slice(t * hidden, hidden), dContext);
            mean += alpha[t] * dScore[t];
        }
        for (var t = 0; t < steps; t++)
        {
            dScore[t] = alpha[t] * (dScore[t] - mean);
            var ht = h.Slice(t * hidden, hidden);
            var dht = dh.Slice(t * hidden, hidden);
            TensorPrimitives.MultiplyAdd(dContext, alpha[t], dht, dht);
            var ut = u.Slice(t * size, size);
            TensorPrimitives.MultiplyAdd(ut, dScore[t], dv, dv);
            for (var a = 0; a < size; a++)
                dz[a] = dScore[t] * v[a] * (T.One - ut[a] * ut[a]);
            TensorPrimitives.Add(db, dz, db);
            for (var a = 0; a < size; a++)
            {
                var dza = dz[a];
                var dwa = dw.Slice(a * hidden, hidden);
                TensorPrimitives.MultiplyAdd(ht, dza, dwa, dwa);
                TensorPrimitives.MultiplyAdd(w.Slice(a * hidden, hidden), dza, dht, dht);
            }
        }
    }

    /// <summary>Softmax in place, max subtracted first (TensorPrimitives.SoftMax does not, and large scores overflow).</summary>
    public static void StableSoftmax(Span<T> x)
    {
        var max = TensorPrimitives.Max<T>(x);
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        var sum = TensorPrimitives.Sum<T>(x);
        TensorPrimitives.Divide(x, sum, x);
    }
}

/// <summary>The prediction layer: logits = W x + b, p = softmax(logits), loss = −weight · log p_y.</summary>
internal static class SoftmaxOutput<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Forward(ReadOnlySpan<T> x, int inputs, int classes, ReadOnlySpan<T> w, ReadOnlySpan<T> b, Span<T> probabilities)
    {
        Debug.Assert(x.Length >= inputs && w.Length >= classes * inputs && b.Length >= classes && probabilities.Length >= classes);
        Logits(x, inputs, classes, w, b, probabilities);
        AdditiveAttention<T>.StableSoftmax(probabilities[..classes]);
    }

    /// <summary>logits = W x + b into <paramref name="logits"/> (the caller may add further terms before the softmax).</summary>
    public static void Logits(ReadOnlySpan<T> x, int inputs, int classes, ReadOnlySpan<T> w, ReadOnlySpan<T> b, Span<T> logits)
    {
        for (var k = 0; k < classes; k++)
            logits[k] = b[k] + TensorPrimitives.Dot(w.Slice(k * inputs, inputs), x);
    }

    /// <summary>−log p_y, with p_y floored at the smallest normal value so a confident mistake stays finite.</summary>
    public static T Loss(ReadOnlySpan<T> probabilities, int target) => -T.Log(T.Max(probabilities[target], T.Epsilon));

    /// <summary>∂(scale · −log p_y)/∂logits = scale (p − onehot); accumulates into dw, db and writes ∂/∂x into <paramref name="dx"/>.</summary>
    public static void Backward(ReadOnlySpan<T> x, int inputs, int classes, ReadOnlySpan<T> w, ReadOnlySpan<T> probabilities, int target, T scale,
        Span<T> dw, Span<T> db, Span<T> dx)
    {
        dx[..inputs].Clear();
        for (var k = 0; k < classes; k++)
        {
            var g = scale * (probabilities[k] - (k == target ? T.One : T.Zero));
            db[k] += g;
            var dwk = dw.Slice(k * inputs, inputs);
            TensorPrimitives.MultiplyAdd(x, g, dwk, dwk);
            TensorPrimitives.MultiplyAdd(w.Slice(k * inputs, inputs), g, dx, dx);
        }
    }
}
