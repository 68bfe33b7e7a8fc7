using System.Text.Json.Nodes;
using Exania.Testing;

namespace Exania.Sequence.Tests;

[CollectionDefinition("console", DisableParallelization = true)]
public class ConsoleCollection;

/// <summary><c>sequences</c>, <c>train sequence</c> and <c>predict sequence</c>, end to end through the CLI.</summary>
[Collection("console")]
public sealed class SequenceCliTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "exania-seq-tests-" + Guid.NewGuid().ToString("N"));

    public SequenceCliTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string File(string name) => Path.Combine(_root, name);

    private static (int Exit, JsonObject? Json, string Error) Run(params string[] args)
    {
        var result = CliRunner.Run(args);
        return (result.Exit, result.Json, result.Error);
    }

    /// <summary>A DIGINETICA-like file: `;`-separated, no action column, dates plus milliseconds within the session.</summary>
    private string ItemViews()
    {
        var path = File("views.csv");
        var random = new Random(5);
        var lines = new List<string> { "session_id;user_id;item_id;timeframe;eventdate" };
        for (var s = 1; s <= 240; s++)
        {
            // Items come in 12 families of 5; a session browses one family and sometimes returns to an item.
            var family = random.Next(12);
            var length = 2 + random.Next(5);
            for (var i = 0; i < length; i++)
            {
                var item = i > 1 && random.NextDouble() < 0.3 ? family * 5 + i % 2 : family * 5 + random.Next(5);
                lines.Add($"{s};NA;{1000 + item};{i * 45_000 + random.Next(1000)};2016-05-{1 + s % 28:00}");
            }
        }
        System.IO.File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void TrainAndEvaluate_ItemTarget_RankTheModelBesideEveryBaseline_OnTheSameSamples()
    {
        var views = ItemViews();
        string[] read = ["--events", views, "--delimiter", ";", "--map", "timestamp=eventdate", "--time-offset", "timeframe:ms", "--target", "item"];
        var (exit, json, error) = Run(["train", "sequence", .. read, "--out", File("im"), "--epochs", "3", "--emb", "8", "--hidden", "16", "--json"]);
        Assert.True(exit == 0, error);
        var ranking = json!["ranking"]!.AsArray();
        Assert.Equal(["model", "POP", "S-POP", "Markov", "SKNN", "V-SKNN"], ranking.Select(r => (string)r!["method"]!));
        Assert.All(ranking, r => Assert.Equal((int)json["test_samples"]!, (int)r!["samples"]!));
        Assert.True((bool)json["params"]!["session_priors"]!);
        Assert.Equal("mrr", (string)json["params"]!["early_stopping"]!);
        // The families make the neighbours informative: the model must rank far better than popularity.
        var model = ranking[0]!["seen"]!;
        Assert.True((double)model["mrr_at_20"]! > (double)ranking[1]!["seen"]!["mrr_at_20"]! + 0.1, ranking.ToJsonString());
        foreach (var k in new[] { 1, 5, 10, 20 })
            Assert.True((double)model[$"recall_at_{k}"]! >= (double)ranking[0]!["all"]![$"recall_at_{k}"]!);

        // evaluate sequence reproduces the split and the baselines' figures, and ranks the saved model identically.
        (exit, json, error) = Run(["evaluate", "sequence", .. read, "--model", File("im"), "--json"]);
        Assert.True(exit == 0, error);
        Assert.Equal(ranking.ToJsonString(), json!["ranking"]!.ToJsonString());
        // Another seed draws another vocabulary: the model is refused, not silently mis-scored.
        (exit, _, error) = Run(["evaluate", "sequence", .. read, "--model", File("im"), "--seed", "4", "--json"]);
        Assert.Equal(2, exit);
        // Time split and a separate test file.
        (exit, json, error) = Run(["evaluate", "sequence", .. read, "--split-by", "time", "--test-days", "5", "--json"]);
        Assert.True(exit == 0, error);
        Assert.Equal("time", (string)json!["data"]!["split_by"]!);
        (exit, json, error) = Run(["evaluate", "sequence", .. read, "--test-events", views, "--validation", "0", "--json"]);
        Assert.True(exit == 0, error);
        Assert.Equal(240, (int)json!["data"]!["split_units"]!["test"]!);
    }

    [Fact]
    public void Sequences_Train_Predict_EndToEnd()
    {
        var events = File("events.csv");
        Assert.Equal(0, Run("generate", "--sessions", "300", "--seed", "1", "--out", events, "--json").Exit);

        var (exit, json, error) = Run("sequences", "--events", events, "--out", File("s"), "--max-len", "10", "--json");
        Assert.True(exit == 0, error);
        var samples = json!["samples"]!;
        var lines = System.IO.File.ReadAllLines(File("s/train.csv"));
        Assert.Equal("session_id,target,actions,log_gaps", lines[0]);
        Assert.Equal((int)samples["train"]!, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.True(l.Split(',')[2].Split(' ').Length <= 10));
        Assert.Equal(300, (int)json["sessions"]!);

        (exit, json, error) = Run("train", "sequence", "--events", events, "--out", File("m"), "--epochs", "2", "--emb", "8", "--hidden", "16",
            "--max-len", "20", "--layers", "2", "--json");
        Assert.True(exit == 0, error);
        foreach (var key in new[] { "accuracy", "markov_accuracy", "majority_accuracy", "top3_accuracy", "macro_f1", "weighted_f1" })
            Assert.InRange((double)json![key]!, 0.0, 1.0);
        Assert.True((double)json!["top3_accuracy"]! >= (double)json["accuracy"]!);
        Assert.True((double)json["seconds_per_epoch"]! > 0);
        var results = JsonNode.Parse(System.IO.File.ReadAllText(File("m/sequence_results.json")))!;
        var confusion = results["test"]!["confusion_matrix"]!["rows_true_columns_predicted"]!.AsArray();
        Assert.Equal((int)json["test_samples"]!, confusion.Sum(row => row!.AsArray().Sum(c => (int)c!)));

        System.IO.File.WriteAllText(File("prefix.csv"),
            "user_id,session_id,timestamp,action\nu1,p1,1700000100,click\nu1,p1,1700000103,scroll_down\nu1,p1,1700000101,hover\nu1,p1,1700000103,scroll_down\nu2,p2,1700000050,wait\n");
        (exit, json, error) = Run("predict", "sequence", "--model", File("m"), "--events", File("prefix.csv"), "--top", "3", "--attention", "--json");
        Assert.True(exit == 0, error);
        var predictions = json!["predictions"]!.AsArray();
        Assert.Equal(2, predictions.Count);
        var p1 = predictions.Single(p => (string)p!["session_id"]! == "p1")!;
        Assert.Equal(3, (int)p1["events"]!); // the exact duplicate is removed
        Assert.Equal(3, p1["top"]!.AsArray().Count);
        var top = p1["top"]!.AsArray().Select(t => (double)t!["probability"]!).ToArray();
        Assert.True(top[0] >= top[1] && top[1] >= top[2]);
        var attention = p1["attention"]!.AsArray();
        Assert.Equal(["click", "hover", "scroll_down"], attention.Select(a => (string)a!["action"]!));
        Assert.Equal(1.0, attention.Sum(a => (double)a!["weight"]!), 4);

        (exit, json, _) = Run("predict", "sequence", "--model", File("missing"), "--events", File("prefix.csv"), "--json");
        Assert.Equal(2, exit);
        Assert.NotNull(json!["error"]);
    }

    [Fact]
    public void TrainSequence_Report_IsWritten_AndReportModelRedrawsItFromTheResults()
    {
        var views = ItemViews();
        var reportPath = File("item-report.html");
        var (exit, json, error) = Run("train", "sequence", "--events", views, "--delimiter", ";", "--map", "timestamp=eventdate", "--time-offset", "timeframe:ms",
            "--target", "item", "--out", File("rm"), "--epochs", "2", "--emb", "8", "--hidden", "8", "--report", reportPath, "--json");
        Assert.True(exit == 0, error);
        Assert.Equal(reportPath, (string)json!["report"]!);
        var html = System.IO.File.ReadAllText(reportPath);
        Assert.Contains("data-report=\"sequence\"", html, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"attention\"", html, StringComparison.Ordinal);
        // Item targets have many classes: no per-class table, and the page says why.
        Assert.DoesNotContain("data-table=\"per-class\"", html, StringComparison.Ordinal);
        Assert.Contains("Not drawn:", html, StringComparison.Ordinal);
        var results = JsonNode.Parse(System.IO.File.ReadAllText(File("rm/sequence_results.json")))!;
        Assert.InRange(results["attention_examples"]!.AsArray().Count, 1, 8);

        (exit, json, error) = Run("report", "--model", File("rm"), "--json");
        Assert.True(exit == 0, error);
        Assert.Equal("sequence", (string)json!["kind"]!);
        var again = System.IO.File.ReadAllText((string)json["report"]!);
        Assert.Contains("data-chart=\"recall-at-k\"", again, StringComparison.Ordinal);

        (exit, json, error) = Run("train", "sequence", "--events", views, "--delimiter", ";", "--map", "timestamp=eventdate", "--target", "item",
            "--out", File("rm2"), "--epochs", "1", "--report", views, "--json");
        Assert.Equal(2, exit);
        Assert.Contains("never writes over", (string?)json?["error"] ?? error, StringComparison.Ordinal);
    }
}
