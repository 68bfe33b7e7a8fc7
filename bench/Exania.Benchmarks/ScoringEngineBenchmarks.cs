using BenchmarkDotNet.Attributes;
using Exania.Campaigns;
using Exania.Click;
using Exania.Conversion;
using Exania.Events;
using Exania.Features;
using Exania.Roas;
using Exania.Sequence;
using Exania.Synthetic;
using Exania.Trees;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Exania.Benchmarks;

/// <summary>The models live scoring serves.</summary>
public enum ServedModel
{
    Click,
    Roas,
    Sequence,
    Conversion,
}

/// <summary>
/// Issue #13's inference-engine question: for each served model, one row and a batch of 256 scored by Exania's C#
/// code against ONNX Runtime .NET (the baseline) on the model's own exported graph, the same inputs, one thread each
/// (ONNX Runtime with one intra-op thread, sequential execution; input and output tensors bound once, as a server
/// would keep them). Setup checks that both give the same numbers before anything is timed.
/// </summary>
[MemoryDiagnoser]
public class ScoringEngineBenchmarks
{
    private const int BatchRows = 256;

    [ParamsSource(nameof(Models))]
    public ServedModel Model { get; set; }

    /// <summary>Every served model, or those EXANIA_BENCH_MODELS names (comma-separated), to time a few again.</summary>
    public static IEnumerable<ServedModel> Models =>
        Environment.GetEnvironmentVariable("EXANIA_BENCH_MODELS") is { Length: > 0 } names
            ? names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<ServedModel>)
            : Enum.GetValues<ServedModel>();

    [Params(1, 8, BatchRows)]
    public int Rows { get; set; }

    private Func<double> _csharp = null!;
    private InferenceSession _session = null!;
    private RunOptions _run = null!;
    private string[] _inputNames = null!;
    private string[] _outputNames = null!;
    private OrtValue[] _inputs = null!;
    private OrtValue[] _outputs = null!;

    [GlobalSetup]
    public void Setup()
    {
        var log = new InteractionGenerator(new GeneratorOptions { Seed = 1 }).Generate(sessions: 1500);
        byte[] onnx;
        switch (Model)
        {
            case ServedModel.Click:
                {
                    var windows = WindowExtractor.Extract(log, SessionIndex.Build(log));
                    var model = ClickData.Train(windows, ClickTrainingOptions.Default with { Folds = 2 }).Model;
                    // The graph's input is float32 (cast to double inside): both sides read the same float-rounded features.
                    var x = Array.ConvertAll(windows.Features[..(Rows * WindowFeatures.Count)].ToArray(), v => (double)(float)v);
                    var p = new double[Rows];
                    _csharp = Rows == 1 ? () => model.PredictProbability(x) : () => { model.PredictProbabilities(x, p); return p[^1]; };
                    onnx = ClickModelOnnxExporter.Build(model).ToBytes();
                    Bind(onnx, [(ClickModelOnnxExporter.InputName, OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(x, v => (float)v), [Rows, WindowFeatures.Count]))],
                        ClickModelOnnxExporter.ProbabilityName);
                    Check(_csharp(), ReadLast(), tolerance: 1e-6); // the graph computes in double and answers in float32
                    break;
                }
            case ServedModel.Roas:
                {
                    var campaigns = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 3000, Seed = 1 });
                    var model = RoasTrainer.Train(campaigns, RoasOptions.Default).Model;
                    var encoded = model.Encoder!.Transform(RoasDataset.RawColumns(campaigns.Select([.. Enumerable.Range(0, Rows)])));
                    var width = model.FeatureNames.Count;
                    var p = new double[Rows];
                    _csharp = Rows == 1 ? () => model.Predict(encoded) : () => { model.Predict(encoded, p); return p[^1]; };
                    onnx = GbtOnnxExporter.Build(model).ToBytes();
                    Bind(onnx, [(GbtOnnxExporter.InputName, OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(encoded, v => (float)v), [Rows, width]))],
                        GbtOnnxExporter.OutputName(model.Objective));
                    Check(_csharp(), ReadLast(), tolerance: 1e-3);
                    break;
                }
            case ServedModel.Sequence:
                {
                    var data = SequencePreprocessor.Build(log, SequenceOptions.Defaults with { Seed = 1 });
                    var model = SequenceTrainer.Train(data, SequenceTrainingOptions.Defaults with { Epochs = 1, Threads = 1 }).Model;
                    var samples = data.Test;
                    var length = samples.MaxLength;
                    var tokens = samples.Tokens[..(Rows * length)];
                    var gaps = samples.Gaps[..(Rows * length)];
                    var classes = model.Shape.Classes;
                    var batch = new SequenceSamples(length, tokens, gaps, samples.Targets[..Rows], samples.Sessions[..Rows]);
                    var p = new float[Rows * classes];
                    _csharp = Rows == 1
                        ? () => model.Predict(tokens, gaps).Probabilities[^1]
                        : () => { model.PredictProbabilities(batch, p, threads: 1); return p[^1]; };
                    onnx = SequenceOnnxExporter.Build(model).ToBytes();
                    Bind(onnx,
                        [
                            (SequenceOnnxExporter.TokensName, OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(tokens, t => (long)t), [Rows, length])),
                            (SequenceOnnxExporter.GapsName, OrtValue.CreateTensorValueFromMemory(gaps.ToArray(), [Rows, length])),
                        ],
                        SequenceOnnxExporter.ProbabilitiesName);
                    Check(_csharp(), ReadLast(), tolerance: 1e-4);
                    break;
                }
            default:
                {
                    var table = ConversionRows(2000);
                    var tasks = ConversionTask.Parse("conversion");
                    var data = ConversionDataset.From(table, tasks);
                    var options = new ConversionExperimentOptions { Baselines = false, Seeds = 1, Network = ConversionTrainingOptions.Default with { Epochs = 3, Threads = 1 } };
                    var model = ConversionExperiment.Run(data, tasks, options).Model;
                    var encoded = model.Preprocessor.Encode(data, [.. Enumerable.Range(0, Rows)]);
                    var width = model.Shape.Inputs;
                    var floats = Array.ConvertAll(encoded, v => (double)(float)v);
                    var p = new double[model.Outputs.Count];
                    _csharp = () =>
                    {
                        for (var r = 0; r < Rows; r++)
                            model.Predict(floats.AsSpan(r * width, width), p);
                        return p[^1];
                    };
                    onnx = ConversionOnnxExporter.Build(model).ToBytes();
                    Bind(onnx, [(ConversionOnnxExporter.InputName, OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(encoded, v => (float)v), [Rows, width]))],
                        ConversionOnnxExporter.OutputName);
                    Check(_csharp(), ReadLast(), tolerance: 1e-4);
                    break;
                }
        }
    }

    private void Bind(byte[] onnx, (string Name, OrtValue Value)[] inputs, string read)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        _session = new InferenceSession(onnx, options);
        _run = new RunOptions();
        _inputNames = [.. inputs.Select(i => i.Name)];
        _inputs = [.. inputs.Select(i => i.Value)];
        // Every output the graph has is bound, with the type and shape its metadata gives; one of them is read.
        var bound = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        foreach (var name in _session.OutputMetadata.Keys)
        {
            var meta = _session.OutputMetadata[name];
            long[] dims = [.. meta.Dimensions.Select(d => d < 0 ? (long)Rows : d)];
            var count = (int)dims.Aggregate(1L, (a, b) => a * b);
            bound[name] = meta.ElementDataType switch
            {
                TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(new long[count], dims),
                TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(new double[count], dims),
                _ => OrtValue.CreateTensorValueFromMemory(new float[count], dims),
            };
        }
        _outputNames = [.. bound.Keys];
        _outputs = [.. bound.Values];
        _session.Run(_run, _inputNames, _inputs, _outputNames, _outputs);
        _first = read;
    }

    private string _first = "";

    private double ReadLast()
    {
        var value = _outputs[Array.IndexOf(_outputNames, _first)];
        return value.GetTensorTypeAndShape().ElementDataType == TensorElementType.Double
            ? value.GetTensorDataAsSpan<double>()[^1]
            : value.GetTensorDataAsSpan<float>()[^1];
    }

    private static void Check(double csharp, double onnx, double tolerance = 1e-9)
    {
        if (!(Math.Abs(csharp - onnx) <= tolerance * Math.Max(1, Math.Abs(csharp))))
            throw new InvalidOperationException($"C# {csharp} and ONNX Runtime {onnx} disagree: the benchmark would compare different work.");
    }

    private static CampaignTable ConversionRows(int rows)
    {
        var random = new Random(7);
        var x0 = new double[rows];
        var x1 = new double[rows];
        var device = new string?[rows];
        var conversion = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            x0[r] = random.NextDouble() * 2 - 1;
            x1[r] = random.NextDouble();
            device[r] = r % 3 == 0 ? "mobile" : "desktop";
            conversion[r] = random.NextDouble() < (x0[r] > 0 ? 0.7 : 0.15) ? 1 : 0;
        }
        return new CampaignTable([TableColumn.Numeric("x0", x0), TableColumn.Numeric("x1", x1), TableColumn.Text("device", device), TableColumn.Numeric("conversion", conversion)]);
    }

    [Benchmark(Baseline = true)]
    public void OnnxRuntime() => _session.Run(_run, _inputNames, _inputs, _outputNames, _outputs);

    [Benchmark]
    public double CSharp() => _csharp();

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var v in _inputs.Concat(_outputs))
            v.Dispose();
        _run.Dispose();
        _session.Dispose();
    }
}
