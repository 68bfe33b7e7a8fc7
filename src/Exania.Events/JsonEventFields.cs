using System.Text;
using System.Text.Json;

namespace Exania.Events;

/// <summary>
/// The JSON Lines reader's view of the logical fields: resolves property names (after the column map) to fields and
/// copies string or number values as text into one row buffer, which <see cref="EventRowParser"/> then validates.
/// </summary>
internal sealed class JsonEventFields
{
    private readonly Dictionary<string, int> _fieldByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    // Several logical fields may read one source property (user_id=session,session_id=session): the first field
    // holds the name, the rest are chained here, -1 ending the chain.
    private readonly int[] _nextField = new int[EventFields.Slots];
    private readonly string[] _sourceNames = new string[EventFields.Slots];
    private readonly char[] _nameChars = new char[128];

    public JsonEventFields(EventReaderOptions options)
    {
        _lookup = _fieldByName.GetAlternateLookup<ReadOnlySpan<char>>();
        _nextField.AsSpan().Fill(-1);
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        // The value slots: the logical fields, then the time offset column when there is one.
        for (var f = 0; f < EventFields.Slots; f++)
        {
            if (EventFields.SourceOf(f, options) is not { } source)
                continue;
            _sourceNames[f] = source;
            if (last.TryGetValue(source, out var previous))
                _nextField[previous] = f;
            else
                _fieldByName.Add(source, f);
            last[source] = f;
        }
    }

    /// <summary>Values of the current row as text; fields point into it by start and length.</summary>
    public char[] Row { get; private set; } = new char[256];

    public int RowLength { get; set; }

    /// <summary>The first value slot (field, or <see cref="EventFields.TimestampOffsetSlot"/>) the property name at <paramref name="json"/> maps to, or -1.</summary>
    public int FieldOf(ref Utf8JsonReader json)
    {
        // The common case (a short unescaped name) decodes into a reused buffer, so no string is allocated per property.
        if (!json.ValueIsEscaped && json.ValueSpan.Length <= _nameChars.Length)
        {
            var length = Encoding.UTF8.GetChars(json.ValueSpan, _nameChars);
            return _lookup.TryGetValue(_nameChars.AsSpan(0, length), out var f) ? f : -1;
        }
        try
        {
            return _fieldByName.TryGetValue(json.GetString() ?? "", out var field) ? field : -1;
        }
        catch (InvalidOperationException)
        {
            return -1; // a name that is not valid UTF-8 cannot name a field
        }
    }

    /// <summary>
    /// Reads the value at <paramref name="json"/> for <paramref name="field"/> (and the fields chained to it) into
    /// <see cref="Row"/>, recording where it lies in <paramref name="start"/> and <paramref name="length"/>. Null means
    /// absent. Anything but a string, number or null is a <c>wrong_type</c> error; the value is then skipped.
    /// </summary>
    public (string Kind, string Reason)? ReadValue(ref Utf8JsonReader json, int field, int[] start, int[] length)
    {
        int written;
        switch (json.TokenType)
        {
            case JsonTokenType.String:
                // Unescaped text never has more chars than its UTF-8 bytes, so this capacity always suffices.
                Ensure(json.ValueSpan.Length);
                try
                {
                    written = json.CopyString(Row.AsSpan(RowLength));
                }
                catch (InvalidOperationException)
                {
                    return ("malformed", $"{_sourceNames[field]}: {EventReader.NotUtf8}");
                }
                break;
            case JsonTokenType.Number:
                Ensure(json.ValueSpan.Length);
                written = Encoding.UTF8.GetChars(json.ValueSpan, Row.AsSpan(RowLength));
                break;
            case JsonTokenType.Null:
                return null;
            default:
                var reason = $"{_sourceNames[field]} is a JSON {TokenName(json.TokenType)}, expected a string or number";
                json.Skip();
                return ("wrong_type", reason);
        }
        for (var f = field; f >= 0; f = _nextField[f])
        {
            start[f] = RowLength;
            length[f] = written;
        }
        RowLength += written;
        return null;
    }

    /// <summary>A JSON value's kind as people say it, for messages.</summary>
    public static string TokenName(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        _ => token.ToString().ToLowerInvariant(),
    };

    private void Ensure(int extra)
    {
        if (RowLength + extra > Row.Length)
        {
            var row = Row;
            Array.Resize(ref row, Math.Max(row.Length * 2, RowLength + extra));
            Row = row;
        }
    }
}
