using System.Text.Json.Nodes;
using Exania.Cli;

namespace Exania.Testing;

/// <summary>What one in-process <c>exania</c> call did.</summary>
internal sealed record CliResult(int Exit, string Out, string Error)
{
    /// <summary>The JSON object on stdout when stdout is exactly one line of it (a <c>--json</c> run), else null.</summary>
    public JsonObject? Json
    {
        get
        {
            var lines = Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.Length == 1 ? JsonNode.Parse(lines[0])?.AsObject() : null;
        }
    }
}

/// <summary>
/// Runs the CLI in-process with stdout and stderr captured. Console redirection is process-wide, so test classes that
/// use it share the non-parallel "console" collection.
/// </summary>
internal static class CliRunner
{
    public static CliResult Run(params string[] args)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var exit = ExaniaApp.Run(args);
            return new CliResult(exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
