using System.Globalization;
using System.Text;
using System.Text.Json;
using Exania.Events;

namespace Exania.Scoring;

/// <summary>One live interaction event: epoch seconds, the action's code (<see cref="KnownActions"/>), scroll depth (NaN when absent).</summary>
public readonly record struct LiveEvent(double Timestamp, int Action, double ScrollDepth);

/// <summary>A batch of one session's events as a client sends it; <see cref="Complete"/> ends the session.</summary>
public sealed record LiveBatch(string? User, LiveEvent[] Events, bool Complete)
{
    /// <summary>
    /// A digest of the batch as sent (user, events in request order, complete), never 0: the first 8 bytes of its
    /// SHA-256. A session remembers its last batch's digest, so a client that sends a batch again because it never
    /// saw the answer (a timeout, a node that died) gets that answer instead of the events counted twice. The same
    /// in every process, so it survives a session's move to another node.
    /// </summary>
    public ulong Digest()
    {
        var userBytes = User is null ? 0 : Encoding.UTF8.GetByteCount(User);
        var length = 6 + userBytes + Events.Length * 20;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var span = buffer.AsSpan(0, length);
            span[0] = (byte)((User is null ? 0 : 1) | (Complete ? 2 : 0));
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[1..], userBytes);
            if (User is not null)
                Encoding.UTF8.GetBytes(User, span.Slice(5, userBytes));
            var at = 5 + userBytes;
            span[at++] = 0xEE;
            foreach (var e in Events)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(span[at..], e.Timestamp);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[(at + 8)..], e.Action);
                System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 12)..], e.ScrollDepth);
                at += 20;
            }
            Span<byte> hash = stackalloc byte[32];
            System.Security.Cryptography.SHA256.HashData(span, hash);
            var digest = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash);
            return digest == 0 ? 1 : digest;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// Bad live input. <see cref="Field"/> is the JSON path of the offending value (<c>events[3].timestamp</c>), so a
/// client can fix its request; the service answers 400 with it.
/// </summary>
public sealed class LiveInputException : Exception
{
    public LiveInputException(string field, string message) : base(message) => Field = field;

    public LiveInputException() : this("", "bad live input") { }

    public LiveInputException(string message) : this("", message) { }

    public LiveInputException(string message, Exception innerException) : base(message, innerException) => Field = "";

    /// <summary>Path of the offending value in the request (empty for the body as a whole).</summary>
    public string Field { get; }
}

/// <summary>
/// Reads a live batch from UTF-8 JSON:
/// <c>{"user": "u1", "events": [{"timestamp": 1700000000.5, "action": "click", "scrollDepth": 0.4}], "complete": false}</c>.
/// Strict on purpose: an unknown or repeated property, a wrong type, a non-finite or out-of-range number, an unknown
/// action or a timestamp outside the accepted range refuses the whole batch, naming the field; nothing is half-read.
/// Timestamps are epoch seconds (a number) or ISO 8601 text (<c>2019-10-01T00:00:00Z</c>, <c>2019-10-01 00:00:00 UTC</c>).
/// </summary>
public static class LiveBatchReader
{
    /// <summary>Longest user id accepted, in characters.</summary>
    public const int MaxIdLength = 256;

    /// <exception cref="LiveInputException">The body is not a valid batch; the exception names the field.</exception>
    public static LiveBatch Read(ReadOnlySpan<byte> utf8Json, LiveScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (utf8Json.IsEmpty)
            throw new LiveInputException("", "The request body is empty; send a JSON object with an \"events\" array.");
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            return ReadBatch(ref reader, options);
        }
        catch (JsonException e)
        {
            throw new LiveInputException("", $"The body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader's typed getters throw this on a value of another kind (or text that is not UTF-8).
            throw new LiveInputException("", $"The body is not a valid batch: {e.Message}");
        }
    }

    private static LiveBatch ReadBatch(ref Utf8JsonReader reader, LiveScoringOptions options)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new LiveInputException("", "The body must be a JSON object with an \"events\" array.");
        string? user = null;
        LiveEvent[]? events = null;
        var complete = false;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Names compared as UTF-8, without allocating a string per property.
            var bit = reader.ValueTextEquals("user"u8) ? 1 : reader.ValueTextEquals("events"u8) ? 2 : reader.ValueTextEquals("complete"u8) ? 4 : 0;
            if (bit == 0)
            {
                var unknown = Clip(reader.GetString()!);
                throw new LiveInputException(unknown, $"Unknown property '{unknown}'; a batch has user, events and complete.");
            }
            var name = bit switch { 1 => "user", 2 => "events", _ => "complete" };
            if ((seen & bit) != 0)
                throw new LiveInputException(name, $"'{name}' appears twice.");
            seen |= bit;
            reader.Read();
            switch (bit)
            {
                case 1:
                    user = reader.TokenType == JsonTokenType.Null ? null : Id(ref reader, "user");
                    break;
                case 2:
                    events = ReadEvents(ref reader, options);
                    break;
                default:
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                        throw new LiveInputException("complete", "'complete' must be true or false.");
                    complete = reader.GetBoolean();
                    break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject)
            throw new LiveInputException("", "The body is not a complete JSON object.");
        if (reader.Read())
            throw new LiveInputException("", "The body has content after its JSON object.");
        if (events is null)
            throw new LiveInputException("events", "The batch has no \"events\" array.");
        if (events.Length == 0 && !complete)
            throw new LiveInputException("events", "The batch has no events (an empty batch is allowed only with \"complete\": true).");
        return new LiveBatch(user, events, complete);
    }

    private static LiveEvent[] ReadEvents(ref Utf8JsonReader reader, LiveScoringOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new LiveInputException("events", "'events' must be an array of event objects.");
        var events = new List<LiveEvent>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (events.Count == options.MaxEventsPerBatch)
                throw new LiveInputException("events", $"A batch holds at most {options.MaxEventsPerBatch} events; send the rest in another request.");
            events.Add(ReadEvent(ref reader, events.Count, options));
        }
        return [.. events];
    }

    private static LiveEvent ReadEvent(ref Utf8JsonReader reader, int index, LiveScoringOptions options)
    {
        // Paths such as events[3].timestamp are built only for a message: a good event allocates nothing here.
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new LiveInputException(Path(index), $"{Path(index)} must be an object with timestamp and action.");
        double timestamp = double.NaN, depth = double.NaN;
        var action = -1;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var bit = reader.ValueTextEquals("timestamp"u8) ? 1 : reader.ValueTextEquals("action"u8) ? 2 : reader.ValueTextEquals("scrollDepth"u8) ? 4 : 0;
            if (bit == 0)
            {
                var unknown = Clip(reader.GetString()!);
                throw new LiveInputException($"{Path(index)}.{unknown}", $"Unknown property '{unknown}' in {Path(index)}; an event has timestamp, action and scrollDepth.");
            }
            var property = bit switch { 1 => "timestamp", 2 => "action", _ => "scrollDepth" };
            if ((seen & bit) != 0)
                throw new LiveInputException(Path(index, property), $"{Path(index, property)} appears twice.");
            seen |= bit;
            reader.Read();
            switch (bit)
            {
                case 1:
                    timestamp = Timestamp(ref reader, index, options);
                    break;
                case 2:
                    action = Action(ref reader, index);
                    break;
                default:
                    depth = Depth(ref reader, index);
                    break;
            }
        }
        if ((seen & 1) == 0)
            throw new LiveInputException(Path(index, "timestamp"), $"{Path(index)} has no timestamp.");
        if ((seen & 2) == 0)
            throw new LiveInputException(Path(index, "action"), $"{Path(index)} has no action.");
        return new LiveEvent(timestamp, action, depth);
    }

    private static string Path(int index) => $"events[{index}]";

    private static string Path(int index, string property) => $"events[{index}].{property}";

    private static double Timestamp(ref Utf8JsonReader reader, int index, LiveScoringOptions options)
    {
        double seconds;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (!reader.TryGetDouble(out seconds) || !double.IsFinite(seconds))
                throw new LiveInputException(Path(index, "timestamp"), $"{Path(index, "timestamp")} is not a finite number of epoch seconds.");
        }
        else if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString()!;
            if (!TimestampParser.TryParseIso(text, out seconds))
                throw new LiveInputException(Path(index, "timestamp"), $"{Path(index, "timestamp")} '{Clip(text)}' is not epoch seconds or an ISO 8601 time.");
        }
        else
        {
            throw new LiveInputException(Path(index, "timestamp"), $"{Path(index, "timestamp")} must be epoch seconds (a number) or ISO 8601 text.");
        }
        if (!options.TimeRange.Contains(seconds))
            throw new LiveInputException(Path(index, "timestamp"), $"{Path(index, "timestamp")} {seconds.ToString("R", CultureInfo.InvariantCulture)} is outside the accepted time range " +
                $"({Instant(options.TimeRange.MinSeconds)} to {Instant(options.TimeRange.MaxSeconds)}); is it in milliseconds?");
        return seconds;
    }

    /// <summary>The action names as UTF-8, in code order, to match without decoding.</summary>
    private static readonly byte[][] s_actionNames = [.. KnownActions.Names.Select(Encoding.UTF8.GetBytes)];

    private static int Action(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new LiveInputException(Path(index, "action"), $"{Path(index, "action")} must be an action name ({string.Join(", ", KnownActions.Names)}).");
        for (var code = 0; code < s_actionNames.Length; code++)
        {
            if (reader.ValueTextEquals(s_actionNames[code]))
                return code;
        }
        throw new LiveInputException(Path(index, "action"), $"{Path(index, "action")} '{Clip(reader.GetString()!)}' is not one of {string.Join(", ", KnownActions.Names)}.");
    }

    private static double Depth(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return double.NaN;
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var depth))
            throw new LiveInputException(Path(index, "scrollDepth"), $"{Path(index, "scrollDepth")} must be a number from 0 to 1, or null.");
        if (!(depth >= 0 && depth <= 1))
            throw new LiveInputException(Path(index, "scrollDepth"), $"{Path(index, "scrollDepth")} {depth.ToString("R", CultureInfo.InvariantCulture)} is outside 0..1.");
        return depth;
    }

    /// <summary>A session or user id: 1 to <see cref="MaxIdLength"/> characters, no control characters.</summary>
    /// <exception cref="LiveInputException">It is empty, too long or holds a control character.</exception>
    public static string CheckId(string? id, string field)
    {
        if (string.IsNullOrEmpty(id))
            throw new LiveInputException(field, $"'{field}' is empty.");
        if (id.Length > MaxIdLength)
            throw new LiveInputException(field, $"'{field}' is longer than {MaxIdLength} characters.");
        for (var i = 0; i < id.Length; i++)
        {
            if (char.IsHighSurrogate(id[i]) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsControl(id[i]) || char.IsSurrogate(id[i]))
                throw new LiveInputException(field, $"'{field}' holds a control character or a broken surrogate.");
        }
        return id;
    }

    private static string Id(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new LiveInputException(field, $"'{field}' must be a string.");
        return CheckId(reader.GetString(), field);
    }

    private static string Instant(double seconds) =>
        DateTime.UnixEpoch.AddSeconds(Math.Clamp(seconds, -62135596800, 253402300799)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Clip(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 41));
        foreach (var c in text.Length <= 40 ? text : text[..40])
            builder.Append(char.IsControl(c) ? '?' : c);
        if (text.Length > 40)
            builder.Append('…');
        return builder.ToString();
    }
}
