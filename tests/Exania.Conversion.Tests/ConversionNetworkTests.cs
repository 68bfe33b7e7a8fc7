using Exania.Campaigns;
using Exania.Conversion;
using Exania.Core;
using Exania.Learning;

namespace Exania.Conversion.Tests;

/// <summary>
/// The multi-task conversion network (issue #11): its backward pass and losses against finite differences in float64
/// (the kernels are generic, so this is the code that trains in float32), hand-computed losses, learning, determinism,
/// the heads' populations, and the model file.
/// </summary>
public class ConversionNetworkTests
{
    private const double H = 1e-6;

    private static double[] Uniform(Random random, int n, double scale)
    {
        var x = new double[n];
        for (var i = 0; i < n; i++)
            x[i] = (random.NextDouble() * 2 - 1) * scale;
        return x;
    }

    /// <summary>Loss of a small batch, summed, for a network with a plain, a conditional (masked) and an ESMM product head.</summary>
    private sealed class Batch
    {
        public readonly ConversionNetworkShape Shape = new(5, [4, 3], 3);
        public readonly double[] X;
        public readonly byte[] Labels;
        public readonly double[] Weights;
        public readonly int[] Partner = [-1, -1, 0]; // head 2 is trained through σ(z0) σ(z2)
        public const int Rows = 12;

        public Batch(Random random)
        {
            X = Uniform(random, Rows * Shape.Inputs, 1.5);
            Labels = new byte[Rows * 3];
            Weights = new double[Rows * 3];
            for (var i = 0; i < Labels.Length; i++)
            {
                Labels[i] = (byte)random.Next(2);
                // Every third weight 0: a row outside that head's population.
                Weights[i] = i % 3 == 1 && i / 3 % 2 == 0 ? 0 : 0.5 + random.NextDouble();
            }
        }

        public double Loss(double[] parameters, double[]? gradient = null)
        {
            var activations = new double[Shape.HiddenUnits];
            var logits = new double[Shape.Heads];
            var logitGradient = new double[Shape.Heads];
            var scratch = new double[2 * Shape.MaxLayerWidth];
            double loss = 0;
            for (var r = 0; r < Rows; r++)
            {
                var x = X.AsSpan(r * Shape.Inputs, Shape.Inputs);
                ConversionKernels<double>.Forward(Shape, parameters, x, activations, logits);
                loss += ConversionKernels<double>.Loss(logits, Labels.AsSpan(r * 3, 3), Weights.AsSpan(r * 3, 3), Partner, logitGradient);
                if (gradient is not null)
                    ConversionKernels<double>.Backward(Shape, parameters, x, activations, logitGradient, gradient, scratch);
            }
            return loss;
        }
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences_ForEveryParameter()
    {
        var random = new Random(11);
        var batch = new Batch(random);
        var parameters = Uniform(random, batch.Shape.ParameterCount, 0.8);
        var gradient = new double[parameters.Length];
        batch.Loss(parameters, gradient);
        var checkedNonZero = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            var saved = parameters[i];
            parameters[i] = saved + H;
            var plus = batch.Loss(parameters);
            parameters[i] = saved - H;
            var minus = batch.Loss(parameters);
            parameters[i] = saved;
            var numeric = (plus - minus) / (2 * H);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-6 + 1e-5 * Math.Abs(numeric), $"parameter {i}: numeric {numeric:R} vs analytic {gradient[i]:R}");
            checkedNonZero += Math.Abs(gradient[i]) > 1e-8 ? 1 : 0;
        }
        // The check means something only if most gradients are not trivially zero (some ReLUs are off for every row).
        Assert.True(checkedNonZero > parameters.Length * 2 / 3, $"{checkedNonZero} of {parameters.Length} gradients are non-zero");
    }

    [Theory]
    [InlineData(0.3, -1.2, 1)]
    [InlineData(0.3, -1.2, 0)]
    [InlineData(4.0, 5.0, 0)]
    [InlineData(-6.0, 2.0, 1)]
    [InlineData(30.0, 30.0, 0)]
    public void ProductLoss_MatchesTheFormula_AndItsFiniteDifferences(double zg, double zh, byte y)
    {
        double[] logits = [zg, zh];
        var gradient = new double[2];
        var loss = ConversionKernels<double>.Loss(logits, [0, y], [0, 2], [-1, 0], gradient);
        // Hand formula: p = σ(zg) σ(zh), loss = −2 [y log p + (1 − y) log(1 − p)] (weight 2).
        double Reference(double a, double b)
        {
            var p = 1 / (1 + Math.Exp(-a)) / (1 + Math.Exp(-b));
            return -2 * (y == 1 ? Math.Log(p) : Math.Log(1 - p));
        }
        if (zg < 20)
            Assert.Equal(Reference(zg, zh), loss, 1e-9 * Math.Max(1, Math.Abs(loss)));
        // Central differences; at zg = zh = 30, 1 − p ≈ 2e-13 and the naive formula loses digits, so skip it there.
        if (zg < 20)
        {
            Assert.Equal((Reference(zg + H, zh) - Reference(zg - H, zh)) / (2 * H), gradient[0], 1e-6);
            Assert.Equal((Reference(zg, zh + H) - Reference(zg, zh - H)) / (2 * H), gradient[1], 1e-6);
        }
        else
        {
            // Here the naive 1 − p cancels; in closed form, with e = exp(−30), 1 − 1/(1 + e)² = (2e + e²)/(1 + e)².
            var e = Math.Exp(-30);
            Assert.Equal(-2 * Math.Log((2 * e + e * e) / ((1 + e) * (1 + e))), loss, 1e-12 * loss);
        }
    }

    [Fact]
    public void Loss_OfHandComputedCases()
    {
        var gradient = new double[1];
        // z = 0, y = 1: log 2, gradient σ(0) − 1 = −0.5.
        Assert.Equal(Math.Log(2), ConversionKernels<double>.Loss([0.0], [1], [1.0], [-1], gradient), 1e-15);
        Assert.Equal(-0.5, gradient[0], 1e-15);
        // Weight 0 leaves the row out entirely.
        Assert.Equal(0.0, ConversionKernels<double>.Loss([3.0], [1], [0.0], [-1], gradient));
        Assert.Equal(0.0, gradient[0]);
        // Large logits neither overflow nor lose the loss: softplus(1000) − 0 = 1000 for y = 0.
        Assert.Equal(1000.0, ConversionKernels<double>.Loss([1000.0], [0], [1.0], [-1], gradient), 1e-9);
        Assert.Equal(1.0, gradient[0]);
        Assert.Equal(0.0, ConversionKernels<double>.Loss([-1000.0], [0], [1.0], [-1], gradient), 1e-12);
        // Product at zero logits: p = 1/4.
        var two = new double[2];
        Assert.Equal(-Math.Log(0.25), ConversionKernels<double>.Loss([0.0, 0.0], [0, 1], [0, 1.0], [-1, 0], two), 1e-14);
        Assert.Equal(-Math.Log(0.75), ConversionKernels<double>.Loss([0.0, 0.0], [0, 0], [0, 1.0], [-1, 0], two), 1e-14);
    }

    /// <summary>
    /// Rows where conversion needs a click and depends on an interaction (x0·x1 &gt; 0) no linear model can draw, and
    /// drop-off is "clicked and did not convert". Column <c>noise</c> carries nothing.
    /// </summary>
    internal static CampaignTable SyntheticSessions(int rows, int seed)
    {
        var random = new Random(seed);
        double[] x0 = new double[rows], x1 = new double[rows], noise = new double[rows], clicked = new double[rows], conversion = new double[rows], dropoff = new double[rows];
        var device = new string?[rows];
        for (var r = 0; r < rows; r++)
        {
            x0[r] = random.NextDouble() * 2 - 1;
            x1[r] = random.NextDouble() * 2 - 1;
            noise[r] = random.NextDouble();
            device[r] = random.Next(3) switch { 0 => "mobile", 1 => "desktop", _ => null };
            var pClick = 1 / (1 + Math.Exp(-(2 * x0[r] + (device[r] == "mobile" ? 0.5 : 0))));
            clicked[r] = random.NextDouble() < pClick ? 1 : 0;
            var pBuy = x0[r] * x1[r] > 0 ? 0.8 : 0.1;
            conversion[r] = clicked[r] == 1 && random.NextDouble() < pBuy ? 1 : 0;
            dropoff[r] = clicked[r] == 1 && conversion[r] == 0 ? 1 : 0;
        }
        return new CampaignTable(
        [
            TableColumn.Text("session_id", [.. Enumerable.Range(0, rows).Select(i => $"s{i}")]),
            TableColumn.Numeric("x0", x0), TableColumn.Numeric("x1", x1), TableColumn.Numeric("noise", noise),
            TableColumn.Text("device", device),
            TableColumn.Numeric("clicked", clicked), TableColumn.Numeric("conversion", conversion), TableColumn.Numeric("dropoff", dropoff),
        ]);
    }

    private static readonly ConversionExperimentOptions s_quick = new()
    {
        Network = ConversionTrainingOptions.Default with { Hidden = [16, 16], Epochs = 60, Patience = 10, LearningRate = 3e-3, Threads = 1 },
        Trees = ConversionExperimentOptions.Default.Trees with { Rounds = 200, Threads = 1 },
    };

    [Fact]
    public void Network_LearnsAnInteraction_ThatLogisticRegressionCannot()
    {
        var tasks = ConversionTask.Parse("conversion:clicked,dropoff");
        var data = ConversionDataset.From(SyntheticSessions(4000, 5), tasks);
        Assert.Equal(["conversion", "clicked", "dropoff", "session_id"], data.ExcludedColumns);
        var result = ConversionExperiment.Run(data, tasks, s_quick, cancellationToken: TestContext.Current.CancellationToken);
        var conversion = result.Report.Outputs.Single(o => o.Name == "conversion|clicked");
        Assert.Equal("rows with clicked = 1", conversion.Population);
        double Auc(OutputReport o, string model) => o.Models.Single(m => m.Model == model).Mean.RocAuc;
        // The best possible AUC here is about 0.85 (p = 0.8 vs 0.1 on the two halves); a linear score is near 0.5.
        Assert.True(Auc(conversion, ConversionExperiment.NetworkName) > 0.8, $"network AUC {Auc(conversion, ConversionExperiment.NetworkName)}");
        // Among clickers x0 leans positive, so x1 alone ranks a little; the interaction is still out of a linear model's reach.
        Assert.True(Auc(conversion, ConversionExperiment.RegressionName) < Auc(conversion, ConversionExperiment.NetworkName) - 0.15,
            $"regression AUC {Auc(conversion, ConversionExperiment.RegressionName)}");
        var dropoff = result.Report.Outputs.Single(o => o.Name == "dropoff");
        Assert.True(Auc(dropoff, ConversionExperiment.NetworkName) > 0.75);
        Assert.True(result.Report.Network.BestEpochs[0] > 1, "the validation loss fell after the first epoch");
    }

    [Fact]
    public void Training_IsDeterministic_ForASeed_WhateverTheThreads()
    {
        var tasks = ConversionTask.Parse("conversion:clicked,dropoff");
        var data = ConversionDataset.From(SyntheticSessions(1500, 8), tasks);
        var options = s_quick with { Baselines = false, Network = s_quick.Network with { Epochs = 5, Patience = 0 } };
        var one = ConversionExperiment.Run(data, tasks, options, cancellationToken: TestContext.Current.CancellationToken).Model;
        var two = ConversionExperiment.Run(data, tasks, options with { Network = options.Network with { Threads = 2 } }, cancellationToken: TestContext.Current.CancellationToken).Model;
        Assert.Equal(one.Parameters.ToArray(), two.Parameters.ToArray());
        var other = ConversionExperiment.Run(data, tasks, options with { Network = options.Network with { Seed = 1 } }, cancellationToken: TestContext.Current.CancellationToken).Model;
        Assert.NotEqual(one.Parameters.ToArray(), other.Parameters.ToArray());
    }

    [Fact]
    public void ConditionalHead_LearnsOnlyFromItsPopulation_AndEsmmFromEveryRow()
    {
        var tasks = ConversionTask.Parse("conversion:clicked,dropoff");
        var data = ConversionDataset.From(SyntheticSessions(500, 2), tasks);
        var clicked = data.Label("clicked");
        var all = Enumerable.Range(0, data.Rows).ToArray();
        var features = new double[data.Rows];
        var (plain, _) = ConversionHeads.Plan(tasks, esmm: false);
        var rows = ConversionExperiment.NetworkRowsOf(data, plain, features, 1, all, balance: false);
        for (var r = 0; r < data.Rows; r++)
        {
            Assert.Equal(clicked[r] == 1 ? 1f : 0f, rows.Weights[r * 2]); // conversion|clicked: clicked rows only
            Assert.Equal(1f, rows.Weights[r * 2 + 1]); // dropoff: every row
        }
        var (esmm, outputs) = ConversionHeads.Plan(tasks, esmm: true);
        Assert.Equal(["dropoff", "clicked", "conversion|clicked"], esmm.Select(h => h.Name));
        Assert.Equal(["dropoff", "clicked", "conversion|clicked", "conversion&clicked"], outputs.Select(o => o.Name));
        var product = ConversionExperiment.NetworkRowsOf(data, esmm, features, 1, all, balance: true);
        var conversion = data.Label("conversion");
        for (var r = 0; r < data.Rows; r++)
        {
            Assert.True(product.Weights[r * 3 + 2] > 0); // the product head sees every row
            Assert.Equal(conversion[r] & clicked[r], product.Labels[r * 3 + 2]);
        }
        // Balanced: each class of a head carries half its total weight.
        double positive = 0, negative = 0;
        for (var r = 0; r < data.Rows; r++)
            (product.Labels[r * 3 + 1] == 1 ? ref positive : ref negative) += product.Weights[r * 3 + 1];
        Assert.Equal(positive, negative, 1e-3);
    }

    [Fact]
    public void EsmmModel_SavesLoads_AndScoresTheProductOfItsHeads()
    {
        var tasks = ConversionTask.Parse("conversion:clicked");
        var data = ConversionDataset.From(SyntheticSessions(1200, 4), tasks);
        var options = s_quick with { Baselines = false, Network = s_quick.Network with { Esmm = true, Epochs = 8 } };
        var model = ConversionExperiment.Run(data, tasks, options, cancellationToken: TestContext.Current.CancellationToken).Model;
        Assert.Equal(["clicked", "conversion|clicked", "conversion&clicked"], model.Outputs.Select(o => o.Name));
        var scores = model.Predict(data.Features);
        for (var r = 0; r < 50; r++)
            Assert.Equal(scores[r * 3] * scores[r * 3 + 1], scores[r * 3 + 2], 1e-12);

        var path = Path.Combine(Path.GetTempPath(), $"exania-conversion-{Guid.NewGuid():N}.json");
        try
        {
            model.Save(path);
            var loaded = ConversionModel.Load(path);
            Assert.Equal(model.Parameters.ToArray(), loaded.Parameters.ToArray());
            Assert.Equal(model.Thresholds, loaded.Thresholds);
            Assert.Equal(scores, loaded.Predict(data.Features));
            Assert.Equal(ModelKind.Conversion, ModelFile.Identify(path));
        }
        finally
        {
            File.Delete(path);
        }
        var broken = model.ToJson().Replace("\"hidden\":[16,16]", "\"hidden\":[16,15]", StringComparison.Ordinal);
        var error = Assert.Throws<ModelFormatException>(() => ConversionModel.FromJson(broken, "m.json"));
        Assert.Contains("m.json", error.Message);
    }

    [Fact]
    public void Dataset_ReadsTrueFalseLabels_SkipsMissingOnes_AndNamesBadColumns()
    {
        var table = new CampaignTable(
        [
            TableColumn.Numeric("a", [1, 2, 3, 4, 5]),
            TableColumn.Text("Revenue", ["TRUE", "false", null, "no", "yes"]),
        ]);
        var data = ConversionDataset.From(table, ConversionTask.Parse("Revenue"));
        Assert.Equal(4, data.Rows);
        Assert.Equal(1, data.SkippedRows);
        Assert.Equal([1, 0, 0, 1], data.Label("Revenue"));
        Assert.Equal(["a"], data.Features.Columns.Select(c => c.Name));

        var unknown = Assert.Throws<ArgumentException>(() => ConversionDataset.From(table, ConversionTask.Parse("revenue")));
        Assert.Contains("'revenue' is not in the table; its columns are a, Revenue", unknown.Message);
        var single = new CampaignTable([TableColumn.Numeric("a", [1, 2]), TableColumn.Numeric("y", [0, 0])]);
        Assert.Contains("is 0 in every one of the 2 rows", Assert.Throws<ArgumentException>(() => ConversionDataset.From(single, ConversionTask.Parse("y"))).Message);
        Assert.Contains("not of the form", Assert.Throws<ArgumentException>(() => ConversionTask.Parse("conversion:")).Message);
        Assert.Contains("2 task weights for 1 targets", Assert.Throws<ArgumentException>(() => ConversionTask.Parse("y", "1,2")).Message);
    }

    [Fact]
    public void StratifiedSplit_KeepsTheClassBalance_AndCoversEveryRowOnce()
    {
        var labels = new byte[1000];
        for (var i = 0; i < labels.Length; i++)
            labels[i] = (byte)(i % 10 == 0 ? 1 : 0);
        var (train, test) = TrainTestSplit.Stratified(labels, 0.2, 3);
        Assert.Equal(200, test.Length);
        Assert.Equal(20, test.Count(r => labels[r] == 1));
        Assert.Equal(Enumerable.Range(0, 1000), train.Concat(test).Order());
        var (train2, _) = TrainTestSplit.Stratified(labels, 0.2, 3);
        Assert.Equal(train, train2);
        Assert.NotEqual(train, TrainTestSplit.Stratified(labels, 0.2, 4).Train);
        // A sub-split of given rows stays inside them.
        var (fit, validation) = TrainTestSplit.Stratified(labels, 0.25, 1, train);
        Assert.Equal(train, fit.Concat(validation).Order());
    }
}
