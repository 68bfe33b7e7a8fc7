using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Exania.Synthetic;

/// <summary>Throw helpers, kept out of line so callers stay small.</summary>
[StackTraceHidden]
internal static class GeneratorThrow
{
    [DoesNotReturn]
    public static void OptionOutOfRange(string name, object value, string rule) =>
        throw new ArgumentOutOfRangeException(name, value,
            string.Create(CultureInfo.InvariantCulture, $"GeneratorOptions.{name} {rule} (was {value})."));
}
