using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Exania.Onnx.Tests;

/// <summary>The repository root: the nearest folder above the test binaries that holds Exania.slnx.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Exania.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Exania.slnx.");
    }
}

/// <summary>Runs a program to completion, capturing its output; fails the test on timeout.</summary>
internal static class ProcessRunner
{
    public static (int Exit, string Out, string Error) Run(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, int timeoutSeconds = 300)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in {timeoutSeconds} s.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>What js/tools/onnx_run.mjs reports for one run.</summary>
internal sealed record OnnxRun(
    IReadOnlyDictionary<string, (string Type, long[] Dims, double[] Data)> Outputs,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> OpTypes,
    IReadOnlyDictionary<string, long> Opsets,
    long IrVersion);

/// <summary>Scores ONNX files with onnxruntime-node through js/tools/onnx_run.mjs.</summary>
internal static class NodeOnnx
{
    private static readonly Lock s_install = new();
    private static bool s_installed;

    public static string Script => Path.Combine(Repo.Root, "js", "tools", "onnx_run.mjs");

    /// <summary>Installs js/node_modules once (npm ci --ignore-scripts) if onnxruntime-node is missing.</summary>
    public static void EnsureInstalled()
    {
        lock (s_install)
        {
            if (s_installed)
                return;
            var js = Path.Combine(Repo.Root, "js");
            // A file lock too: other test processes (the browser tests) may install at the same time.
            using (new FileStream(Path.Combine(Path.GetTempPath(), "exania-js-npm-ci.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                if (!Directory.Exists(Path.Combine(js, "node_modules", "onnxruntime-node")))
                {
                    var (exit, output, error) = ProcessRunner.Run("npm", ["ci", "--ignore-scripts"], js, timeoutSeconds: 600);
                    Assert.True(exit == 0, $"npm ci --ignore-scripts failed ({exit}):\n{output}\n{error}");
                }
            }
            s_installed = true;
        }
    }

    /// <summary>Runs <paramref name="model"/> on one float input of shape [rows, columns].</summary>
    public static OnnxRun Run(string model, string inputName, float[] rowMajor, int rows, int columns)
    {
        EnsureInstalled();
        var work = Path.Combine(Path.GetTempPath(), $"exania-onnx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var input = Path.Combine(work, "input.json");
            var output = Path.Combine(work, "output.json");
            var json = new StringBuilder();
            json.Append("{\"inputs\":{\"").Append(inputName).Append("\":{\"dims\":[").Append(rows).Append(',').Append(columns).Append("],\"data\":[");
            for (var i = 0; i < rowMajor.Length; i++)
            {
                if (i > 0) json.Append(',');
                // The float's exact value as a round-trip double: JavaScript parses it to the same float.
                json.Append(((double)rowMajor[i]).ToString("R", CultureInfo.InvariantCulture));
            }
            json.Append("]}}}");
            File.WriteAllText(input, json.ToString());
            var (exit, stdout, stderr) = ProcessRunner.Run("node", [Script, model, input, output]);
            Assert.True(exit == 0, $"onnx_run.mjs failed ({exit}):\n{stdout}\n{stderr}");
            return Parse(File.ReadAllText(output));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static OnnxRun Parse(string text)
    {
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        var outputs = new Dictionary<string, (string, long[], double[])>();
        foreach (var o in root.GetProperty("outputs").EnumerateObject())
        {
            outputs[o.Name] = (
                o.Value.GetProperty("type").GetString()!,
                [.. o.Value.GetProperty("dims").EnumerateArray().Select(d => d.GetInt64())],
                [.. o.Value.GetProperty("data").EnumerateArray().Select(d => d.GetDouble())]);
        }
        var metadata = root.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var ops = root.GetProperty("op_types").EnumerateArray().Select(e => e.GetString()!).ToList();
        var opsets = root.GetProperty("opsets").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        return new OnnxRun(outputs, metadata, ops, opsets, root.GetProperty("ir_version").GetInt64());
    }
}

/// <summary>The onnx Python package's checker, when it is installed.</summary>
internal static class PythonOnnx
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Set to 1 (CI does) to fail, rather than skip, when python3 cannot import onnx.</summary>
    public const string RequireVariable = "EXANIA_REQUIRE_PYTHON_ONNX";

    private static readonly Lazy<bool> s_available = new(() =>
    {
        if (!File.Exists(Python))
            return false;
        try
        {
            return ProcessRunner.Run(Python, ["-c", "import onnx"], timeoutSeconds: 120).Exit == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    /// <summary>
    /// True when the checker can run. When it cannot, fails if <see cref="RequireVariable"/> is 1, and otherwise
    /// writes why to the test output and returns false so the caller returns.
    /// </summary>
    public static bool Available(ITestOutputHelper output) =>
        Gate(s_available.Value, Environment.GetEnvironmentVariable(RequireVariable), output);

    /// <summary>The decision of <see cref="Available"/>, apart from the machine (so it can be tested).</summary>
    internal static bool Gate(bool importable, string? requireValue, ITestOutputHelper output)
    {
        if (importable)
            return true;
        Assert.False(requireValue == "1", $"{RequireVariable}=1 but `{Python} -c \"import onnx\"` fails; install python3-onnx.");
        output.WriteLine($"python3 cannot import onnx; onnx.checker not run (set {RequireVariable}=1 to make this a failure).");
        return false;
    }

    /// <summary>Runs onnx.checker.check_model(full_check=True) (strict shape inference included) on <paramref name="path"/>.</summary>
    public static (bool Ok, string Message) Check(string path)
    {
        const string script = "import sys, onnx\nm = onnx.load(sys.argv[1])\nonnx.checker.check_model(m, full_check=True)\nprint('ok', onnx.__version__)";
        var (exit, stdout, stderr) = ProcessRunner.Run(Python, ["-c", script, path], timeoutSeconds: 120);
        return (exit == 0, stdout + stderr);
    }
}
