using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Exania.Trees;

/// <summary>Out-of-line throws, so that hot methods stay small and inlinable.</summary>
[StackTraceHidden]
static class TreesThrow
{
    [DoesNotReturn]
    public static void Argument(string message, string? paramName = null) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ArgumentOutOfRange(string paramName, object? value, string message) =>
        throw new ArgumentOutOfRangeException(paramName, value, message);

    [DoesNotReturn]
    public static void DestinationTooShort(string paramName, int needed, int actual) =>
        throw new ArgumentException($"Destination is too short: needs {needed} elements, has {actual}.", paramName);

    [DoesNotReturn]
    public static void LengthMismatch(string paramName, int expected, int actual) =>
        throw new ArgumentException($"Expected {expected} elements, got {actual}.", paramName);

    [DoesNotReturn]
    public static void InvalidOperation(string message) => throw new InvalidOperationException(message);
}
