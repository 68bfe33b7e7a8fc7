using System.Security.Cryptography;
using Exania.Click;
using Exania.Conversion;
using Exania.Core;
using Exania.Sequence;
using Exania.Trees;

namespace Exania.Scoring;

/// <summary>A loaded model file: its kind, file name and version (the first 12 hex digits of the file's SHA-256).</summary>
public sealed record ModelVersion(ModelKind Kind, string File, string Version, DateTimeOffset LoadedAt);

/// <summary>
/// The models of one folder, loaded together and never changed: <c>click_model.json</c>, <c>roas_model.json</c>,
/// <c>sequence_model.json</c>, <c>conversion_model.json</c>, each optional. A reload builds a new set and swaps it
/// whole (<see cref="ModelRegistry"/>), so a request holding a set sees one consistent version of every model.
/// </summary>
public sealed class ModelSet
{
    private ModelSet(string? folder, ClickModel? click, GbtModel? roas, SequenceModel? sequence, ConversionModel? conversion, IReadOnlyList<ModelVersion> versions)
    {
        // Batches of the trees and of the conversion network go through ONNX Runtime on the exported graph (faster
        // there, ScoringEngineBenchmarks); built once per set, so a reload swaps them with their models.
        if (roas?.Encoder is not null)
            RoasBatch = new OnnxBatchScorer(GbtOnnxExporter.Build(roas).ToBytes(), GbtOnnxExporter.InputName, GbtOnnxExporter.OutputName(roas.Objective), roas.FeatureNames.Count, 1);
        if (conversion is not null)
            ConversionBatch = new OnnxBatchScorer(ConversionOnnxExporter.Build(conversion).ToBytes(), ConversionOnnxExporter.InputName, ConversionOnnxExporter.OutputName,
                conversion.Shape.Inputs, conversion.Outputs.Count);
        Folder = folder;
        Click = click;
        Roas = roas;
        Sequence = sequence;
        Conversion = conversion;
        Versions = versions;
    }

    /// <summary>The kinds the service scores with, in load order.</summary>
    public static IReadOnlyList<ModelKind> ServedKinds { get; } = [ModelKind.Click, ModelKind.Roas, ModelKind.Sequence, ModelKind.Conversion];

    /// <summary>A set with no models (no folder configured).</summary>
    public static ModelSet Empty { get; } = new(null, null, null, null, null, []);

    public string? Folder { get; }
    public ClickModel? Click { get; }
    public GbtModel? Roas { get; }
    public SequenceModel? Sequence { get; }
    public ConversionModel? Conversion { get; }

    /// <summary>The ROAS trees in ONNX Runtime, for batches; null without a ROAS model (or one without its encoder).</summary>
    public OnnxBatchScorer? RoasBatch { get; }

    /// <summary>The conversion network in ONNX Runtime, for batches; null without a conversion model.</summary>
    public OnnxBatchScorer? ConversionBatch { get; }

    /// <summary>One entry per loaded model.</summary>
    public IReadOnlyList<ModelVersion> Versions { get; }

    /// <summary>The version of <paramref name="kind"/>, or null when that model is not loaded.</summary>
    public string? VersionOf(ModelKind kind)
    {
        foreach (var v in Versions)
        {
            if (v.Kind == kind)
                return v.Version;
        }
        return null;
    }

    /// <summary>
    /// Loads every served model file present in <paramref name="folder"/>. A file that is present but does not load
    /// fails the whole set (the caller keeps its old one); a missing file is simply not loaded.
    /// </summary>
    /// <exception cref="ModelFormatException">A present file is not a valid model of its kind (the message names it).</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static ModelSet Load(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The models folder '{folder}' does not exist.");
        ClickModel? click = null;
        GbtModel? roas = null;
        SequenceModel? sequence = null;
        ConversionModel? conversion = null;
        var versions = new List<ModelVersion>();
        foreach (var kind in ServedKinds)
        {
            var path = Path.Combine(folder, ModelFile.FileNameOf(kind));
            if (!File.Exists(path))
                continue;
            // Read the bytes once: the version is their hash, and the model is parsed from the same bytes, so a file
            // replaced halfway through a load cannot give a version of one file and the model of another.
            var bytes = File.ReadAllBytes(path);
            var json = kind == ModelKind.Sequence ? "" : System.Text.Encoding.UTF8.GetString(bytes);
            switch (kind)
            {
                case ModelKind.Click:
                    click = ClickModel.FromJson(json, path);
                    ClickData.RequireWindowFeatures(click);
                    break;
                case ModelKind.Roas:
                    roas = GbtModel.FromJson(json, path);
                    break;
                case ModelKind.Sequence:
                    sequence = SequenceModel.FromBytes(bytes, path);
                    break;
                default:
                    conversion = ConversionModel.FromJson(json, path);
                    break;
            }
            versions.Add(new ModelVersion(kind, ModelFile.FileNameOf(kind), Convert.ToHexStringLower(SHA256.HashData(bytes))[..12], DateTimeOffset.UtcNow));
        }
        try
        {
            return new ModelSet(Path.GetFullPath(folder), click, roas, sequence, conversion, versions);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            throw new ModelFormatException(folder, $"ONNX Runtime refuses a model's exported graph: {e.Message}", e);
        }
    }
}

/// <summary>
/// The current <see cref="ModelSet"/>, swapped whole on <see cref="Reload"/>: a request reads <see cref="Current"/>
/// once and keeps that set, so no request sees half a model; a reload that fails leaves the old set in place.
/// </summary>
public sealed class ModelRegistry
{
    private readonly Lock _reloadLock = new();
    private volatile ModelSet _current;

    /// <summary>Loads <paramref name="folder"/> (null: no models).</summary>
    /// <exception cref="ModelFormatException">A model file there does not load.</exception>
    public ModelRegistry(string? folder)
    {
        Folder = folder;
        _current = folder is null ? ModelSet.Empty : ModelSet.Load(folder);
    }

    public string? Folder { get; }

    public ModelSet Current => _current;

    /// <summary>Successful reloads since start.</summary>
    public int Reloads { get; private set; }

    /// <summary>Loads the folder again and swaps the set in; on any failure the old set stays and the error is thrown.</summary>
    /// <exception cref="ModelFormatException">A model file does not load (the old models stay).</exception>
    /// <exception cref="InvalidOperationException">No models folder is configured.</exception>
    public ModelSet Reload()
    {
        if (Folder is null)
            throw new InvalidOperationException("No models folder is configured: start the service with --models DIR.");
        lock (_reloadLock)
        {
            var set = ModelSet.Load(Folder);
            _current = set;
            Reloads++;
            return set;
        }
    }
}
