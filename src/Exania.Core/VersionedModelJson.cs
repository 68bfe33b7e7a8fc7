using System.Text.Json;

namespace Exania.Core;

/// <summary>The <c>format</c> and <c>version</c> fields every Exania model file starts with.</summary>
public interface IVersionedModelFile
{
    string? Format { get; }

    int? Version { get; }
}

/// <summary>
/// Parses a model file and checks its header, with one set of messages for every model kind: invalid or truncated
/// JSON, JSON null, a missing or foreign <c>format</c>, an unsupported <c>version</c>. Each names the file.
/// </summary>
public static class VersionedModelJson
{
    /// <exception cref="ModelFormatException">The JSON is invalid, null, or of another format or version.</exception>
    public static T Parse<T>(string json, string source, string format, int version, JsonSerializerOptions options)
        where T : class, IVersionedModelFile
    {
        ArgumentNullException.ThrowIfNull(json);
        T? file;
        try
        {
            file = JsonSerializer.Deserialize<T>(json, options);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(source, $"not valid model JSON ({e.Message}); the file may be truncated or corrupt.", e);
        }
        if (file is null)
            throw new ModelFormatException(source, "the file holds JSON null, not a model.");
        if (file.Format != format)
            throw new ModelFormatException(source, file.Format is null
                ? $"no \"format\" field; expected \"{format}\"."
                : $"format is \"{file.Format}\", expected \"{format}\".");
        if (file.Version != version)
            throw new ModelFormatException(source, file.Version is null
                ? "no \"version\" field."
                : $"version {file.Version} is not supported; this build reads version {version}.");
        return file;
    }
}
