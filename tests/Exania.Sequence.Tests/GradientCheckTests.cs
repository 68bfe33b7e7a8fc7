using Exania.Core;
namespace Exania.Sequence.Tests;

/// <summary>
/// Every backward pass against central finite differences, in float64 (the kernels are generic, so this is the very
/// code that trains in float32). Loss functions: a random linear functional of a layer's output for single layers,
/// −log p_y for the whole network.
/// </summary>
public class GradientCheckTests
{
    private const double H = 1e-6;

    private static double[] Random(Random random, int n, double scale = 0.5)
    {
        var x = new double[n];
        for (var i = 0; i < n; i++) x[i] = (random.NextDouble() * 2 - 1) * scale;
        return x;
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        var tolerance = 1e-6 + 1e-5 * Math.Abs(expected);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: numeric {expected:R} vs analytic {actual:R}");
    }

    /// <summary>Every parameter of every tensor of <paramref name="shape"/>: analytic gradient against central differences of <paramref name="loss"/>.</summary>
    internal static void AssertEveryTensor(NetworkShape shape, double[] parameters, double[] gradient, Func<double> loss, string context = "")
    {
        foreach (var (name, offset, length) in shape.Tensors())
            for (var i = offset; i < offset + length; i++)
                AssertClose(Numeric(parameters, i, loss), gradient[i], $"{name}[{i - offset}]{context}");
    }

    private static double Numeric(double[] values, int index, Func<double> loss)
    {
        var saved = values[index];
        values[index] = saved + H;
        var plus = loss();
        values[index] = saved - H;
        var minus = loss();
        values[index] = saved;
        return (plus - minus) / (2 * H);
    }

    [Fact]
    public void Lstm_Backward_MatchesFiniteDifferences_OverSeveralSteps()
    {
        var random = new Random(3);
        const int steps = 5, d = 4, hidden = 3;
        var x = Random(random, steps * d, 1);
        var w = Random(random, 4 * hidden * d);
        var u = Random(random, 4 * hidden * hidden);
        var b = Random(random, 4 * hidden);
        var r = Random(random, steps * hidden, 1); // L = Σ r ⊙ h
        var gates = new double[steps * 4 * hidden];
        var c = new double[steps * hidden];
        var h = new double[steps * hidden];
        var tc = new double[steps * hidden];
        double Loss()
        {
            Lstm<double>.Forward(x, steps, d, hidden, w, u, b, gates, c, h, tc);
            var sum = 0.0;
            for (var i = 0; i < h.Length; i++) sum += r[i] * h[i];
            return sum;
        }
        Loss();
        var dh = (double[])r.Clone();
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var du = new double[u.Length];
        var db = new double[b.Length];
        Lstm<double>.Backward(x, steps, d, hidden, w, u, gates, c, h, tc, dh, dx, dw, du, db, new double[6 * hidden]);
        foreach (var (values, grad, name) in new[] { (x, dx, "x"), (w, dw, "W"), (u, du, "U"), (b, db, "b") })
            for (var i = 0; i < values.Length; i++)
                AssertClose(Numeric(values, i, Loss), grad[i], $"{name}[{i}]");
    }

    [Fact]
    public void Attention_Backward_MatchesFiniteDifferences()
    {
        var random = new Random(5);
        const int steps = 4, hidden = 3, size = 3;
        var h = Random(random, steps * hidden, 1);
        var w = Random(random, size * hidden);
        var b = Random(random, size);
        var v = Random(random, size, 1);
        var r = Random(random, hidden, 1);
        var u = new double[steps * size];
        var alpha = new double[steps];
        var context = new double[hidden];
        double Loss()
        {
            AdditiveAttention<double>.Forward(h, steps, hidden, size, w, b, v, u, alpha, context);
            var sum = 0.0;
            for (var i = 0; i < hidden; i++) sum += r[i] * context[i];
            return sum;
        }
        Loss();
        var dh = new double[h.Length];
        var dw = new double[w.Length];
        var db = new double[b.Length];
        var dv = new double[v.Length];
        AdditiveAttention<double>.Backward(h, steps, hidden, size, w, v, u, alpha, r, dh, dw, db, dv, new double[size + steps]);
        foreach (var (values, grad, name) in new[] { (h, dh, "h"), (w, dw, "W"), (b, db, "b"), (v, dv, "v") })
            for (var i = 0; i < values.Length; i++)
                AssertClose(Numeric(values, i, Loss), grad[i], $"{name}[{i}]");
        Assert.Equal(1.0, alpha.Sum(), 12);
    }

    [Fact]
    public void SoftmaxCrossEntropy_Backward_MatchesFiniteDifferences()
    {
        var random = new Random(7);
        const int inputs = 4, classes = 5, target = 2;
        var x = Random(random, inputs, 1);
        var w = Random(random, classes * inputs, 1);
        var b = Random(random, classes, 1);
        var p = new double[classes];
        double Loss()
        {
            SoftmaxOutput<double>.Forward(x, inputs, classes, w, b, p);
            return 0.7 * SoftmaxOutput<double>.Loss(p, target);
        }
        Loss();
        var dw = new double[w.Length];
        var db = new double[b.Length];
        var dx = new double[inputs];
        SoftmaxOutput<double>.Backward(x, inputs, classes, w, p, target, 0.7, dw, db, dx);
        foreach (var (values, grad, name) in new[] { (x, dx, "x"), (w, dw, "W"), (b, db, "b") })
            for (var i = 0; i < values.Length; i++)
                AssertClose(Numeric(values, i, Loss), grad[i], $"{name}[{i}]");
    }

    [Fact]
    public void Softmax_LargeScores_StayFinite()
    {
        double[] x = [1000, 999, -1000];
        AdditiveAttention<double>.StableSoftmax(x);
        Assert.All(x, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(1 / (1 + Math.Exp(-1)), x[0], 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Network_Backward_MatchesFiniteDifferences_ForEveryTensor_WithPadding(int layers)
    {
        // Embedding, both LSTM layers, attention and output, through a left-padded window.
        var shape = new NetworkShape(Tokens: 6, Classes: 5, Embedding: 3, Hidden: 4, Layers: layers);
        var random = new Random(11 + layers);
        var parameters = Random(random, shape.ParameterCount, 0.8);
        int[] tokens = [0, 0, 3, 1, 5, 3, 2];
        float[] gaps = [0, 0, 0, 0.5f, 1.25f, 0.1f, 2f];
        const int target = 3;
        var network = new SequenceNetwork<double>(shape, tokens.Length);
        var rng = new SplitMix64(1);
        double Loss()
        {
            network.Forward(parameters, tokens, gaps, 0, ref rng);
            return network.Loss(target);
        }
        Loss();
        Assert.Equal(5, network.Steps);
        var gradient = new double[shape.ParameterCount];
        network.Backward(parameters, target, 1.0, gradient);
        AssertEveryTensor(shape, parameters, gradient, Loss);
        // The padding row never receives a gradient: padding is masked out, not embedded.
        Assert.All(gradient.AsSpan(0, shape.Embedding).ToArray(), g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void Network_Backward_MatchesFiniteDifferences_WithTheRepeatTerm()
    {
        // Token 3 occurs twice (two repeat positions feed one logit); the table is shorter than the window, so the
        // oldest real steps fall outside it and must get no gradient.
        var shape = new NetworkShape(Tokens: 6, Classes: 5, Embedding: 2, Hidden: 3, Layers: 1) { RepeatPositions = 4 };
        var random = new Random(41);
        var parameters = Random(random, shape.ParameterCount, 0.8);
        int[] tokens = [0, 4, 3, 1, 5, 3, 2];
        float[] gaps = [0, 0, 0.3f, 0.5f, 1.25f, 0.1f, 2f];
        var network = new SequenceNetwork<double>(shape, tokens.Length);
        var rng = new SplitMix64(1);
        foreach (var target in new[] { 2, 0 })
        {
            double Loss()
            {
                network.Forward(parameters, tokens, gaps, 0, ref rng);
                return network.Loss(target);
            }
            Loss();
            var gradient = new double[shape.ParameterCount];
            network.Backward(parameters, target, 1.0, gradient);
            AssertEveryTensor(shape, parameters, gradient, Loss, $" (target {target})");
        }
        // Hand check of the term itself: raising repeat[0] by δ adds δ to the logit of the last event's class only
        // (token 2 → class 1), so class 1's odds against class 0 (token 1, three events back) grow by exactly e^δ.
        network.Forward(parameters, tokens, gaps, 0, ref rng);
        var before = network.Probabilities[1] / network.Probabilities[0];
        parameters[shape.Repeat] += 0.5;
        network.Forward(parameters, tokens, gaps, 0, ref rng);
        var after = network.Probabilities[1] / network.Probabilities[0];
        Assert.Equal(Math.Exp(0.5), after / before, 10);
    }

    [Fact]
    public void Network_Backward_MatchesFiniteDifferences_WithTheSessionPriorTerm()
    {
        // Sparse priors on three of five classes, the target among them and then outside them, beside the repeat term.
        var shape = new NetworkShape(Tokens: 6, Classes: 5, Embedding: 2, Hidden: 3, Layers: 1) { RepeatPositions = 3, PriorFeatures = SessionBaselines.FeatureCount };
        var random = new Random(43);
        var parameters = Random(random, shape.ParameterCount, 0.8);
        int[] tokens = [0, 4, 3, 5];
        float[] gaps = [0, 0, 0.4f, 1.5f];
        int[] classes = [4, 1, 2];
        var values = new float[classes.Length * shape.PriorFeatures];
        for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 3);
        var network = new SequenceNetwork<double>(shape, tokens.Length);
        var rng = new SplitMix64(1);
        foreach (var target in new[] { 1, 0 })
        {
            double Loss()
            {
                network.SetPrior(classes, values);
                network.Forward(parameters, tokens, gaps, 0, ref rng);
                return network.Loss(target);
            }
            Loss();
            var gradient = new double[shape.ParameterCount];
            network.Backward(parameters, target, 1.0, gradient);
            AssertEveryTensor(shape, parameters, gradient, Loss, $" (target {target})");
        }
        // Hand check: raising prior weight f by δ multiplies class c's odds against an unscored class (3) by e^(δ·x_f(c)).
        network.SetPrior(classes, values);
        network.Forward(parameters, tokens, gaps, 0, ref rng);
        var before = network.Probabilities[2] / network.Probabilities[3];
        parameters[shape.Prior + 1] += 0.5;
        network.SetPrior(classes, values);
        network.Forward(parameters, tokens, gaps, 0, ref rng);
        var after = network.Probabilities[2] / network.Probabilities[3];
        Assert.Equal(Math.Exp(0.5 * values[2 * shape.PriorFeatures + 1]), after / before, 6);
        // A forward pass without fresh priors is refused, so no sample is scored with another's.
        Assert.Throws<InvalidOperationException>(() => network.Forward(parameters, tokens, gaps, 0, ref rng));
    }

    [Fact]
    public void Network_Backward_MatchesFiniteDifferences_WithAnExtraCategoricalInput()
    {
        var shape = new NetworkShape(Tokens: 5, Classes: 4, Embedding: 2, Hidden: 3, Layers: 1) { ExtraTokens = [4] };
        var random = new Random(21);
        var parameters = Random(random, shape.ParameterCount, 0.8);
        int[] tokens = [0, 2, 4, 3];
        int[] extra = [0, 3, 1, 3];
        float[] gaps = [0, 0, 0.7f, 1.1f];
        const int target = 1;
        var network = new SequenceNetwork<double>(shape, tokens.Length);
        var rng = new SplitMix64(1);
        double Loss()
        {
            network.Forward(parameters, tokens, gaps, 0, ref rng, extra);
            return network.Loss(target);
        }
        Loss();
        var gradient = new double[shape.ParameterCount];
        network.Backward(parameters, target, 1.0, gradient);
        AssertEveryTensor(shape, parameters, gradient, Loss);
        // ∂L/∂gap of the last step against a finite difference on the gap itself.
        var saved = gaps[3];
        gaps[3] = saved + 1e-3f;
        var plus = Loss();
        gaps[3] = saved - 1e-3f;
        var minus = Loss();
        gaps[3] = saved;
        Loss();
        network.Backward(parameters, target, 1.0, new double[shape.ParameterCount]);
        var step = (double)(saved + 1e-3f) - (saved - 1e-3f);
        Assert.Equal((plus - minus) / step, network.GapGradient(2), 5);
        Assert.Throws<ArgumentException>(() => network.Forward(parameters, tokens, gaps, 0, ref rng));
    }

    [Fact]
    public void Network_Backward_MatchesFiniteDifferences_WithNumericInputs()
    {
        // Two numeric inputs after the gap: the W columns that read them get a gradient, the gap stays where it was.
        var shape = new NetworkShape(Tokens: 5, Classes: 4, Embedding: 2, Hidden: 3, Layers: 2) { ExtraTokens = [4], NumericInputs = 2 };
        var random = new Random(61);
        var parameters = Random(random, shape.ParameterCount, 0.8);
        int[] tokens = [0, 2, 4, 3];
        int[] extra = [0, 3, 1, 3];
        float[] gaps = [0, 0, 0.7f, 1.1f];
        float[] numeric = [9, 0.25f, 0.5f, 1, 9, -1.5f, 0.3f, 2]; // input-major; the 9s sit under padding and must not matter
        const int target = 2;
        var network = new SequenceNetwork<double>(shape, tokens.Length);
        var rng = new SplitMix64(1);
        double Loss()
        {
            network.Forward(parameters, tokens, gaps, 0, ref rng, extra, numeric);
            return network.Loss(target);
        }
        var before = Loss();
        var gradient = new double[shape.ParameterCount];
        network.Backward(parameters, target, 1.0, gradient);
        AssertEveryTensor(shape, parameters, gradient, Loss);
        // The numeric values are read: changing one moves the loss; padding's values are not.
        numeric[0] = -4;
        Assert.Equal(before, Loss(), 12);
        numeric[2] = 3;
        Assert.NotEqual(before, Loss());
        Assert.Equal(shape.Embedding * 2, shape.GapIndex);
        Assert.Throws<ArgumentException>(() => network.Forward(parameters, tokens, gaps, 0, ref rng, extra));
    }

    [Fact]
    public void Network_Backward_WithDropout_MatchesFiniteDifferences_ForAFixedMask()
    {
        // Same seed for every forward pass, so the masks (between the LSTM layers and on the context) are fixed.
        var shape = new NetworkShape(Tokens: 5, Classes: 4, Embedding: 3, Hidden: 4, Layers: 2);
        var random = new Random(31);
        var parameters = Random(random, shape.ParameterCount, 0.8);
        int[] tokens = [0, 2, 4, 3, 1];
        float[] gaps = [0, 0, 0.7f, 1.1f, 0.2f];
        const int target = 2;
        var network = new SequenceNetwork<double>(shape, tokens.Length);
        double Loss()
        {
            var rng = SplitMix64.For(9, 1, 4);
            network.Forward(parameters, tokens, gaps, 0.3, ref rng);
            return network.Loss(target);
        }
        var withDropout = Loss();
        var gradient = new double[shape.ParameterCount];
        network.Backward(parameters, target, 1.0, gradient);
        AssertEveryTensor(shape, parameters, gradient, Loss);
        var plain = new SplitMix64(1);
        network.Forward(parameters, tokens, gaps, 0, ref plain);
        Assert.NotEqual(withDropout, network.Loss(target)); // the masks did drop something
    }
}
