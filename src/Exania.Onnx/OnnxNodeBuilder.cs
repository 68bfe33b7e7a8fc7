using System.Text;
using Exania.Core;
using Exania.Onnx.Proto;
using Google.Protobuf;

namespace Exania.Onnx;

/// <summary>One operator node of an <see cref="OnnxGraphBuilder"/>; attributes are added fluently.</summary>
/// <remarks>
/// Attribute names must be unique within a node. Graph-valued attributes (for control flow such as <c>If</c> or
/// <c>Loop</c>) are not supported: no Exania model needs them.
/// </remarks>
public sealed class OnnxNodeBuilder
{
    private readonly NodeProto _proto;

    internal OnnxNodeBuilder(NodeProto proto) => _proto = proto;

    public string OpType => _proto.OpType;

    /// <summary>The operator domain: empty for the default <c>ai.onnx</c> domain, or e.g. <c>ai.onnx.ml</c>.</summary>
    public string Domain => _proto.Domain;

    public string Name => _proto.Name;

    public IReadOnlyList<string> Inputs => _proto.Input;

    public IReadOnlyList<string> Outputs => _proto.Output;

    internal NodeProto Proto => _proto;

    /// <summary>An <c>INT</c> attribute (for <c>Cast</c>'s <c>to</c>, pass <c>(long)OnnxElementType.X</c>).</summary>
    public OnnxNodeBuilder Attribute(string name, long value) =>
        Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    /// <summary>A <c>FLOAT</c> attribute.</summary>
    public OnnxNodeBuilder Attribute(string name, float value) =>
        Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });

    /// <summary>A <c>STRING</c> attribute (UTF-8).</summary>
    public OnnxNodeBuilder Attribute(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });
    }

    /// <summary>An <c>INTS</c> attribute.</summary>
    public OnnxNodeBuilder Attribute(string name, ReadOnlySpan<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        foreach (var v in values)
            attribute.Ints.Add(v);
        return Add(attribute);
    }

    /// <summary>A <c>FLOATS</c> attribute.</summary>
    public OnnxNodeBuilder Attribute(string name, ReadOnlySpan<float> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        foreach (var v in values)
            attribute.Floats.Add(v);
        return Add(attribute);
    }

    /// <summary>A <c>STRINGS</c> attribute (UTF-8).</summary>
    public OnnxNodeBuilder Attribute(string name, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        foreach (var v in values)
            attribute.Strings.Add(ByteString.CopyFrom(Encoding.UTF8.GetBytes(v ?? throw new ArgumentException("A string attribute value is null.", nameof(values)))));
        return Add(attribute);
    }

    /// <summary>A <c>TENSOR</c> attribute (as <c>Constant</c>'s <c>value</c> takes).</summary>
    public OnnxNodeBuilder Attribute(string name, OnnxTensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value.ToProto() });
    }

    private OnnxNodeBuilder Add(AttributeProto attribute)
    {
        if (string.IsNullOrEmpty(attribute.Name))
            ExaniaThrow.Argument($"An attribute of node '{Name}' ({OpType}) has no name.", "name");
        foreach (var existing in _proto.Attribute)
        {
            if (existing.Name == attribute.Name)
                ExaniaThrow.Argument($"Node '{Name}' ({OpType}) already has an attribute '{attribute.Name}'.", "name");
        }
        _proto.Attribute.Add(attribute);
        return this;
    }
}
