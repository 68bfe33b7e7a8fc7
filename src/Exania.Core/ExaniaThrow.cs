using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Exania.Core;

/// <summary>
/// Out-of-line throws for every Exania library, so that hot methods stay small and inlinable and one kind of problem
/// reads the same wherever it is found.
/// </summary>
[StackTraceHidden]
public static class ExaniaThrow
{
    [DoesNotReturn]
    public static void Argument(string message, string? paramName = null) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ArgumentOutOfRange(string paramName, object? value, string message) =>
        throw new ArgumentOutOfRangeException(paramName, value, message);

    /// <summary>
    /// An options record field outside its range. The message names the record, the field, the rule and the value,
    /// e.g. <c>GbtOptions.MaxDepth must be in [1, 32] (was 0).</c>; the CLI maps the field back to its flag.
    /// </summary>
    [DoesNotReturn]
    public static void OptionOutOfRange(string optionsType, string field, object? value, string rule) =>
        throw new ArgumentOutOfRangeException(field, value,
            string.Create(CultureInfo.InvariantCulture, $"{optionsType}.{field} {rule} (was {value ?? "null"})."));

    [DoesNotReturn]
    public static void DestinationTooShort(string paramName, int needed, int actual) =>
        throw new ArgumentException($"Destination is too short: needs {needed} elements, has {actual}.", paramName);

    [DoesNotReturn]
    public static void LengthMismatch(string paramName, int expected, int actual) =>
        throw new ArgumentException($"Expected {expected} elements, got {actual}.", paramName);

    [DoesNotReturn]
    public static void SingleClass(string metric, int positives, int negatives) =>
        throw new ArgumentException(
            $"{metric} is undefined when only one class is present ({positives} positive, {negatives} negative rows).");

    [DoesNotReturn]
    public static void InvalidOperation(string message) => throw new InvalidOperationException(message);
}
