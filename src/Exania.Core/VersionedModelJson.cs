using System.Text.Json;

namespace Exania.Core;

/// <summary>
/// Parses a model file whose body is one JSON document: the header goes through <see cref="ModelFile"/> (the same
/// messages for every model kind: invalid or truncated JSON, JSON null, a missing or foreign <c>format</c>, an
/// unsupported <c>version</c>, each naming the file), then the body is deserialised.
/// </summary>
public static class VersionedModelJson
{
    /// <exception cref="ModelFormatException">The JSON is invalid, null, or of another kind or version.</exception>
    public static T Parse<T>(string json, string source, ModelKind kind, int version, JsonSerializerOptions options)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(json);
        ModelFile.Expect(ModelFile.ParseHeader(System.Text.Encoding.UTF8.GetBytes(json), source), source, kind, version);
        try
        {
            return JsonSerializer.Deserialize<T>(json, options)
                ?? throw new ModelFormatException(source, "the file holds JSON null, not a model.");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(source, $"not valid model JSON ({e.Message}); the file may be truncated or corrupt.", e);
        }
    }
}
