using System.Diagnostics;
using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary>
/// Issue #15, class 9: one JSON object and exit 2 for every bad argument under --json, flag names (not .NET parameter
/// text) in option errors, and no stack traces.
/// </summary>
[Collection("console")]
public class CliContractTests
{
    [Theory]
    [InlineData("windows", "--events", "e.csv", "--out", "w.csv", "--window", "abc", "--json")]
    [InlineData("windows", "--bogus", "--json")]
    [InlineData("train", "click", "--json")]
    public void ParseErrors_UnderJson_AreOneJsonObjectAndExitTwo(params string[] args)
    {
        var run = CliRunner.Run(args);
        Assert.Equal(2, run.Exit);
        var json = run.Json ?? throw new Xunit.Sdk.XunitException("stdout is not one JSON object: " + run.Out);
        Assert.Equal(2, (int)json["exit_code"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)json["error"]));
        Assert.DoesNotContain("Usage:", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionOutOfRange_NamesTheFlag_NotTheParameter()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), "user_id,session_id,timestamp,action\nu1,s1,10,click\n");
        var run = CliRunner.Run("windows", "--events", dir.File("e.csv"), "--out", dir.File("w.csv"), "--window", "-5");
        Assert.Equal(2, run.Exit);
        Assert.Contains("--window: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("(was -5)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value was", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ColumnsWithoutNoHeader_IsAnError_NotIgnored()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), "user_id,session_id,timestamp,action\nu1,s1,10,click\n");
        var run = CliRunner.Run("windows", "--events", dir.File("e.csv"), "--out", dir.File("w.csv"), "--columns", "a,b,c,d");
        Assert.Equal(2, run.Exit);
        Assert.Contains("--columns names the columns of a header-less CSV and needs --no-header", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Pipeline_TooFewSamplesForCrossValidation_SaysSoPlainly()
    {
        using var dir = new TestData.TempDir();
        var run = CliRunner.Run("pipeline", "--samples", "10", "--out", dir.Root, "--json");
        Assert.Equal(2, run.Exit);
        var error = (string)run.Json!["error"]!;
        Assert.Contains("needs rows of both classes", error, StringComparison.Ordinal);
        Assert.DoesNotContain("at most 0 folds", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ServeWeb_PortOutOfRange_ExitsTwoWithoutAStackTrace()
    {
        using var dir = new TestData.TempDir();
        var run = CliRunner.Run("serve-web", "--dir", dir.Root, "--port", "70000");
        Assert.Equal(2, run.Exit);
        Assert.Contains("--port 70000 is not a TCP port", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }
}

/// <summary>Issue #15, class 10: a long-running command stops cleanly on SIGTERM and SIGINT (loopback, bounded).</summary>
public class SignalTests
{
    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task ServeWeb_Signal_StopsCleanlyWithinSeconds(string signal)
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("demo.html"), "<html></html>");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "exania.dll"), "serve-web", "--dir", dir.Root, "--port", "0" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            // Serving once the address is printed.
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(timeout.Token)) is not null && !line.Contains("127.0.0.1", StringComparison.Ordinal))
            {
            }
            Assert.NotNull(line);
            using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync(timeout.Token);
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(stopped.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains($"SIG{signal}: stopping", await process.StandardError.ReadToEndAsync(timeout.Token), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
