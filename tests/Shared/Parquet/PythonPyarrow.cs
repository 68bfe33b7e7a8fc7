using System.Text.Json;

namespace Exania.Testing;

/// <summary>
/// pyarrow and pandas, an independent Parquet reader and writer, in the Python interpreter that
/// <see cref="PythonVariable"/> names (scripts/test.sh makes a virtual environment and installs them with pip). When the
/// variable is unset or that interpreter cannot import them, a test that needs them is skipped, or fails when
/// <see cref="RequireVariable"/> is 1.
/// </summary>
internal static class PythonPyarrow
{
    /// <summary>The Python interpreter (e.g. <c>.venv-test/bin/python</c>) with pyarrow and pandas installed.</summary>
    public const string PythonVariable = "EXANIA_PYARROW_PYTHON";

    /// <summary>Set to 1 to fail, rather than skip, when pyarrow cannot be used.</summary>
    public const string RequireVariable = "EXANIA_REQUIRE_PYARROW";

    private static readonly Lazy<string?> s_python = new(() =>
    {
        var python = Environment.GetEnvironmentVariable(PythonVariable);
        if (string.IsNullOrEmpty(python) || !File.Exists(python))
            return null;
        try
        {
            return RepoPaths.Run(python, Path.GetTempPath(), "-c", "import pyarrow, pandas").Exit == 0 ? python : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    });

    /// <summary>The interpreter; otherwise skips the test, or fails it when <see cref="RequireVariable"/> is 1.</summary>
    public static string Require()
    {
        if (SkipReason(s_python.Value is not null, Environment.GetEnvironmentVariable(PythonVariable), Environment.GetEnvironmentVariable(RequireVariable)) is { } reason)
            Assert.Skip(reason);
        return s_python.Value!;
    }

    /// <summary>
    /// The decision of <see cref="Require"/>, apart from the machine (so it can be tested): null when pyarrow can be
    /// used, a failed assertion when it cannot and <paramref name="requireValue"/> is "1", else why the test is skipped.
    /// </summary>
    internal static string? SkipReason(bool importable, string? python, string? requireValue)
    {
        if (importable)
            return null;
        var why = string.IsNullOrEmpty(python)
            ? $"{PythonVariable} is not set"
            : $"`{python} -c \"import pyarrow, pandas\"` fails";
        if (requireValue == "1")
            Assert.Fail($"{RequireVariable}=1 but {why}; scripts/test.sh installs pyarrow and pandas into .venv-test with pip.");
        return $"pyarrow is not available ({why}), so the independent Parquet check did not run; set {RequireVariable}=1 to make this a failure.";
    }

    /// <summary>Runs <paramref name="script"/> with the arguments; fails the test when it exits non-zero.</summary>
    public static string Run(string script, params string[] arguments)
    {
        var python = Require();
        var (exit, output) = RepoPaths.Run(python, Path.GetTempPath(), ["-c", script, .. arguments]);
        Assert.True(exit == 0, $"python exited {exit}: {output}");
        return output;
    }

    /// <summary>Runs a script that prints one JSON object as its first line, and parses it.</summary>
    public static JsonDocument RunJson(string script, params string[] arguments) =>
        JsonDocument.Parse(Run(script, arguments).Split('\n')[0]);
}
