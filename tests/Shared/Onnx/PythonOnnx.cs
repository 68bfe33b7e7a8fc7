using System.Text.Json;

namespace Exania.Testing;

/// <summary>What the onnx Python package reads from a file that passed onnx.checker.</summary>
internal sealed record OnnxDescription(string OnnxVersion, long IrVersion, IReadOnlyDictionary<string, long> Opsets, IReadOnlyList<string> OpTypes);

/// <summary>
/// The onnx Python package (Debian's python3-onnx): onnx.checker, and the file's IR version, opsets and op types read
/// independently of the C# writer. When python3 cannot import onnx, a test that needs it is skipped, or fails when
/// <see cref="RequireVariable"/> is 1 (CI sets it).
/// </summary>
internal static class PythonOnnx
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Set to 1 to fail, rather than skip, when python3 cannot import onnx.</summary>
    public const string RequireVariable = "EXANIA_REQUIRE_PYTHON_ONNX";

    // onnx.checker.check_model(full_check=True) includes strict shape inference. Op types are domain-qualified, in
    // order of first use, as OnnxGraphBuilder.OpTypes() writes them.
    private const string Script = """
        import sys, json, onnx
        m = onnx.load(sys.argv[1])
        onnx.checker.check_model(m, full_check=True)
        ops = []
        for n in m.graph.node:
            name = n.domain + '.' + n.op_type if n.domain else n.op_type
            if name not in ops:
                ops.append(name)
        print(json.dumps({'onnx': onnx.__version__, 'ir_version': m.ir_version,
                          'opsets': {o.domain: o.version for o in m.opset_import}, 'op_types': ops}))
        """;

    private static readonly Lazy<bool> s_available = new(() =>
    {
        if (!File.Exists(Python))
            return false;
        try
        {
            return RepoPaths.Run(Python, Path.GetTempPath(), "-c", "import onnx").Exit == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    /// <summary>Returns when python3 can import onnx; otherwise skips the test, or fails it when <see cref="RequireVariable"/> is 1.</summary>
    public static void Require()
    {
        if (SkipReason(s_available.Value, Environment.GetEnvironmentVariable(RequireVariable)) is { } reason)
            Assert.Skip(reason);
    }

    /// <summary>
    /// The decision of <see cref="Require"/>, apart from the machine (so it can be tested): null when the checker can
    /// run, a failed assertion when it cannot and <paramref name="requireValue"/> is "1", else why the test is skipped.
    /// </summary>
    internal static string? SkipReason(bool importable, string? requireValue)
    {
        if (importable)
            return null;
        if (requireValue == "1")
            Assert.Fail($"{RequireVariable}=1 but `{Python} -c \"import onnx\"` fails; install python3-onnx.");
        return $"python3-onnx is not installed (`{Python} -c \"import onnx\"` fails), so onnx.checker did not run; " +
            $"set {RequireVariable}=1 to make this a failure.";
    }

    /// <summary>Runs onnx.checker (full check) on <paramref name="path"/>: whether it passed, and its output or error.</summary>
    public static (bool Ok, string Message) Check(string path)
    {
        Require();
        var (exit, text) = RepoPaths.Run(Python, Path.GetTempPath(), "-c", Script, path);
        return (exit == 0, text.Trim());
    }

    /// <summary>Runs onnx.checker (full check) on <paramref name="path"/>, failing the test if it fails, and describes the file.</summary>
    public static OnnxDescription Describe(string path)
    {
        var (ok, text) = Check(path);
        Assert.True(ok, $"onnx.checker failed on {path}: {text}");
        // stdout (one JSON line) comes first; anything python wrote to stderr follows it.
        using var doc = JsonDocument.Parse(text.Split('\n')[0]);
        var root = doc.RootElement;
        return new OnnxDescription(
            root.GetProperty("onnx").GetString()!,
            root.GetProperty("ir_version").GetInt64(),
            root.GetProperty("opsets").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()),
            [.. root.GetProperty("op_types").EnumerateArray().Select(e => e.GetString()!)]);
    }
}
