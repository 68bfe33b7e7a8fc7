using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Exania.Testing;

/// <summary>One named input tensor: row-major data and its shape.</summary>
internal sealed record OnnxInput(string Name, Array Data, long[] Dims)
{
    public static OnnxInput Float(string name, float[] data, params long[] dims) => new(name, data, dims);

    public static OnnxInput Int64(string name, long[] data, params long[] dims) => new(name, data, dims);
}

/// <summary>One output tensor: its element type, shape and values (widened to double).</summary>
internal sealed record OnnxOutput(TensorElementType Type, long[] Dims, double[] Data);

/// <summary>What a run gave: every output by name, the custom metadata, and the model's input names, as the runtime read them.</summary>
internal sealed record OnnxRun(
    IReadOnlyDictionary<string, OnnxOutput> Outputs,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Inputs);

/// <summary>
/// Scores an ONNX file with Microsoft.ML.OnnxRuntime in this process: one thread, sequential execution, so a run is
/// repeatable and does not compete with the other tests for the cores.
/// </summary>
internal static class OnnxRuntimeRunner
{
    /// <summary>Runs <paramref name="model"/> on one float input of shape [rows, columns].</summary>
    public static OnnxRun Run(string model, string inputName, float[] rowMajor, int rows, int columns) =>
        Run(model, OnnxInput.Float(inputName, rowMajor, rows, columns));

    /// <summary>Runs <paramref name="model"/> on the given inputs, which must be exactly the model's inputs, and reads every output.</summary>
    public static OnnxRun Run(string model, params OnnxInput[] inputs)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        using var session = new InferenceSession(model, options);
        var given = inputs.ToDictionary(i => i.Name);
        foreach (var name in session.InputNames)
        {
            if (!given.ContainsKey(name))
                throw new ArgumentException($"the model needs input '{name}', which is not given (given: {string.Join(", ", given.Keys)})", nameof(inputs));
        }
        foreach (var name in given.Keys)
        {
            if (!session.InputNames.Contains(name))
                throw new ArgumentException($"the model has no input '{name}' (inputs: {string.Join(", ", session.InputNames)})", nameof(inputs));
        }

        var values = new Dictionary<string, OrtValue>();
        try
        {
            foreach (var input in inputs)
                values[input.Name] = Tensor(input);
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, values, session.OutputNames);
            var outputs = new Dictionary<string, OnnxOutput>();
            for (var i = 0; i < session.OutputNames.Count; i++)
                outputs[session.OutputNames[i]] = Read(results[i]);
            return new OnnxRun(outputs, new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap), [.. session.InputNames]);
        }
        finally
        {
            foreach (var value in values.Values)
                value.Dispose();
        }
    }

    private static OrtValue Tensor(OnnxInput input)
    {
        var count = input.Dims.Aggregate(1L, (a, b) => a * b);
        if (count != input.Data.Length)
            throw new ArgumentException($"input '{input.Name}' has dims [{string.Join(", ", input.Dims)}] ({count} values) but {input.Data.Length} values", nameof(input));
        return input.Data switch
        {
            float[] f => OrtValue.CreateTensorValueFromMemory(f, input.Dims),
            long[] l => OrtValue.CreateTensorValueFromMemory(l, input.Dims),
            _ => throw new ArgumentException($"input '{input.Name}': unsupported element type {input.Data.GetType().GetElementType()}", nameof(input)),
        };
    }

    private static OnnxOutput Read(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        double[] data = info.ElementDataType switch
        {
            TensorElementType.Float => [.. value.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v)],
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Int64 => [.. value.GetTensorDataAsSpan<long>().ToArray().Select(v => (double)v)],
            var other => throw new NotSupportedException($"output element type {other}"),
        };
        return new OnnxOutput(info.ElementDataType, info.Shape, data);
    }
}
