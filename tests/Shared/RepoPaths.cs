using System.Diagnostics;

namespace Exania.Testing;

/// <summary>Locates the repository and prepares the JavaScript side (js/node_modules) for tests that need Node.</summary>
internal static class RepoPaths
{
    private static readonly Lock s_npmLock = new();

    /// <summary>The folder holding Exania.slnx, found by walking up from the test binaries.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Exania.slnx")))
                    return dir.FullName;
            throw new DirectoryNotFoundException("Exania.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Js => Path.Combine(Root, "js");

    /// <summary>Installs js/node_modules with <c>npm ci --ignore-scripts</c> unless present (once per process, locked).</summary>
    public static void EnsureNodeModules()
    {
        lock (s_npmLock)
        {
            if (Directory.Exists(Path.Combine(Js, "node_modules", "onnxruntime-web")) &&
                Directory.Exists(Path.Combine(Js, "node_modules", "onnxruntime-node")))
                return;
            var (exit, output) = Run("npm", Js, "ci", "--ignore-scripts", "--no-audit", "--no-fund");
            if (exit != 0)
                throw new InvalidOperationException($"npm ci in {Js} failed ({exit}): {output}");
        }
    }

    /// <summary>Runs a program to completion; returns its exit code and its stdout + stderr.</summary>
    public static (int Exit, string Output) Run(string program, string workingDirectory, params string[] arguments) =>
        Run(program, workingDirectory, new Dictionary<string, string>(), arguments);

    /// <summary>Runs a program with extra environment variables; returns its exit code and its stdout + stderr.</summary>
    public static (int Exit, string Output) Run(string program, string workingDirectory, IReadOnlyDictionary<string, string> environment,
        params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
