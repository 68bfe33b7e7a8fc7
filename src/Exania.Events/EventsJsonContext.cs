using System.Text.Json.Serialization;

namespace Exania.Events;

/// <summary>
/// Compile-time JSON metadata for the load report (<see cref="EventLoadReport"/>), with <see cref="Exania.Core.ReportJson"/>'s conventions (snake_case
/// names, nulls left out, indented, NaN as "NaN"). Every command that reads events reports it; the
/// reflection-based serializer spends 60-90 ms of a cold process building this metadata at run time, the generated
/// one almost nothing. A test checks both write the same JSON.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(EventLoadReport))]
public sealed partial class EventsJsonContext : JsonSerializerContext;
