using Exania.Testing;

namespace Exania.Cli.Tests;

/// <summary><c>exania segment</c> and <c>exania predict segment</c> end to end: tables and events, saved models, clear errors.</summary>
[Collection("console")]
public class SegmentCliTests
{
    private const string Spending = "Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen";

    private static string Wholesale => TestData.Path("wholesale_customers.csv");

    private static readonly string[] s_taobao =
        ["--events", TestData.Path("taobao_head3000.csv"), "--no-header", "--columns", "user_id,item_id,category,action,timestamp"];

    [Fact]
    public void Segment_Table_ChoosesKBySilhouette_SavesAModelThatAssignsTheSame()
    {
        using var dir = new TestData.TempDir();
        var run = CliRunner.Run("segment", "--table", Wholesale, "--delimiter", ";", "--columns", Spending, "--log1p", "--k", "2..4",
            "--out", dir.File("model"), "--json");
        Assert.Equal(0, run.Exit);
        var json = run.Json!;
        Assert.Equal("segment", (string)json["command"]!);
        Assert.Equal(2, (int)json["k"]!);
        Assert.Equal("silhouette", (string)json["k_chosen_by"]!);
        Assert.Equal(3, json["candidates"]!.AsArray().Count);
        Assert.Equal(440, (int)json["rows"]!);
        Assert.InRange((double)json["inertia"]!, 1844.0641 * 0.99, 1844.0641 * 1.01); // scikit-learn's, see SegmentationTests
        var names = json["segments"]!.AsArray().Select(s => (string)s!["name"]!).Order().ToList();
        Assert.Equal(["high Detergents_Paper, high Grocery", "low Detergents_Paper, low Grocery"], names);
        Assert.True(File.Exists(dir.File("model/segment_model.json")));
        Assert.True(File.Exists(dir.File("model/segment_results.json")));
        var assignments = File.ReadAllLines(dir.File("model/segment_assignments.csv"));
        Assert.Equal("row,segment,segment_name", assignments[0]);
        Assert.Equal(441, assignments.Length);

        var predict = CliRunner.Run("predict", "segment", "--model", dir.File("model"), "--table", Wholesale, "--delimiter", ";",
            "--out", dir.File("again.csv"), "--json");
        Assert.Equal(0, predict.Exit);
        Assert.Equal(440, (int)predict.Json!["rows"]!);
        Assert.Equal(assignments, File.ReadAllLines(dir.File("again.csv")));
    }

    [Fact]
    public void Segment_Events_ProfilesUsers_AndPredictAssignsThem()
    {
        using var dir = new TestData.TempDir();
        var run = CliRunner.Run(["segment", .. s_taobao, "--k", "3", "--out", dir.File("m"), "--json"]);
        Assert.Equal(0, run.Exit);
        var json = run.Json!;
        Assert.Equal("events", (string)json["source"]!);
        var segments = json["segments"]!.AsArray();
        Assert.Equal(3, segments.Count);
        Assert.All(segments, s => Assert.False(string.IsNullOrEmpty((string)s!["name"]!)));
        Assert.All(segments, s => Assert.NotNull(s!["conversion_rate"]));
        Assert.Equal((int)json["rows"]!, segments.Sum(s => (int)s!["size"]!));
        Assert.NotNull(json["input"]);

        var predict = CliRunner.Run(["predict", "segment", "--model", dir.File("m"), .. s_taobao, "--out", dir.File("users.csv"), "--json"]);
        Assert.Equal(0, predict.Exit);
        Assert.Equal(File.ReadAllLines(dir.File("m/segment_assignments.csv")), File.ReadAllLines(dir.File("users.csv")));

        var wrongInput = CliRunner.Run("predict", "segment", "--model", dir.File("m"), "--table", Wholesale, "--delimiter", ";", "--out", dir.File("x.csv"), "--json");
        Assert.Equal(2, wrongInput.Exit);
    }

    [Fact]
    public void Segment_SameSeed_SameModelBytes()
    {
        using var dir = new TestData.TempDir();
        string[] common = ["segment", "--table", Wholesale, "--delimiter", ";", "--columns", Spending, "--log1p", "--k", "3", "--seed", "5", "--json"];
        Assert.Equal(0, CliRunner.Run([.. common, "--out", dir.File("a"), "--threads", "1"]).Exit);
        Assert.Equal(0, CliRunner.Run([.. common, "--out", dir.File("b"), "--threads", "2"]).Exit);
        Assert.Equal(File.ReadAllText(dir.File("a/segment_model.json")), File.ReadAllText(dir.File("b/segment_model.json")));
    }

    [Theory]
    [InlineData("--columns", "Fresh,Nope", "'Nope' is not in the table")]
    [InlineData("--columns", "Fresh,Channel,Region,Milk", "")]
    [InlineData("--k", "1000", "--k")]
    [InlineData("--k", "two", "--k")]
    [InlineData("--k", "1..3", "--k")]
    [InlineData("--restarts", "0", "--restarts")]
    [InlineData("--delimiter", ";;", "--delimiter")]
    public void Segment_BadTableOption_IsAClearUsageError(string flag, string value, string expected)
    {
        string[] args = ["segment", "--table", Wholesale, "--delimiter", ";", "--columns", Spending, "--json"];
        var index = Array.IndexOf(args, flag);
        if (index >= 0) args[index + 1] = value;
        else args = [.. args, flag, value];
        var run = CliRunner.Run(args);
        if (expected.Length == 0)
        {
            Assert.Equal(0, run.Exit); // Channel and Region are numeric columns: accepted
            return;
        }
        Assert.Equal(2, run.Exit);
        Assert.Contains(expected, (string)run.Json!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Segment_BadData_GetsAClearMessage()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("t.csv"), "a,b,c,name\n1,5,7,x\n2,5,8,y\n,5,9,z\n10,5,1,w\n");
        File.WriteAllText(dir.File("empty.csv"), "");
        (string[] Args, string Message)[] cases =
        [
            (["--table", dir.File("t.csv"), "--columns", "a,b", "--k", "2"], "'b' is constant"),
            (["--table", dir.File("t.csv"), "--columns", "a,name", "--k", "2"], "'name' is not numeric"),
            (["--table", dir.File("t.csv"), "--columns", "a,c", "--k", "4"], "at most the number of rows (3)"),
            (["--table", dir.File("empty.csv"), "--k", "2"], "empty"),
            (["--table", dir.File("t.csv"), .. s_taobao], "not both"),
            (["--k", "2"], "Give either --events"),
            ([.. s_taobao, "--conversion", "purchase"], "No event is a conversion"),
        ];
        foreach (var (args, message) in cases)
        {
            var run = CliRunner.Run(["segment", .. args, "--json"]);
            Assert.Equal(2, run.Exit);
            Assert.Contains(message, (string)run.Json!["error"]!, StringComparison.Ordinal);
        }
        var skipped = CliRunner.Run("segment", "--table", dir.File("t.csv"), "--columns", "a,c", "--k", "2", "--json");
        Assert.Equal(0, skipped.Exit);
        Assert.Equal(1, (int)skipped.Json!["rows_skipped_missing"]!);
    }

    [Fact]
    public void BenchSegment_WithoutPeers_ReportsExaniasFigures()
    {
        using var dir = new TestData.TempDir();
        var run = CliRunner.Run("bench", "segment", "--rows", "3000", "--repeat", "1", "--work", dir.Root, "--json");
        Assert.Equal(0, run.Exit);
        var c = run.Json!["cases"]!.AsArray().Single()!;
        Assert.Equal(3000, (int)c["rows"]!);
        Assert.Equal(8, (int)c["k"]!);
        Assert.True((double)c["inertia"]! > 0);
        Assert.Null(c["peer"]);
        var none = CliRunner.Run("bench", "segment", "--rows", "0", "--json");
        Assert.Equal(2, none.Exit);
    }

    [Fact]
    public void Segment_Report_IsWritten_AndReportModelRedrawsItFromTheResults()
    {
        using var dir = new TestData.TempDir();
        var reportPath = dir.File("segments.html");
        var run = CliRunner.Run("segment", "--table", Wholesale, "--delimiter", ";", "--columns", Spending, "--log1p", "--k", "2..3",
            "--out", dir.File("model"), "--report", reportPath, "--json");
        Assert.True(run.Exit == 0, run.Error);
        Assert.Equal(reportPath, (string)run.Json!["report"]!);
        Assert.Null(run.Json["projection"]); // in the results file and the report, not the printed result
        var html = File.ReadAllText(reportPath);
        foreach (var chart in new[] { "sizes", "profile", "pca", "silhouette", "inertia" })
            Assert.Contains($"data-chart=\"{chart}\"", html, StringComparison.Ordinal);
        var results = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir.File("model/segment_results.json")))!;
        Assert.Equal(440, results["projection"]!["rows"]!.AsArray().Count);

        var again = CliRunner.Run("report", "--model", dir.File("model"), "--json");
        Assert.True(again.Exit == 0, again.Error);
        Assert.Equal("segment", (string)again.Json!["kind"]!);
        Assert.Contains("data-chart=\"pca\"", File.ReadAllText((string)again.Json["report"]!), StringComparison.Ordinal);

        var refused = CliRunner.Run("segment", "--table", Wholesale, "--delimiter", ";", "--columns", Spending, "--report", Wholesale, "--json");
        Assert.Equal(2, refused.Exit);
    }
}
