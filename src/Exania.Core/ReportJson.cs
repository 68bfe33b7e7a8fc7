using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Exania.Core;

/// <summary>
/// The one serializer of every typed report (training results, read summaries, benchmark figures): snake_case names,
/// enums as snake_case strings, nulls left out, indented. The CLI prints these and writes them beside models; the
/// service returns them.
/// </summary>
public static class ReportJson
{
    /// <summary>The options every report is written and read with.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        // An undefined figure (e.g. AUC with one class) is written as "NaN", never dropped or turned into 0.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The report as JSON text.</summary>
    public static string Serialize<T>(T report) => JsonSerializer.Serialize(report, Options);

    /// <summary>The report as a mutable JSON object (the CLI adds the command name and file paths).</summary>
    public static JsonObject ToNode<T>(T report) =>
        JsonSerializer.SerializeToNode(report, Options)?.AsObject() ?? throw new ArgumentNullException(nameof(report));

    /// <summary>
    /// The report as a mutable JSON object through compile-time metadata (a <see cref="JsonSerializerContext"/> with
    /// the conventions of <see cref="Options"/>): the same JSON without the run-time reflection, which a short command
    /// pays for in start-up time.
    /// </summary>
    public static JsonObject ToNode<T>(T report, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.SerializeToNode(report, typeInfo)?.AsObject() ?? throw new ArgumentNullException(nameof(report));

    /// <summary>Reads a report written by <see cref="Serialize"/>.</summary>
    /// <exception cref="JsonException">The text is not such a report.</exception>
    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("The JSON is null, not a report.");
}
