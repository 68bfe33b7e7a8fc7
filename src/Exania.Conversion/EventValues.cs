using System.Text.RegularExpressions;
using Exania.Core;
using Exania.Events;

namespace Exania.Conversion;

/// <summary>
/// One field of every event as a dense id per distinct (cleaned) text: what paths are made of and what funnels break
/// down by. Cleaning patterns replace each match with <c>*</c>, so <c>/product/123</c> and <c>/product/456</c> share an id.
/// </summary>
public static class EventValues
{
    /// <summary>Shown for an event that lacks the field.</summary>
    public const string None = "(none)";

    /// <summary>The fields that have a text value per event.</summary>
    public static IReadOnlyList<EventField> Fields { get; } =
        [EventField.Action, EventField.Page, EventField.Category, EventField.ItemId, EventField.CampaignId, EventField.AdType, EventField.Placement];

    /// <exception cref="ArgumentOutOfRangeException">The field has no text value per event (a number or an id of the unit).</exception>
    public static void Validate(EventField field, string optionsType, string name)
    {
        if (!Fields.Contains(field))
            ExaniaThrow.OptionOutOfRange(optionsType, name, field, $"must be one of {string.Join(", ", Fields.Select(EventFields.Name))}");
    }

    /// <exception cref="ArgumentException">A pattern is not a valid regular expression.</exception>
    public static void ValidatePatterns(IReadOnlyList<string> patterns, string name)
    {
        foreach (var pattern in patterns)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                ExaniaThrow.Argument($"Clean pattern '{pattern}' is not a valid regular expression: {e.Message}", name);
            }
        }
    }

    /// <summary>Each event's value id, and the text of each id (cleaned once per distinct raw value, not per event).</summary>
    public static (int[] ValueOf, List<string> Names) Of(EventLog log, EventField field, IReadOnlyList<string>? cleanPatterns = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        Validate(field, nameof(EventValues), nameof(field));
        var patterns = (cleanPatterns ?? []).Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).ToArray();
        var names = new List<string>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string text)
        {
            foreach (var regex in patterns)
                text = regex.Replace(text, "*");
            if (!ids.TryGetValue(text, out var id))
            {
                id = names.Count;
                ids[text] = id;
                names.Add(text);
            }
            return id;
        }
        var valueOf = new int[log.Count];
        if (field == EventField.Action)
        {
            var map = new int[log.Actions.Count];
            for (var i = 0; i < map.Length; i++)
                map[i] = Id(log.Actions[i]);
            var codes = log.ActionCodes;
            for (var r = 0; r < valueOf.Length; r++)
                valueOf[r] = map[codes[r]];
            return (valueOf, names);
        }
        var pool = field switch
        {
            EventField.Page => log.Pages,
            EventField.Category => log.Categories,
            EventField.ItemId => log.Items,
            EventField.CampaignId => log.Campaigns,
            EventField.AdType => log.AdTypes,
            _ => log.Placements,
        };
        var poolMap = new int[pool.Count];
        for (var i = 0; i < poolMap.Length; i++)
            poolMap[i] = Id(pool[i]);
        var none = -1;
        var attributes = log.Attributes;
        for (var r = 0; r < valueOf.Length; r++)
        {
            var id = field switch
            {
                EventField.Page => attributes[r].Page,
                EventField.Category => attributes[r].Category,
                EventField.ItemId => attributes[r].Item,
                EventField.CampaignId => attributes[r].Campaign,
                EventField.AdType => attributes[r].AdType,
                _ => attributes[r].Placement,
            };
            valueOf[r] = id >= 0 ? poolMap[id] : none >= 0 ? none : none = Id(None);
        }
        return (valueOf, names);
    }

    /// <summary>Each event's value as its user's group (<paramref name="groups"/> by user id; <see cref="None"/> when absent), with the group names.</summary>
    public static (int[] ValueOf, List<string> Names) OfUsers(EventLog log, IReadOnlyDictionary<string, string> groups)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(groups);
        var names = new List<string>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var map = new int[log.Users.Count];
        for (var u = 0; u < map.Length; u++)
        {
            var group = groups.TryGetValue(log.Users[u], out var g) ? g : None;
            if (!ids.TryGetValue(group, out var id))
            {
                ids[group] = id = names.Count;
                names.Add(group);
            }
            map[u] = id;
        }
        var valueOf = new int[log.Count];
        var users = log.UserIds;
        for (var r = 0; r < valueOf.Length; r++)
            valueOf[r] = map[users[r]];
        return (valueOf, names);
    }
}
