using System.Diagnostics;
using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary>The README's C# quick start is samples/QuickStart/Program.cs, and it runs: it cannot drift from the libraries.</summary>
public class QuickStartTests
{
    private static string ProgramText => File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "QuickStart", "Program.cs"));

    [Fact]
    public void Readme_ShowsTheQuickStartProgramVerbatim()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var start = readme.IndexOf("```csharp\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no ```csharp block");
        start += "```csharp\n".Length;
        var end = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        Assert.Equal(ProgramText.TrimEnd('\n'), readme[start..end]);
    }

    [Fact]
    public async Task QuickStart_TrainsSavesLoadsPredictsAndExportsEveryModel()
    {
        using var dir = new TestData.TempDir();
        var dll = Path.Combine(AppContext.BaseDirectory, "QuickStart.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(dir.Root);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var stdoutTask = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderrTask = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var (stdout, stderr) = (await stdoutTask, await stderrTask);
        Assert.True(process.ExitCode == 0, stderr + stdout);
        foreach (var file in new[] { "click_model.json", "click.onnx", "roas_model.json", "roas.onnx", "sequence_model.json", "sequence.onnx" })
            Assert.True(new FileInfo(Path.Combine(dir.Root, file)).Length > 0, file + " was not written");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        // The click model learns: cross-validated AUC well above chance on generated sessions.
        var auc = double.Parse(lines[0].Split("CV ROC AUC ")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(auc, 0.7, 1.0);
        Assert.StartsWith("roas: held-out R² ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("sequence: test accuracy ", lines[2], StringComparison.Ordinal);
    }
}
