using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Exania.Onnx;

/// <summary>Throw helpers kept out of line, so the builders' checks stay small.</summary>
[StackTraceHidden]
internal static class OnnxThrow
{
    [DoesNotReturn]
    public static void Argument(string message, string paramName) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void InvalidGraph(string graph, string message) =>
        throw new InvalidOperationException($"ONNX graph '{graph}': {message}");
}
