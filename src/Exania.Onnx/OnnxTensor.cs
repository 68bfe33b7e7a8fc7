using Exania.Core;
using Exania.Onnx.Proto;

namespace Exania.Onnx;

/// <summary>
/// A constant tensor (a graph initializer or a tensor attribute). The data is copied in and written to the typed
/// field of <c>TensorProto</c> (<c>float_data</c>, <c>double_data</c>, <c>int64_data</c>, all packed), row-major.
/// </summary>
public sealed class OnnxTensor
{
    private readonly long[] _dims;
    private readonly float[]? _floats;
    private readonly double[]? _doubles;
    private readonly long[]? _longs;

    private OnnxTensor(string name, OnnxElementType type, long[] dims, int length, float[]? floats, double[]? doubles, long[]? longs)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0)
                ExaniaThrow.Argument($"Tensor '{name}' has a negative dimension ({string.Join(", ", dims)}).", nameof(dims));
            count *= d;
        }
        if (count != length)
            ExaniaThrow.Argument($"Tensor '{name}' has shape [{string.Join(", ", dims)}] ({count} elements) but {length} values.", nameof(dims));
        Name = name;
        ElementType = type;
        _dims = dims;
        _floats = floats;
        _doubles = doubles;
        _longs = longs;
    }

    public string Name { get; }

    public OnnxElementType ElementType { get; }

    /// <summary>The shape; empty for a scalar.</summary>
    public IReadOnlyList<long> Dims => _dims;

    /// <summary>A float tensor; <paramref name="dims"/> must multiply to the number of values (empty = scalar).</summary>
    /// <exception cref="ArgumentException">The shape does not match the number of values.</exception>
    public static OnnxTensor Float(string name, ReadOnlySpan<float> values, params ReadOnlySpan<long> dims) =>
        new(name, OnnxElementType.Float, dims.ToArray(), values.Length, values.ToArray(), null, null);

    /// <summary>A double tensor; <paramref name="dims"/> must multiply to the number of values (empty = scalar).</summary>
    /// <exception cref="ArgumentException">The shape does not match the number of values.</exception>
    public static OnnxTensor Double(string name, ReadOnlySpan<double> values, params ReadOnlySpan<long> dims) =>
        new(name, OnnxElementType.Double, dims.ToArray(), values.Length, null, values.ToArray(), null);

    /// <summary>An int64 tensor; <paramref name="dims"/> must multiply to the number of values (empty = scalar).</summary>
    /// <exception cref="ArgumentException">The shape does not match the number of values.</exception>
    public static OnnxTensor Int64(string name, ReadOnlySpan<long> values, params ReadOnlySpan<long> dims) =>
        new(name, OnnxElementType.Int64, dims.ToArray(), values.Length, null, null, values.ToArray());

    internal TensorProto ToProto()
    {
        var proto = new TensorProto { Name = Name, DataType = (int)ElementType };
        proto.Dims.AddRange(_dims);
        if (_floats is not null)
            proto.FloatData.AddRange(_floats);
        else if (_doubles is not null)
            proto.DoubleData.AddRange(_doubles);
        else
            proto.Int64Data.AddRange(_longs!);
        return proto;
    }
}
