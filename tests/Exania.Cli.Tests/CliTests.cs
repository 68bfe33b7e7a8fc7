using System.Text.Json.Nodes;
using Exania.Testing;

namespace Exania.Cli.Tests;

[CollectionDefinition("console", DisableParallelization = true)]
public class ConsoleCollection;

/// <summary>The command line end to end, in-process: exit codes, the one JSON object, the files written.</summary>
[Collection("console")]
public class CliTests
{
    private static (int Exit, string Out, string Error) Run(params string[] args)
    {
        var result = CliRunner.Run(args);
        return (result.Exit, result.Out, result.Error);
    }

    private static JsonObject Json(string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines); // exactly one JSON object on stdout
        return JsonNode.Parse(lines[0])!.AsObject();
    }

    [Fact]
    public void GenerateWindowsTrainPredict_EndToEnd()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("events.csv");
        var windows = dir.File("windows.csv");
        var models = dir.File("models");

        var gen = Run("generate", "--sessions", "1500", "--seed", "3", "--out", events, "--json");
        Assert.Equal(0, gen.Exit);
        Assert.Equal(1500, (int)Json(gen.Out)["sessions"]!);

        var win = Run("windows", "--events", events, "--out", windows, "--json");
        Assert.Equal(0, win.Exit);
        var w = Json(win.Out);
        var rows = (int)w["windows"]!;
        Assert.True(rows > 10_000, $"{rows} windows");
        Assert.InRange((double)w["positive_rate"]!, 0.03, 0.10);
        Assert.Equal((long)w["events"]!, (long)w["input"]!["accepted"]!);

        var train = Run("train", "click", "--features", windows, "--out", models, "--json");
        Assert.Equal(0, train.Exit);
        var t = Json(train.Out);
        Assert.True((double)t["auc_mean"]! > 0.75, $"AUC {t["auc_mean"]}");
        Assert.True((double)t["auc_std"]! >= 0);
        Assert.True((double)t["seconds"]! > 0);
        Assert.Equal(20, t["feature_importance"]!.AsArray().Count);
        Assert.True(File.Exists(Path.Combine(models, "click_model.json")));
        Assert.True(File.Exists(Path.Combine(models, "training_results.json")));

        var predictions = dir.File("predictions.csv");
        var predict = Run("predict", "click", "--model", models + "/", "--features", windows, "--out", predictions, "--json");
        Assert.Equal(0, predict.Exit);
        var lines = File.ReadAllLines(predictions);
        Assert.Equal("session_id,window_end,click_probability,predicted_click", lines[0]);
        Assert.Equal(rows + 1, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.InRange(double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture), 0, 1));
        Assert.True((double)Json(predict.Out)["auc"]! > 0.75);
    }

    [Fact]
    public void Generate_SameSeed_SameBytes_AndTrainingIsDeterministic()
    {
        using var dir = new TestData.TempDir();
        Assert.Equal(0, Run("generate", "--sessions", "300", "--seed", "11", "--out", dir.File("a.csv")).Exit);
        Assert.Equal(0, Run("generate", "--sessions", "300", "--seed", "11", "--out", dir.File("b.csv")).Exit);
        Assert.Equal(0, Run("generate", "--sessions", "300", "--seed", "12", "--out", dir.File("c.csv")).Exit);
        Assert.Equal(File.ReadAllBytes(dir.File("a.csv")), File.ReadAllBytes(dir.File("b.csv")));
        Assert.NotEqual(File.ReadAllBytes(dir.File("a.csv")), File.ReadAllBytes(dir.File("c.csv")));

        Assert.Equal(0, Run("windows", "--events", dir.File("a.csv"), "--out", dir.File("w.csv")).Exit);
        Assert.Equal(0, Run("train", "click", "--features", dir.File("w.csv"), "--out", dir.File("m1"), "--folds", "3").Exit);
        Assert.Equal(0, Run("train", "click", "--features", dir.File("w.csv"), "--out", dir.File("m2"), "--folds", "3").Exit);
        Assert.Equal(File.ReadAllText(dir.File("m1/click_model.json")), File.ReadAllText(dir.File("m2/click_model.json")));
    }

    [Fact]
    public void Windows_BadRows_FailByDefault_SkipWritesRejectsBesideOutput()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("bad.csv");
        File.WriteAllText(events, "user_id,session_id,timestamp,action,scroll_depth\n" +
            string.Concat(Enumerable.Range(0, 30).Select(i => $"u,s,{1700000000 + i * 3},scroll_down,0.{i % 10}\n")) +
            "u,s,1700000095,click,7\n" +
            "u,s,soon,click,\n");

        var fail = Run("windows", "--events", events, "--out", dir.File("w.csv"));
        Assert.Equal(2, fail.Exit);
        Assert.Contains("bad.csv:32: scroll_depth 7 is outside 0..1", fail.Error);
        Assert.False(File.Exists(dir.File("w.csv")));

        var skip = Run("windows", "--events", events, "--out", dir.File("w.csv"), "--on-bad-row", "skip", "--json");
        Assert.Equal(0, skip.Exit);
        var input = Json(skip.Out)["input"]!;
        Assert.Equal(32, (int)input["rows_read"]!);
        Assert.Equal(30, (int)input["accepted"]!);
        Assert.Equal(2, (int)input["rejected"]!);
        var rejects = File.ReadAllLines(dir.File("w.rejects.csv"));
        Assert.Equal(3, rejects.Length);
        Assert.StartsWith("bad.csv,33,\"timestamp 'soon' is not", rejects[2]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("user_id,session_id,timestamp,action\n")]
    public void Windows_EmptyOrHeaderOnly_FailsClearly(string content)
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("e.csv"), content);
        var result = Run("windows", "--events", dir.File("e.csv"), "--out", dir.File("w.csv"), "--json");
        Assert.Equal(2, result.Exit);
        var error = (string)Json(result.Out)["error"]!;
        Assert.Contains("e.csv", error);
        Assert.Matches("empty|no events", error);
    }

    [Fact]
    public void Windows_TaobaoHeaderless_WithColumnsAndSessionGap()
    {
        using var dir = new TestData.TempDir();
        var result = Run("windows", "--events", TestData.Path("taobao_head3000.csv"), "--no-header",
            "--columns", "user_id,item_id,category,action,timestamp", "--session-gap", "1800", "--min-actions", "2",
            "--window", "600", "--out", dir.File("w.csv"), "--json");
        Assert.Equal(0, result.Exit);
        var json = Json(result.Out);
        Assert.Equal(3000, (int)json["input"]!["accepted"]!);
        Assert.Equal(3000, (int)json["input"]!["sessionized_rows"]!);
        Assert.True((int)json["input"]!["unknown_actions"]!["pv"]! > 2000);
        Assert.True((int)json["windows"]! > 0);
    }

    [Fact]
    public void Predict_WrongModelFile_FailsWithFormatMessage()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("m.json"), "{\"format\":\"something-else\",\"version\":1}");
        File.WriteAllText(dir.File("w.csv"), "x\n");
        var result = Run("predict", "click", "--model", dir.File("m.json"), "--features", dir.File("w.csv"), "--out", dir.File("p.csv"));
        Assert.Equal(2, result.Exit);
        Assert.Contains("m.json", result.Error);
        Assert.False(File.Exists(dir.File("p.csv")));
    }

    [Fact]
    public void Pipeline_Quick_LearnsAndWritesEverything()
    {
        using var dir = new TestData.TempDir();
        var result = Run("pipeline", "--quick", "--out", dir.Root, "--json");
        Assert.Equal(0, result.Exit);
        var json = Json(result.Out);
        Assert.InRange((int)json["windows"]!, 5_000, 5_200);
        Assert.True((double)json["auc_mean"]! > 0.75);
        foreach (var file in new[] { "events.csv", "windows.csv", "models/click_model.json", "models/training_results.json", "models/click_report.html", "pipeline_summary.json" })
            Assert.True(File.Exists(Path.Combine(dir.Root, file)), file);
    }

    private const string OttoMap = "session_id=session,user_id=session,timestamp=ts,action=type,page=aid";

    [Fact]
    public void Sequences_And_TrainSequence_ReadOttoNestedEvents()
    {
        using var dir = new TestData.TempDir();
        var otto = TestData.Path("otto_train.jsonl");
        var result = Run("sequences", "--events", otto, "--nested-events", "events", "--map", OttoMap, "--out", dir.File("seq"), "--json");
        Assert.Equal(0, result.Exit);
        var json = Json(result.Out);
        Assert.Equal(862, (int)json["events"]!);
        Assert.Equal(20, (int)json["sessions"]!);
        var input = json["input"]!;
        Assert.Equal((862, 862, 0), ((int)input["rows_read"]!, (int)input["accepted"]!, (int)input["rejected"]!));
        Assert.Equal((20, 0), ((int)input["nested_lines"]!, (int)input["empty_event_arrays"]!));
        Assert.Equal((800, 52, 10), ((int)input["unknown_actions"]!["clicks"]!, (int)input["unknown_actions"]!["carts"]!, (int)input["unknown_actions"]!["orders"]!));
        Assert.Equal(0, (int)input["sessionized_rows"]!);

        var train = Run("train", "sequence", "--events", otto, "--nested-events", "events", "--map", OttoMap,
            "--epochs", "1", "--emb", "8", "--hidden", "8", "--threads", "1", "--out", dir.File("model"), "--json");
        Assert.Equal(0, train.Exit);
        Assert.Equal(862, (int)Json(train.Out)["data"]!["input"]!["accepted"]!);
        Assert.True(File.Exists(dir.File("model/sequence_model.json")));
    }

    [Fact]
    public void Windows_NestedEvents_FailNamesTheEvent_SkipWritesOneRejectPerBadEvent()
    {
        using var dir = new TestData.TempDir();
        var events = dir.File("bad.jsonl");
        var good = string.Join(",", Enumerable.Range(0, 30).Select(i => $"{{\"aid\":{i},\"ts\":{1659304800000 + i * 2000},\"type\":\"scroll_down\"}}"));
        File.WriteAllText(events,
            $"{{\"session\":1,\"events\":[{good}]}}\n" +
            "{\"session\":2,\"events\":[]}\n" +
            "{\"session\":3,\"events\":[{\"ts\":1659304800000,\"type\":\"click\"},{\"ts\":\"abc\",\"type\":\"click\"},{\"ts\":1659304801000}]}\n" +
            "not json\n");

        var fail = Run("windows", "--events", events, "--nested-events", "events", "--map", OttoMap, "--out", dir.File("w.csv"));
        Assert.Equal(2, fail.Exit);
        Assert.Contains("bad.jsonl:3: event 1: timestamp 'abc' is not", fail.Error);
        Assert.False(File.Exists(dir.File("w.csv")));

        var skip = Run("windows", "--events", events, "--nested-events", "events", "--map", OttoMap, "--on-bad-row", "skip",
            "--min-actions", "2", "--out", dir.File("w.csv"), "--json");
        Assert.Equal(0, skip.Exit);
        var input = Json(skip.Out)["input"]!;
        Assert.Equal((34, 31, 3), ((int)input["rows_read"]!, (int)input["accepted"]!, (int)input["rejected"]!));
        Assert.Equal((4, 1), ((int)input["nested_lines"]!, (int)input["empty_event_arrays"]!));
        var rejects = File.ReadAllLines(dir.File("w.rejects.csv"));
        Assert.Equal(
        [
            "file,line,reason,raw",
            "bad.jsonl,3,\"event 1: timestamp 'abc' is not epoch seconds, epoch milliseconds or an ISO-8601 date-time (YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|UTC|±HH:MM]; other forms need a timestamp pattern)\",\"{\"\"ts\"\":\"\"abc\"\",\"\"type\"\":\"\"click\"\"}\"",
            "bad.jsonl,3,event 2: action is missing or empty,\"{\"\"ts\"\":1659304801000}\"",
        ], rejects[..3]);
        // The parser's own wording of the JSON error is System.Text.Json's, so only its frame is pinned.
        Assert.StartsWith("bad.jsonl,4,invalid JSON: ", rejects[3]);
        Assert.EndsWith(",not json", rejects[3]);
        Assert.Equal(4, rejects.Length);
    }

    [Fact]
    public void NestedEvents_EmptyName_ExitsTwo()
    {
        var result = Run("windows", "--events", TestData.Path("otto_train.jsonl"), "--nested-events", " ", "--out", "unused.csv", "--json");
        Assert.Equal(2, result.Exit);
        Assert.Contains("--nested-events needs the name", (string)Json(result.Out)["error"]!);
    }

    [Fact]
    public void UnknownOption_ExitsNonZero() => Assert.NotEqual(0, Run("windows", "--nope").Exit);
}
