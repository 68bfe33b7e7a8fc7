using System.Text.RegularExpressions;
using Exania.Testing;

namespace Exania.Browser.Tests;

/// <summary>
/// Runs each Node test file of js/test (golden vectors, tracker, predictor) so that the README's one test command
/// covers the JavaScript side too.
/// </summary>
public sealed partial class JavaScriptSuiteTests(DemoPageFixture fixture, ITestOutputHelper output) : IClassFixture<DemoPageFixture>
{
    public static TheoryData<string> TestFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Js, "test"), "*.test.mjs").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public void NodeTestFile_Passes(string file)
    {
        RepoPaths.EnsureNodeModules();
        // The predictor tests also score the model this fixture exported (EXANIA_ONNX_FIXTURE).
        var environment = new Dictionary<string, string> { ["EXANIA_ONNX_FIXTURE"] = fixture.OnnxPath };
        var (exit, text) = RepoPaths.Run("node", RepoPaths.Js, environment, "--test", "--test-reporter=tap", Path.Combine("test", file));
        output.WriteLine(text.Length > 4000 ? text[^4000..] : text);
        var pass = int.Parse(PassCount().Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var fail = int.Parse(FailCount().Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, fail);
        Assert.True(pass > 0, "the file ran at least one test");
        Assert.Equal(0, exit);
        Assert.DoesNotMatch(@"(?m)^# skipped [1-9]", text.Replace("\r", "", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^# pass (\d+)", RegexOptions.Multiline)]
    private static partial Regex PassCount();

    [GeneratedRegex(@"^# fail (\d+)", RegexOptions.Multiline)]
    private static partial Regex FailCount();
}
