using Exania.Click;
using Exania.Core;

namespace Exania.Cli;

/// <summary>
/// Writes the in-browser deployment of a click model: the ONNX graph, the JavaScript module (InteractionPredictor and
/// InteractionTracker), the demo page and the plain-wasm onnxruntime-web files, all side by side so the folder works
/// offline from any static server (no CDN).
/// </summary>
internal static class WebExport
{
    public const string ModelFile = "interaction_predictor.onnx";

    /// <summary>The plain wasm build of onnxruntime-web (the WebGPU/JSEP builds drop the ai.onnx.ml operators).</summary>
    public static readonly string[] OrtFiles = ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"];

    /// <summary>
    /// Every embedded web/ file (the ES modules of js/src, which import each other, and demo.html); the entry module
    /// and the page are named so that a build without them fails below instead of writing a folder that cannot load.
    /// </summary>
    private static readonly string[] s_embedded = [.. typeof(WebExport).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("web/", StringComparison.Ordinal)).Select(n => n["web/".Length..])
        .Union(["interaction_predictor.js", "demo.html"]).Order(StringComparer.Ordinal)];

    /// <summary>Writes the folder; returns the files written with their sizes.</summary>
    /// <exception cref="FileNotFoundException">The onnxruntime-web files are not found.</exception>
    public static List<(string Name, long Bytes)> Write(ClickModel model, string folder, string? ortDirectory)
    {
        var ort = FindOrtDirectory(ortDirectory);
        Directory.CreateDirectory(folder);
        var written = new List<(string, long)>();
        var (_, onnxBytes) = ClickModelOnnxExporter.Save(model, Path.Combine(folder, ModelFile));
        written.Add((ModelFile, onnxBytes));
        var assembly = typeof(WebExport).Assembly;
        foreach (var name in s_embedded)
        {
            using var resource = assembly.GetManifestResourceStream("web/" + name)
                ?? throw new InvalidOperationException($"The CLI was built without its embedded {name}.");
            AtomicFile.Write(Path.Combine(folder, name), resource.CopyTo);
            written.Add((name, resource.Length));
        }
        foreach (var name in OrtFiles)
        {
            var source = Path.Combine(ort, name);
            using var input = File.OpenRead(source);
            AtomicFile.Write(Path.Combine(folder, name), input.CopyTo);
            written.Add((name, input.Length));
        }
        return written;
    }

    /// <summary>
    /// <paramref name="ortDirectory"/> when given; otherwise <c>js/node_modules/onnxruntime-web/dist</c> in the current
    /// folder, the executable's folder, or any folder above them (a checkout after <c>npm ci</c> in js/).
    /// </summary>
    public static string FindOrtDirectory(string? ortDirectory)
    {
        if (ortDirectory is not null)
        {
            if (!OrtFiles.All(f => File.Exists(Path.Combine(ortDirectory, f))))
                throw new FileNotFoundException($"--ort-dir '{ortDirectory}' does not hold {string.Join(", ", OrtFiles)} (onnxruntime-web's dist folder).");
            return ortDirectory;
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "js", "node_modules", "onnxruntime-web", "dist");
                if (OrtFiles.All(f => File.Exists(Path.Combine(candidate, f))))
                    return candidate;
            }
        }
        throw new FileNotFoundException(
            "onnxruntime-web was not found: run `npm ci --ignore-scripts` in the repository's js/ folder, or pass --ort-dir <onnxruntime-web/dist>.");
    }

    /// <summary>
    /// Like <see cref="FindOrtDirectory"/>, but on a fresh checkout restores the repository's <c>js/</c> packages first
    /// (<c>npm ci --ignore-scripts</c>, from js/package-lock.json; npm's output goes to stderr so <c>--json</c> stays
    /// clean). Used by <c>pipeline</c>, whose web demo must appear on a fresh clone.
    /// </summary>
    /// <exception cref="FileNotFoundException">No js/package-lock.json above the current or executable folder, npm is missing, or npm ci failed; the message says which.</exception>
    public static string FindOrRestoreOrtDirectory()
    {
        try
        {
            return FindOrtDirectory(null);
        }
        catch (FileNotFoundException) when (FindJsFolder() is { } js)
        {
            RestoreJsPackages(js);
            return FindOrtDirectory(null);
        }
    }

    private static string? FindJsFolder()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "js", "package-lock.json")))
                    return Path.Combine(dir.FullName, "js");
        return null;
    }

    private static void RestoreJsPackages(string jsFolder)
    {
        Console.Error.WriteLine($"onnxruntime-web is not installed: running `npm ci --ignore-scripts` in {jsFolder}");
        var start = new System.Diagnostics.ProcessStartInfo("npm")
        {
            WorkingDirectory = jsFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "ci", "--ignore-scripts", "--no-audit", "--no-fund" })
            start.ArgumentList.Add(argument);
        System.Diagnostics.Process process;
        try
        {
            process = System.Diagnostics.Process.Start(start) ?? throw new FileNotFoundException("npm could not be started.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FileNotFoundException($"onnxruntime-web is not installed and npm could not be run ({e.Message}); install Node.js and npm, then run `npm ci --ignore-scripts` in {jsFolder}.", e);
        }
        using (process)
        {
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
            {
                process.Kill(entireProcessTree: true);
                throw new FileNotFoundException($"`npm ci` in {jsFolder} did not finish within 10 minutes.");
            }
            if (process.ExitCode != 0)
                throw new FileNotFoundException($"`npm ci --ignore-scripts` in {jsFolder} failed with exit code {process.ExitCode} (is the npm registry reachable?).");
        }
    }
}
