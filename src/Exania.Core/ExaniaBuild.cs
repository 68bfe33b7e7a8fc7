using System.Reflection;

namespace Exania.Core;

/// <summary>The Exania version and the git commit it was built from, as reports and model files record them.</summary>
public static class ExaniaBuild
{
    private static readonly (string Version, string Commit) Parts = Read();

    /// <summary>The package version, e.g. <c>0.1.0</c>.</summary>
    public static string Version => Parts.Version;

    /// <summary>The commit the build came from (the SDK's source revision), or <c>unknown</c> when built outside git.</summary>
    public static string Commit => Parts.Commit;

    /// <summary>The commit's first 7 characters, as <c>git log --oneline</c> shows it.</summary>
    public static string ShortCommit => Commit.Length > 7 && Commit != "unknown" ? Commit[..7] : Commit;

    private static (string, string) Read()
    {
        var informational = typeof(ExaniaBuild).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? (informational, "unknown") : (informational[..plus], informational[(plus + 1)..]);
    }
}
