namespace Exania.Onnx;

/// <summary>
/// One dimension of a graph input or output: a fixed size (<c>dim_value</c>) or a symbolic name such as a batch
/// dimension <c>"N"</c> (<c>dim_param</c>). Converts implicitly from <see cref="long"/> and <see cref="string"/>.
/// </summary>
public readonly record struct OnnxDim
{
    private OnnxDim(long? value, string? symbol)
    {
        Value = value;
        Symbol = symbol;
    }

    /// <summary>The fixed size, or null for a symbolic dimension.</summary>
    public long? Value { get; }

    /// <summary>The symbolic name, or null for a fixed dimension.</summary>
    public string? Symbol { get; }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public static OnnxDim Fixed(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return new OnnxDim(value, null);
    }

    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public static OnnxDim Symbolic(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new OnnxDim(null, name);
    }

    public static implicit operator OnnxDim(long value) => Fixed(value);

    public static implicit operator OnnxDim(string name) => Symbolic(name);

    public override string ToString() => Symbol ?? Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";
}

/// <summary>A typed, shaped graph input or output.</summary>
public sealed record OnnxValueInfo(string Name, OnnxElementType ElementType, IReadOnlyList<OnnxDim> Shape);
