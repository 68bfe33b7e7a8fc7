using Exania.Core;
using Exania.Events;

namespace Exania.Conversion;

/// <summary>Action names as the analyses look them up: an action a user names must occur, or the message lists those that do.</summary>
public static class LogActions
{
    /// <summary>The action names that occur in <paramref name="log"/>, in code order, comma-separated.</summary>
    public static string Present(EventLog log)
    {
        var seen = new bool[log.Actions.Count];
        foreach (var code in log.ActionCodes)
            seen[code] = true;
        return string.Join(", ", Enumerable.Range(0, seen.Length).Where(c => seen[c]).Select(c => log.Actions[c]));
    }

    /// <summary>The code of <paramref name="action"/>, which some event must have.</summary>
    /// <exception cref="ArgumentException">No event has it; the message says what it was for (<paramref name="role"/>) and lists the actions.</exception>
    public static int Require(EventLog log, string action, string role, string paramName)
    {
        var code = log.Actions.IndexOf(action);
        if (code < 0 || !log.ActionCodes.Contains(code))
            ExaniaThrow.Argument($"The {role} '{action}' is not an action of any event; the actions are {Present(log)}.", paramName);
        return code;
    }

    /// <summary>Per action code of <paramref name="log"/>, whether it is one of <paramref name="names"/> (names no event has are ignored).</summary>
    public static bool[] Mask(EventLog log, IReadOnlyList<string> names)
    {
        var mask = new bool[log.Actions.Count];
        foreach (var name in names)
        {
            var code = log.Actions.IndexOf(name);
            if (code >= 0)
                mask[code] = true;
        }
        return mask;
    }
}
