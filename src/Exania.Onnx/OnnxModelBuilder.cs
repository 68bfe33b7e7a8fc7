using System.Reflection;
using Exania.Core;
using Exania.Onnx.Proto;
using Google.Protobuf;

namespace Exania.Onnx;

/// <summary>
/// Builds and writes an ONNX model (<c>ModelProto</c>): one <see cref="Graph"/>, the operator sets it imports,
/// producer and version fields, and string metadata.
/// </summary>
/// <remarks>
/// <para>The writer is general: the click model, and later the sequence (LSTM) and tree (TreeEnsembleRegressor in
/// <c>ai.onnx.ml</c>) models, all export through it. It writes plain protobuf with the field numbers of the public
/// <c>onnx.proto</c>; tensors use the typed data fields, never external data.</para>
/// <para>The defaults, IR version 8 with opset 17, are read by onnxruntime (node and web) and by the onnx 1.12 checker.</para>
/// </remarks>
public sealed class OnnxModelBuilder
{
    /// <summary>IR version written by default (ONNX 1.12, opset 17).</summary>
    public const long DefaultIrVersion = 8;

    /// <summary>The default operator domain (<c>ai.onnx</c>), written as the empty string.</summary>
    public const string DefaultDomain = "";

    /// <summary>The traditional-ML operator domain (tree ensembles, linear classifiers, ...).</summary>
    public const string MlDomain = "ai.onnx.ml";

    private readonly List<KeyValuePair<string, long>> _opsets = [];
    private readonly List<KeyValuePair<string, string>> _metadata = [];

    /// <exception cref="ArgumentException"><paramref name="graphName"/> is null or empty.</exception>
    public OnnxModelBuilder(string graphName) => Graph = new OnnxGraphBuilder(graphName);

    public OnnxGraphBuilder Graph { get; }

    public long IrVersion { get; set; } = DefaultIrVersion;

    public string ProducerName { get; set; } = "exania";

    /// <summary>Defaults to this assembly's version (without the source revision, so identical builds write identical bytes).</summary>
    public string ProducerVersion { get; set; } = DefaultProducerVersion();

    /// <summary>Reverse-DNS name of the model's namespace (<c>domain</c>), optional.</summary>
    public string? ModelDomain { get; set; }

    /// <summary>Version of the model itself (<c>model_version</c>), optional.</summary>
    public long? ModelVersion { get; set; }

    public string? DocString { get; set; }

    /// <summary>The imported operator sets, domain → version, in the order added.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Opsets => _opsets;

    /// <summary>The <c>metadata_props</c>, in the order added.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata => _metadata;

    /// <summary>Imports version <paramref name="version"/> of an operator set (<see cref="DefaultDomain"/>, <see cref="MlDomain"/>, ...).</summary>
    /// <exception cref="ArgumentException">The domain is already imported, or the version is not positive.</exception>
    public OnnxModelBuilder ImportOpset(string domain, long version)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        if (_opsets.Exists(o => o.Key == domain))
            ExaniaThrow.Argument($"Operator set domain '{domain}' is already imported.", nameof(domain));
        _opsets.Add(new(domain, version));
        return this;
    }

    /// <summary>Adds a <c>metadata_props</c> entry.</summary>
    /// <exception cref="ArgumentException">The key is empty or already present.</exception>
    public OnnxModelBuilder AddMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (_metadata.Exists(m => m.Key == key))
            ExaniaThrow.Argument($"Metadata key '{key}' is already present.", nameof(key));
        _metadata.Add(new(key, value));
        return this;
    }

    /// <summary>The serialized model.</summary>
    /// <exception cref="InvalidOperationException">The graph is incomplete (an output is never produced) or a node's domain is not imported.</exception>
    public byte[] ToBytes() => ToProto().ToByteArray();

    /// <summary>Writes the model to <paramref name="path"/> atomically; returns the number of bytes written.</summary>
    /// <exception cref="InvalidOperationException">See <see cref="ToBytes"/>.</exception>
    public long Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = ToBytes();
        AtomicFile.Write(path, stream => stream.Write(bytes));
        return bytes.Length;
    }

    internal ModelProto ToProto()
    {
        var graph = Graph.ToProto();
        foreach (var domain in Graph.Domains())
        {
            if (!_opsets.Exists(o => o.Key == domain))
                ExaniaThrow.InvalidOperation($"ONNX graph '{Graph.Name}': a node uses operator domain '{(domain.Length == 0 ? "ai.onnx" : domain)}', which the model does not import (call ImportOpset).");
        }
        if (_opsets.Count == 0)
            ExaniaThrow.InvalidOperation($"ONNX graph '{Graph.Name}': the model imports no operator set.");

        var model = new ModelProto { IrVersion = IrVersion, ProducerName = ProducerName, ProducerVersion = ProducerVersion, Graph = graph };
        foreach (var (domain, version) in _opsets)
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        if (ModelDomain is not null)
            model.Domain = ModelDomain;
        if (ModelVersion is { } modelVersion)
            model.ModelVersion = modelVersion;
        if (DocString is not null)
            model.DocString = DocString;
        foreach (var (key, value) in _metadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private static string DefaultProducerVersion()
    {
        var assembly = typeof(OnnxModelBuilder).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                      ?? assembly.GetName().Version?.ToString() ?? "0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
