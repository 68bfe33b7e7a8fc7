using System.Text.Json;

namespace Exania.Core;

/// <summary>The kinds of model file Exania writes; <see cref="ModelFile.Identify"/> tells them apart.</summary>
public enum ModelKind
{
    /// <summary>The ad-click model (<c>exania.click-model</c>, <c>click_model.json</c>).</summary>
    Click,

    /// <summary>The gradient-boosted-trees ROAS model (<c>exania.gbt-model</c>, <c>roas_model.json</c>).</summary>
    Roas,

    /// <summary>The next-action / next-item sequence model (<c>exania.sequence-model</c>, <c>sequence_model.json</c>).</summary>
    Sequence,

    /// <summary>The multi-task conversion and drop-off network (<c>exania.conversion-model</c>, <c>conversion_model.json</c>).</summary>
    Conversion,

    /// <summary>The k-means user segmentation (<c>exania.segment-model</c>, <c>segment_model.json</c>).</summary>
    Segment,
}

/// <summary>The <c>format</c> and <c>version</c> a model file starts with.</summary>
public sealed record ModelFileHeader(string Format, int Version);

/// <summary>
/// The one entry point to model files: their format ids (one style, <c>exania.&lt;kind&gt;-model</c>), their file names
/// in a model folder, reading the versioned header without reading the rest, telling a file's kind, and resolving a
/// <c>--model</c> argument that may name a folder or a file. Each model library loads its own body.
/// </summary>
public static class ModelFile
{
    /// <summary>Format id of <see cref="ModelKind.Click"/>.</summary>
    public const string ClickFormat = "exania.click-model";

    /// <summary>Format id of <see cref="ModelKind.Roas"/> (the trees engine's file).</summary>
    public const string RoasFormat = "exania.gbt-model";

    /// <summary>Format id of <see cref="ModelKind.Sequence"/>.</summary>
    public const string SequenceFormat = "exania.sequence-model";

    /// <summary>Format id of <see cref="ModelKind.Conversion"/>.</summary>
    public const string ConversionFormat = "exania.conversion-model";

    /// <summary>Format id of <see cref="ModelKind.Segment"/>.</summary>
    public const string SegmentFormat = "exania.segment-model";

    /// <summary>The format id of each kind, as written in the file's <c>format</c> field.</summary>
    public static string FormatOf(ModelKind kind) => kind switch
    {
        ModelKind.Click => ClickFormat,
        ModelKind.Roas => RoasFormat,
        ModelKind.Sequence => SequenceFormat,
        ModelKind.Conversion => ConversionFormat,
        ModelKind.Segment => SegmentFormat,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a model kind."),
    };

    /// <summary>The file name of each kind inside a model folder.</summary>
    public static string FileNameOf(ModelKind kind) => kind switch
    {
        ModelKind.Click => "click_model.json",
        ModelKind.Roas => "roas_model.json",
        ModelKind.Sequence => "sequence_model.json",
        ModelKind.Conversion => "conversion_model.json",
        ModelKind.Segment => "segment_model.json",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a model kind."),
    };

    /// <summary>The file name of each kind's training results beside the model.</summary>
    public static string ResultsFileNameOf(ModelKind kind) => kind switch
    {
        ModelKind.Click => "training_results.json",
        ModelKind.Roas => "roas_results.json",
        ModelKind.Sequence => "sequence_results.json",
        ModelKind.Conversion => "conversion_results.json",
        ModelKind.Segment => "segment_results.json",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a model kind."),
    };

    /// <summary>Format ids written by earlier builds that are still read (version 1 sequence models used an underscore).</summary>
    private static readonly (string Format, ModelKind Kind)[] s_legacyFormats = [("exania.sequence_model", ModelKind.Sequence)];

    private static readonly ModelKind[] s_kinds = Enum.GetValues<ModelKind>();

    /// <summary>The kind whose format id is <paramref name="format"/>, or null.</summary>
    public static ModelKind? KindOfFormat(string? format)
    {
        foreach (var kind in s_kinds)
            if (FormatOf(kind) == format) return kind;
        foreach (var (legacy, kind) in s_legacyFormats)
            if (legacy == format) return kind;
        return null;
    }

    /// <summary>
    /// Reads the top-level <c>format</c> and <c>version</c> of a model file, stopping as soon as both are seen (a
    /// sequence model's megabytes of tensors are not parsed to learn its kind).
    /// </summary>
    /// <exception cref="ModelFormatException">The file is not a JSON object with a string format and an integer version.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static ModelFileHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        var buffer = new byte[Math.Min(stream.Length, 1 << 16)];
        var length = 0;
        while (length < buffer.Length && stream.Read(buffer, length, buffer.Length - length) is > 0 and var read)
            length += read;
        return ParseHeader(buffer.AsSpan(0, length), path, isFinalBlock: length == stream.Length);
    }

    /// <summary>The header of model JSON held in memory; see <see cref="ReadHeader"/>.</summary>
    /// <exception cref="ModelFormatException">Not a JSON object with a string format and an integer version.</exception>
    public static ModelFileHeader ParseHeader(ReadOnlySpan<byte> utf8Json, string source, bool isFinalBlock = true)
    {
        string? format = null;
        int? version = null;
        var reader = new Utf8JsonReader(utf8Json, isFinalBlock, default);
        try
        {
            if (reader.Read() && reader.TokenType == JsonTokenType.Null)
                throw new ModelFormatException(source, "the file holds JSON null, not a model.");
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new ModelFormatException(source, "not a JSON object; a model file starts with {\"format\": ..., \"version\": ...}.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName && (format is null || version is null))
            {
                var name = reader.GetString();
                if (!reader.Read()) break;
                if (name == "format" && reader.TokenType == JsonTokenType.String)
                    format = reader.GetString();
                else if (name == "version" && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var v))
                    version = v;
                else if (!reader.TrySkip())
                    break; // the value runs past the bytes read: the header fields come first in every Exania file
            }
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(source, $"not valid model JSON ({e.Message}); the file may be truncated or corrupt.", e);
        }
        if (format is null)
            throw new ModelFormatException(source, "no \"format\" field; expected one of " + string.Join(", ", s_kinds.Select(k => '"' + FormatOf(k) + '"')) + ".");
        if (version is null)
            throw new ModelFormatException(source, "no \"version\" field.");
        return new ModelFileHeader(format, version.Value);
    }

    /// <summary>The kind of the model file at <paramref name="path"/>, from its header.</summary>
    /// <exception cref="ModelFormatException">No header, or a format that is not Exania's.</exception>
    public static ModelKind Identify(string path)
    {
        var header = ReadHeader(path);
        return KindOfFormat(header.Format)
            ?? throw new ModelFormatException(path, $"format \"{header.Format}\" is not an Exania model; expected one of " +
                string.Join(", ", s_kinds.Select(k => '"' + FormatOf(k) + '"')) + ".");
    }

    /// <summary>Checks that a header is of <paramref name="kind"/> at <paramref name="version"/>.</summary>
    /// <exception cref="ModelFormatException">Another format or an unsupported version; the message names the file.</exception>
    public static void Expect(ModelFileHeader header, string source, ModelKind kind, int version)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (KindOfFormat(header.Format) != kind)
            throw new ModelFormatException(source, $"format is \"{header.Format}\", expected \"{FormatOf(kind)}\".");
        if (header.Version != version)
            throw new ModelFormatException(source, $"version {header.Version} is not supported; this build reads version {version}.");
    }

    /// <summary>
    /// Resolves a model argument: a file is taken as it is; a folder (or a path ending in a separator) holds the file of
    /// <paramref name="kind"/> when given, else the first model file it holds in <see cref="ModelKind"/> order (click,
    /// ROAS, sequence, conversion, segment).
    /// </summary>
    /// <exception cref="ArgumentException">A folder holds no model file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string Resolve(string pathOrFolder, ModelKind? kind = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathOrFolder);
        var isFolder = Directory.Exists(pathOrFolder) || pathOrFolder.EndsWith('/') || pathOrFolder.EndsWith(Path.DirectorySeparatorChar);
        if (!isFolder)
            return File.Exists(pathOrFolder) ? pathOrFolder : throw new FileNotFoundException($"Model file '{pathOrFolder}' does not exist.", pathOrFolder);
        if (kind is { } wanted)
        {
            var path = Path.Combine(pathOrFolder, FileNameOf(wanted));
            return File.Exists(path) ? path
                : throw new FileNotFoundException($"Model folder '{pathOrFolder}' holds no {FileNameOf(wanted)}.", path);
        }
        foreach (var k in s_kinds)
        {
            var path = Path.Combine(pathOrFolder, FileNameOf(k));
            if (File.Exists(path)) return path;
        }
        throw new ArgumentException($"Model folder '{pathOrFolder}' holds none of {string.Join(", ", s_kinds.Select(FileNameOf))}.");
    }
}
