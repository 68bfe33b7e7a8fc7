using Exania.Reports;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>Writing the HTML report of a command (<c>--report</c>) the same way everywhere.</summary>
internal static class CliReports
{
    /// <summary>Saves <paramref name="report"/> atomically to <paramref name="path"/>, says where, and returns the path for the JSON result.</summary>
    public static string Write(CliOutput cli, string path, HtmlReport report)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        report.Save(path);
        cli.Info($"report → {Markup.Escape(path)}");
        return path;
    }
}
