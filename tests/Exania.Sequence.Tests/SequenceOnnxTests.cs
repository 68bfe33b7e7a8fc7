using System.Globalization;
using System.Text.Json;
using Exania.Synthetic;
using Exania.Testing;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Exania.Sequence.Tests;

/// <summary>
/// The exported sequence model scored by Microsoft.ML.OnnxRuntime in-process against <see cref="SequenceModel.Predict(ReadOnlySpan{int}, ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float})"/>
/// on 200 left-padded windows of every real length from 1 to L.
/// </summary>
public class SequenceOnnxTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static TheoryData<int, int, int, int, int> RandomShapes => new()
    {
        // layers, max length, extra inputs, repeat positions, numeric inputs
        { 1, 8, 0, 0, 0 },
        { 2, 8, 0, 0, 0 },
        { 1, 8, 1, 0, 0 },
        { 2, 6, 2, 0, 0 },
        { 1, 8, 0, 3, 0 },
        { 1, 8, 0, 8, 0 },
        { 2, 5, 1, 9, 0 },
        { 1, 1, 0, 1, 0 },
        { 1, 8, 0, 0, 1 },
        { 2, 7, 1, 4, 3 },
    };

    [Theory]
    [MemberData(nameof(RandomShapes))]
    public void Export_RandomModel_MatchesCSharpInOnnxRuntime(int layers, int maxLength, int extras, int repeat, int numerics)
    {
        var model = Models.Random(layers, maxLength, extras, repeat, seed: 10 * layers + extras + repeat + 100 * numerics, numerics: numerics);
        var windows = Windows.Random(model, 200, seed: 3);
        using var temp = new TempFolder();
        var path = temp.File("model.onnx");
        var (builder, bytes) = SequenceOnnxExporter.Save(model, path);
        Assert.Equal(bytes, new FileInfo(path).Length);
        var (probabilities, attention) = Compare(model, windows, SequenceOnnxRunner.Run(path, windows, model));
        output.WriteLine($"random L{layers} len{maxLength} extras{extras} repeat{repeat} numerics{numerics}: {bytes:N0} bytes, " +
            $"ops {string.Join(' ', builder.Graph.OpTypes())}; max |Δp| = {probabilities:E2}, max |Δα| = {attention:E2}");
        Assert.True(probabilities < Tolerance, $"probabilities: max |onnx − C#| = {probabilities:E2}");
        Assert.True(attention < Tolerance, $"attention: max |onnx − C#| = {attention:E2}");
        CheckWithPythonOnnx(path); // last: it skips the test when python3-onnx is missing
    }

    [Fact]
    public void Export_TrainedModel_OnGeneratedTestWindows_MatchesCSharp_AndCarriesTheVocabulary()
    {
        var log = new InteractionGenerator(new GeneratorOptions { Seed = 4 }).Generate(400);
        var data = SequencePreprocessor.Build(log, new SequenceOptions
        {
            MaxLength = 12,
            ExtraInputs = [SequenceField.Category],
            NumericInputs = [Exania.Events.EventField.ScrollDepth],
            Seed = 2,
        });
        var model = SequenceTrainer.Train(data, new SequenceTrainingOptions
        {
            Epochs = 2,
            Embedding = 8,
            Hidden = 16,
            Layers = 2,
            Repeat = true,
            Seed = 3,
            Threads = 2,
            LearningRate = 5e-3,
        }).Model;
        Assert.Equal(12, model.Shape.RepeatPositions);
        var windows = Windows.From(data.Test, 200);
        Assert.Contains(1, windows.Lengths);
        Assert.Contains(12, windows.Lengths);

        using var temp = new TempFolder();
        var path = temp.File("trained.onnx");
        var (_, bytes) = SequenceOnnxExporter.Save(model, path);
        var run = SequenceOnnxRunner.Run(path, windows, model);
        var (probabilities, attention) = Compare(model, windows, run);
        output.WriteLine($"trained (2 layers, category, repeat 12, {model.Shape.Tokens} tokens, {model.ExtraInputs[0].Vocabulary.Count} categories): " +
            $"{bytes:N0} bytes; max |Δp| = {probabilities:E2}, max |Δα| = {attention:E2} over {windows.Count} windows");
        Assert.True(probabilities < Tolerance, $"probabilities: max |onnx − C#| = {probabilities:E2}");
        Assert.True(attention < Tolerance, $"attention: max |onnx − C#| = {attention:E2}");

        var metadata = run.Metadata;
        Assert.Equal(SequenceModel.Format, metadata["model_format"]);
        Assert.Equal("action", metadata["field"]);
        Assert.Equal("12", metadata["max_length"]);
        Assert.Equal(model.Vocabulary.Tokens, JsonSerializer.Deserialize<string[]>(metadata["vocabulary"]));
        using var extras = JsonDocument.Parse(metadata["extra_inputs"]);
        var extra = Assert.Single(extras.RootElement.EnumerateArray());
        Assert.Equal("category", extra.GetProperty("field").GetString());
        Assert.Equal("category", extra.GetProperty("input").GetString());
        Assert.Equal(model.ExtraInputs[0].Vocabulary.Tokens, extra.GetProperty("vocabulary").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["tokens", "gaps", "category", "scroll_depth"], run.Inputs);
        Assert.Equal(["scroll_depth"], JsonSerializer.Deserialize<string[]>(metadata["numeric_inputs"])!);

        // Last: it skips the test when python3-onnx is missing.
        var file = CheckWithPythonOnnx(path);
        Assert.Equal(17, file.Opsets[""]);
        Assert.Contains("LSTM", file.OpTypes);
        Assert.Contains("ScatterElements", file.OpTypes);
    }

    [Fact]
    public void Export_ModelWithSessionPriors_MatchesCSharp_WithThePriorsAsAnInput()
    {
        var data = SequencePreprocessor.Build(new InteractionGenerator(new GeneratorOptions { Seed = 6 }).Generate(300),
            new SequenceOptions { MaxLength = 10, Field = SequenceField.Category, DropOovTargets = true, Seed = 1 });
        var model = SequenceTrainer.Train(data, new SequenceTrainingOptions
        {
            Epochs = 2,
            Embedding = 4,
            Hidden = 8,
            Seed = 2,
            SessionPriors = true,
            PriorLearningRate = 0.2,
            LearningRate = 5e-3,
        }).Model;
        Assert.NotNull(model.Priors);
        var windows = Windows.From(data.Test, 150);
        using var temp = new TempFolder();
        var path = temp.File("priors.onnx");
        SequenceOnnxExporter.Save(model, path);
        var run = SequenceOnnxRunner.Run(path, windows, model);
        Assert.Contains(SequenceOnnxExporter.PriorsName, run.Inputs);
        var (probabilities, attention) = Compare(model, windows, run);
        output.WriteLine($"priors ({model.Shape.Classes} classes, weights {string.Join(", ", model.Parameters.AsSpan(model.Shape.Prior, model.Shape.PriorFeatures).ToArray())}): " +
            $"max |Δp| = {probabilities:E2}, max |Δα| = {attention:E2}");
        Assert.True(probabilities < Tolerance, $"probabilities: max |onnx − C#| = {probabilities:E2}");
        Assert.True(attention < Tolerance, $"attention: max |onnx − C#| = {attention:E2}");
    }

    [Fact]
    public void Export_WrongGateOrder_FailsTheParityCheck()
    {
        // PyTorch's i, f, g, o written unchanged where ONNX expects i, o, f, c: the comparison must see it.
        var model = Models.Random(layers: 1, maxLength: 8, extras: 0, repeat: 0, seed: 7);
        var windows = Windows.Random(model, 200, seed: 5);
        using var temp = new TempFolder();
        var path = temp.File("wrong.onnx");
        SequenceOnnxExporter.Build(model, [0, 1, 2, 3]).Save(path);
        var (probabilities, attention) = Compare(model, windows, SequenceOnnxRunner.Run(path, windows, model));
        output.WriteLine($"wrong gate order: max |Δp| = {probabilities:E2}, max |Δα| = {attention:E2}");
        Assert.True(probabilities > 1e-2, $"a wrong gate order went unnoticed (max |Δp| = {probabilities:E2})");
    }

    [Fact]
    public void Export_AllPaddingRow_GivesZeroAttentionAndTheBiasSoftmax_WithoutDisturbingOtherRows()
    {
        var model = Models.Random(layers: 2, maxLength: 6, extras: 1, repeat: 2, seed: 11);
        var windows = Windows.Random(model, 20, seed: 2);
        var l = model.MaxLength;
        windows.Tokens.AsSpan(5 * l, l).Clear(); // row 5: nothing but padding
        windows.Extras[0].AsSpan(5 * l, l).Clear();
        using var temp = new TempFolder();
        var path = temp.File("padding.onnx");
        SequenceOnnxExporter.Save(model, path);
        var run = SequenceOnnxRunner.Run(path, windows, model);

        var classes = model.Shape.Classes;
        var bias = model.Parameters.AsSpan(model.Shape.OutputB, classes).ToArray();
        var max = bias.Max();
        var sum = bias.Sum(b => Math.Exp(b - max));
        for (var k = 0; k < classes; k++)
            Assert.Equal(Math.Exp(bias[k] - max) / sum, run.Probabilities[5 * classes + k], 5);
        Assert.All(run.Attention.AsSpan(5 * l, l).ToArray(), a => Assert.Equal(0.0, a));
        var reference = Reference(model, windows, skip: 5);
        for (var r = 0; r < windows.Count; r++)
        {
            if (r == 5) continue;
            for (var k = 0; k < classes; k++)
                Assert.Equal(reference.Probabilities[r * classes + k], run.Probabilities[r * classes + k], 4);
        }
    }

    [Fact]
    public void Build_DescribesTheContract()
    {
        var model = Models.Random(layers: 1, maxLength: 7, extras: 2, repeat: 0, seed: 1);
        var graph = SequenceOnnxExporter.Build(model).Graph;
        Assert.Equal(["tokens", "gaps", "category", "page"], graph.Inputs.Select(i => i.Name));
        Assert.All(graph.Inputs, i => Assert.Equal(["N", "7"], i.Shape.Select(d => d.ToString())));
        Assert.Equal(["probabilities", "attention"], graph.Outputs.Select(o => o.Name));
        Assert.Equal(["N", model.Shape.Classes.ToString(CultureInfo.InvariantCulture)], graph.Outputs[0].Shape.Select(d => d.ToString()));
        Assert.Equal(["N", "7"], graph.Outputs[1].Shape.Select(d => d.ToString()));
        Assert.DoesNotContain("ScatterElements", graph.OpTypes()); // no repeat term, no scatter
    }

    /// <summary>onnx.checker (full check, strict shape inference) on an exported file; skips the test when python3 cannot import onnx.</summary>
    private OnnxDescription CheckWithPythonOnnx(string path)
    {
        var file = PythonOnnx.Describe(path);
        output.WriteLine($"onnx.checker (full check) passed, onnx {file.OnnxVersion}");
        return file;
    }

    private static (double Probabilities, double Attention) Compare(SequenceModel model, Windows windows, SequenceRun run)
    {
        var reference = Reference(model, windows);
        Assert.Equal(reference.Probabilities.Length, run.Probabilities.Length);
        Assert.Equal(reference.Attention.Length, run.Attention.Length);
        double p = 0, a = 0;
        for (var i = 0; i < reference.Probabilities.Length; i++)
            p = Math.Max(p, Math.Abs(reference.Probabilities[i] - run.Probabilities[i]));
        for (var i = 0; i < reference.Attention.Length; i++)
        {
            // Padding must get exactly 0, not merely a small weight.
            if (windows.Tokens[i] == SequenceVocabulary.Padding)
                Assert.Equal(0.0, run.Attention[i]);
            a = Math.Max(a, Math.Abs(reference.Attention[i] - run.Attention[i]));
        }
        return (p, a);
    }

    /// <summary>C# probabilities [N, C] and attention [N, L] aligned with the input positions (0 under padding).</summary>
    private static (float[] Probabilities, float[] Attention) Reference(SequenceModel model, Windows windows, int skip = -1)
    {
        int l = windows.Length, classes = model.Shape.Classes, extras = windows.Extras.Length, numerics = windows.Numeric.Length;
        var probabilities = new float[windows.Count * classes];
        var attention = new float[windows.Count * l];
        var tokens = new int[l];
        var extraTokens = new int[extras * l];
        var numeric = new float[numerics * l];
        for (var r = 0; r < windows.Count; r++)
        {
            if (r == skip) continue;
            for (var k = 0; k < numerics; k++)
                windows.Numeric[k].AsSpan(r * l, l).CopyTo(numeric.AsSpan(k * l, l));
            for (var j = 0; j < l; j++)
            {
                tokens[j] = (int)windows.Tokens[r * l + j];
                for (var k = 0; k < extras; k++)
                    extraTokens[k * l + j] = (int)windows.Extras[k][r * l + j];
            }
            var prediction = model.Predict(tokens, windows.Gaps.AsSpan(r * l, l), extraTokens, numeric);
            prediction.Probabilities.CopyTo(probabilities, r * classes);
            prediction.Attention.CopyTo(attention, r * l + l - prediction.Attention.Length);
        }
        return (probabilities, attention);
    }
}

/// <summary><c>exania export onnx</c> on a saved sequence model.</summary>
[Collection("console")]
public sealed class SequenceOnnxCliTests
{
    [Fact]
    public void ExportOnnx_SequenceModelFolder_WritesTheGraph_AndReportsSizeAndOpset()
    {
        using var temp = new TempFolder();
        var model = Models.Random(layers: 2, maxLength: 5, extras: 1, repeat: 2, seed: 4);
        Directory.CreateDirectory(temp.File("m"));
        model.Save(temp.File(Path.Combine("m", "sequence_model.json")));
        var onnx = temp.File("next_action.onnx");

        var result = CliRunner.Run("export", "onnx", "--model", temp.File("m"), "--out", onnx, "--json");

        Assert.True(result.Exit == 0, result.Error + result.Out);
        var json = result.Json!;
        Assert.Equal("export onnx", (string)json["command"]!);
        Assert.Equal("sequence", (string)json["model_kind"]!);
        Assert.Equal(new FileInfo(onnx).Length, (long)json["bytes"]!);
        Assert.Equal(SequenceOnnxExporter.Opset, (long)json["opset"]!);
        Assert.Contains("LSTM", json["op_types"]!.AsArray().Select(o => (string)o!));
        Assert.Equal(["tokens", "gaps", "category"], json["inputs"]!.AsArray().Select(i => (string)i!["name"]!));
        Assert.Equal(["probabilities", "attention"], json["outputs"]!.AsArray().Select(o => (string)o!["name"]!));
        Assert.Equal(SequenceOnnxExporter.Build(model).ToBytes(), File.ReadAllBytes(onnx));

        // The model file itself is accepted too, and a folder as --out is refused before anything is written.
        Assert.Equal(0, CliRunner.Run("export", "onnx", "--model", temp.File(Path.Combine("m", "sequence_model.json")), "--out", temp.File("b.onnx"), "--json").Exit);
        Assert.True(File.Exists(temp.File("b.onnx")));
        Assert.Equal(2, CliRunner.Run("export", "onnx", "--model", temp.File("m"), "--out", temp.File("m"), "--json").Exit);
    }
}

/// <summary>Small models with random parameters: every weight matters, which a freshly trained model may not show.</summary>
internal static class Models
{
    public static SequenceModel Random(int layers, int maxLength, int extras, int repeat, int seed, int tokens = 9, int embedding = 5, int hidden = 7,
        int numerics = 0)
    {
        Exania.Events.EventField[] numericFields = [Exania.Events.EventField.ScrollDepth, Exania.Events.EventField.Cost, Exania.Events.EventField.Revenue];
        var random = new Random(seed);
        SequenceField[] fields = [SequenceField.Category, SequenceField.Page];
        var extraInputs = new List<ExtraInput>();
        for (var k = 0; k < extras; k++)
            extraInputs.Add(new ExtraInput(fields[k], Vocabulary(fields[k].ToString().ToLowerInvariant(), 6 + k)));
        var shape = new NetworkShape(tokens, tokens - 1, embedding, hidden, layers)
        {
            ExtraTokens = [.. extraInputs.Select(x => x.Vocabulary.Count)],
            RepeatPositions = repeat,
            NumericInputs = numerics,
        };
        var parameters = new float[shape.ParameterCount];
        for (var i = 0; i < parameters.Length; i++)
            parameters[i] = (float)((random.NextDouble() * 2 - 1) * 0.8);
        // Bonuses of a trained model's size, so a misplaced one moves the probabilities visibly.
        for (var d = 0; d < repeat; d++)
            parameters[shape.Repeat + d] = (float)(random.NextDouble() * 3 - 1);
        return new SequenceModel(shape, Vocabulary("a", tokens), maxLength, parameters, SequenceField.Action, extraInputs, numericFields[..numerics]);
    }

    private static SequenceVocabulary Vocabulary(string prefix, int count)
    {
        var tokens = new List<string> { SequenceVocabulary.PaddingToken, SequenceVocabulary.OutOfVocabularyToken };
        for (var i = 2; i < count; i++)
            tokens.Add($"{prefix}{i}");
        return new SequenceVocabulary(tokens);
    }
}

/// <summary>A batch of left-padded windows as the graph takes them: row-major [N, L] arrays.</summary>
internal sealed class Windows(int count, int length, long[] tokens, float[] gaps, long[][] extras, float[][]? numeric = null)
{
    /// <summary>One [N, L] array per numeric input.</summary>
    public float[][] Numeric { get; } = numeric ?? [];

    public int Count { get; } = count;
    public int Length { get; } = length;
    public long[] Tokens { get; } = tokens;
    public float[] Gaps { get; } = gaps;

    /// <summary>One [N, L] array per extra input.</summary>
    public long[][] Extras { get; } = extras;

    /// <summary>Real events per row.</summary>
    public int[] Lengths
    {
        get
        {
            var lengths = new int[Count];
            for (var r = 0; r < Count; r++)
                for (var j = 0; j < Length; j++)
                    if (Tokens[r * Length + j] != SequenceVocabulary.Padding)
                        lengths[r]++;
            return lengths;
        }
    }

    /// <summary>Rows of real length 1, L and everything between, with random tokens and gaps (garbage gaps under padding, which must be ignored).</summary>
    public static Windows Random(SequenceModel model, int count, int seed)
    {
        var random = new Random(seed);
        var l = model.MaxLength;
        var extras = model.ExtraInputs.Count;
        var tokens = new long[count * l];
        var gaps = new float[count * l];
        var extraTokens = new long[extras][];
        for (var k = 0; k < extras; k++)
            extraTokens[k] = new long[count * l];
        var numeric = new float[model.NumericInputs.Count][];
        for (var k = 0; k < numeric.Length; k++)
            numeric[k] = new float[count * l];
        for (var r = 0; r < count; r++)
        {
            var n = (r % 4) switch { 0 => 1, 1 => l, 2 => Math.Min(l, 2 + random.Next(3)), _ => 1 + random.Next(l) };
            for (var j = 0; j < l; j++)
            {
                var real = j >= l - n;
                tokens[r * l + j] = real ? 1 + random.Next(model.Shape.Tokens - 1) : SequenceVocabulary.Padding;
                gaps[r * l + j] = real ? (float)(random.NextDouble() * 8) : 9f;
                for (var k = 0; k < extras; k++)
                    extraTokens[k][r * l + j] = real ? random.Next(model.Shape.ExtraTokens[k]) : SequenceVocabulary.Padding;
                // Garbage under padding here too: the roll must leave it outside every real step.
                for (var k = 0; k < numeric.Length; k++)
                    numeric[k][r * l + j] = real ? (float)(random.NextDouble() * 4 - 2) : 7f;
            }
        }
        return new Windows(count, l, tokens, gaps, extraTokens, numeric);
    }

    /// <summary>Up to <paramref name="count"/> samples, taken round-robin over their real lengths so short and full windows are all there.</summary>
    public static Windows From(SequenceSamples samples, int count)
    {
        var l = samples.MaxLength;
        var byLength = new Dictionary<int, Queue<int>>();
        for (var i = 0; i < samples.Count; i++)
        {
            var n = 0;
            foreach (var t in samples.TokensOf(i))
                if (t != SequenceVocabulary.Padding) n++;
            if (!byLength.TryGetValue(n, out var queue))
                byLength[n] = queue = new Queue<int>();
            queue.Enqueue(i);
        }
        var chosen = new List<int>();
        while (chosen.Count < count && byLength.Values.Any(q => q.Count > 0))
            foreach (var n in byLength.Keys.Order())
                if (chosen.Count < count && byLength[n].Count > 0)
                    chosen.Add(byLength[n].Dequeue());
        var extras = samples.ExtraInputs;
        var tokens = new long[chosen.Count * l];
        var gaps = new float[chosen.Count * l];
        var extraTokens = new long[extras][];
        for (var k = 0; k < extras; k++)
            extraTokens[k] = new long[chosen.Count * l];
        var numeric = new float[samples.NumericInputs][];
        for (var k = 0; k < numeric.Length; k++)
            numeric[k] = new float[chosen.Count * l];
        for (var r = 0; r < chosen.Count; r++)
        {
            for (var k = 0; k < numeric.Length; k++)
                samples.NumericOf(chosen[r]).Slice(k * l, l).CopyTo(numeric[k].AsSpan(r * l, l));
            var rowTokens = samples.TokensOf(chosen[r]);
            var rowExtras = samples.ExtraTokensOf(chosen[r]);
            for (var j = 0; j < l; j++)
            {
                tokens[r * l + j] = rowTokens[j];
                for (var k = 0; k < extras; k++)
                    extraTokens[k][r * l + j] = rowExtras[k * l + j];
            }
            samples.GapsOf(chosen[r]).CopyTo(gaps.AsSpan(r * l, l));
        }
        return new Windows(chosen.Count, l, tokens, gaps, extraTokens, numeric);
    }
}

/// <summary>The sequence graph's two outputs, row-major, with the metadata and input names the runtime read.</summary>
internal sealed record SequenceRun(double[] Probabilities, double[] Attention, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<string> Inputs);

/// <summary>Feeds a batch of <see cref="Windows"/> to an exported sequence model through <see cref="OnnxRuntimeRunner"/>.</summary>
internal static class SequenceOnnxRunner
{
    public static SequenceRun Run(string model, Windows windows, SequenceModel sequenceModel)
    {
        long n = windows.Count, l = windows.Length;
        var inputs = new List<OnnxInput>
        {
            OnnxInput.Int64(SequenceOnnxExporter.TokensName, windows.Tokens, n, l),
            OnnxInput.Float(SequenceOnnxExporter.GapsName, windows.Gaps, n, l),
        };
        for (var k = 0; k < windows.Extras.Length; k++)
            inputs.Add(OnnxInput.Int64(SequenceOnnxExporter.InputName(sequenceModel.ExtraInputs[k]), windows.Extras[k], n, l));
        for (var k = 0; k < windows.Numeric.Length; k++)
            inputs.Add(OnnxInput.Float(Exania.Events.EventFields.Name(sequenceModel.NumericInputs[k]), windows.Numeric[k], n, l));
        if (sequenceModel.Priors is not null)
        {
            // The host's part of a prior model: each row's features, computed by the same code as in training.
            var f = sequenceModel.Shape.PriorFeatures;
            var classes = sequenceModel.Shape.Classes;
            var priors = new float[n * classes * f];
            var window = new int[l];
            for (var r = 0; r < n; r++)
            {
                for (var j = 0; j < l; j++) window[j] = (int)windows.Tokens[r * l + j];
                if (window[^1] != SequenceVocabulary.Padding)
                    sequenceModel.DensePriors(window).CopyTo(priors, r * classes * f);
            }
            inputs.Add(OnnxInput.Float(SequenceOnnxExporter.PriorsName, priors, n, classes, f));
        }
        var run = OnnxRuntimeRunner.Run(model, [.. inputs]);

        var probabilities = run.Outputs[SequenceOnnxExporter.ProbabilitiesName];
        var attention = run.Outputs[SequenceOnnxExporter.AttentionName];
        Assert.Equal(TensorElementType.Float, probabilities.Type);
        Assert.Equal(TensorElementType.Float, attention.Type);
        Assert.Equal([n, sequenceModel.Shape.Classes], probabilities.Dims);
        Assert.Equal([n, l], attention.Dims);
        return new SequenceRun(probabilities.Data, attention.Data, run.Metadata, run.Inputs);
    }
}

/// <summary>A temporary folder removed with everything in it.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "exania-seq-onnx-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
