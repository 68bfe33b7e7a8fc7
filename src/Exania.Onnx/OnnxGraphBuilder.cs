using Exania.Core;
using Exania.Onnx.Proto;

namespace Exania.Onnx;

/// <summary>
/// Builds an ONNX graph in single-assignment form: typed inputs (with fixed or symbolic dimensions), constant
/// initializers, operator nodes in topological order, and typed outputs.
/// </summary>
/// <remarks>
/// Checks happen as the graph is built, so a mistake names the offending value at the call that made it: every
/// value name is defined once (input, initializer or node output); a node may only read values defined before it
/// (an empty name stands for an omitted optional input); and, when the graph is written, every output must have
/// been produced.
/// </remarks>
public sealed class OnnxGraphBuilder
{
    private readonly GraphProto _proto;
    private readonly HashSet<string> _defined = new(StringComparer.Ordinal);
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly List<OnnxNodeBuilder> _nodes = [];
    private readonly Dictionary<string, int> _opCounts = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public OnnxGraphBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _proto = new GraphProto { Name = name };
    }

    public string Name => _proto.Name;

    /// <summary>Human-readable description of the graph (<c>doc_string</c>).</summary>
    public string? DocString
    {
        get => _proto.HasDocString ? _proto.DocString : null;
        set
        {
            if (value is null)
                _proto.ClearDocString();
            else
                _proto.DocString = value;
        }
    }

    public IReadOnlyList<OnnxValueInfo> Inputs => _inputs;

    public IReadOnlyList<OnnxValueInfo> Outputs => _outputs;

    public IReadOnlyList<OnnxNodeBuilder> Nodes => _nodes;

    /// <summary>
    /// The distinct operator types of the nodes, in order of first use; operators of a domain other than the default
    /// one are qualified with it (<c>ai.onnx.ml.TreeEnsembleRegressor</c>).
    /// </summary>
    public IReadOnlyList<string> OpTypes()
    {
        var seen = new List<string>();
        foreach (var node in _nodes)
        {
            var op = node.Domain.Length == 0 ? node.OpType : $"{node.Domain}.{node.OpType}";
            if (!seen.Contains(op))
                seen.Add(op);
        }
        return seen;
    }

    /// <summary>The distinct operator domains the nodes use (empty string for the default domain).</summary>
    public IReadOnlyList<string> Domains() => [.. _nodes.Select(n => n.Domain).Distinct(StringComparer.Ordinal)];

    /// <summary>Declares a graph input.</summary>
    /// <exception cref="ArgumentException">The name is empty or already defined.</exception>
    public OnnxValueInfo AddInput(string name, OnnxElementType elementType, params ReadOnlySpan<OnnxDim> shape)
    {
        Define(name, "input");
        var info = new OnnxValueInfo(name, elementType, shape.ToArray());
        _inputs.Add(info);
        _proto.Input.Add(ToProto(info));
        return info;
    }

    /// <summary>Declares a graph output; a node must produce it before the graph is written.</summary>
    /// <exception cref="ArgumentException">The name is empty or already declared as an output.</exception>
    public OnnxValueInfo AddOutput(string name, OnnxElementType elementType, params ReadOnlySpan<OnnxDim> shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_outputs.Exists(o => o.Name == name))
            ExaniaThrow.Argument($"Graph '{Name}' already has an output '{name}'.", nameof(name));
        var info = new OnnxValueInfo(name, elementType, shape.ToArray());
        _outputs.Add(info);
        _proto.Output.Add(ToProto(info));
        return info;
    }

    /// <summary>Adds a constant tensor to the graph; returns its name, for use as a node input.</summary>
    /// <exception cref="ArgumentException">The name is already defined.</exception>
    public string AddInitializer(OnnxTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Define(tensor.Name, "initializer");
        _proto.Initializer.Add(tensor.ToProto());
        return tensor.Name;
    }

    /// <summary>
    /// Appends a node. Its inputs must already be defined (graph inputs, initializers or outputs of earlier nodes);
    /// its outputs must be new names. Without <paramref name="name"/> the node is named <c>OpType_k</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An input is undefined, an output is already defined, or there is no output.</exception>
    public OnnxNodeBuilder AddNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs,
        string? name = null, string domain = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(domain);
        if (name is null)
        {
            _opCounts.TryGetValue(opType, out var k);
            _opCounts[opType] = k + 1;
            name = $"{opType}_{k}";
        }
        if (outputs.Count == 0)
            ExaniaThrow.Argument($"Node '{name}' ({opType}) has no outputs.", nameof(outputs));
        foreach (var input in inputs)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(inputs));
            if (input.Length != 0 && !_defined.Contains(input))
                ExaniaThrow.Argument($"Node '{name}' ({opType}) reads '{input}', which is not a graph input, an initializer or the output of an earlier node.", nameof(inputs));
        }
        foreach (var output in outputs)
            Define(output, $"output of node '{name}' ({opType})");

        var proto = new NodeProto { Name = name, OpType = opType };
        if (domain.Length != 0)
            proto.Domain = domain;
        proto.Input.AddRange(inputs);
        proto.Output.AddRange(outputs);
        var node = new OnnxNodeBuilder(proto);
        _nodes.Add(node);
        _proto.Node.Add(proto);
        return node;
    }

    /// <summary>Appends a node with a single output, named <paramref name="output"/>; returns the node for attributes.</summary>
    public OnnxNodeBuilder AddNode(string opType, string output, params string[] inputs) => AddNode(opType, inputs, [output]);

    internal GraphProto ToProto()
    {
        if (_outputs.Count == 0)
            ExaniaThrow.InvalidOperation($"ONNX graph '{Name}': it has no outputs.");
        foreach (var output in _outputs)
        {
            if (!_defined.Contains(output.Name))
                ExaniaThrow.InvalidOperation($"ONNX graph '{Name}': output '{output.Name}' is never produced.");
        }
        return _proto;
    }

    private void Define(string name, string role)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_defined.Add(name))
            ExaniaThrow.Argument($"Graph '{Name}' already defines '{name}'; cannot define it again as {role}.", nameof(name));
    }

    private static ValueInfoProto ToProto(OnnxValueInfo info)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in info.Shape)
        {
            // default(OnnxDim) has neither a size nor a name: ONNX's "unknown dimension".
            var d = new TensorShapeProto.Types.Dimension();
            if (dim.Symbol is { } symbol)
                d.DimParam = symbol;
            else if (dim.Value is { } value)
                d.DimValue = value;
            shape.Dim.Add(d);
        }
        return new ValueInfoProto
        {
            Name = info.Name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)info.ElementType, Shape = shape } },
        };
    }
}
