using Exania.Testing;

namespace Exania.Sequence.Tests;

/// <summary><c>bench sequence</c> without the peer (CI has no PyTorch), and the large-vocabulary flags of <c>train sequence</c>.</summary>
[Collection("console")]
public sealed class BenchSequenceCliTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "exania-bench-seq-tests-" + Guid.NewGuid().ToString("N"));

    public BenchSequenceCliTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void BenchSequence_WithoutPeer_ReportsOurFiguresOnThePeersSplit()
    {
        var result = CliRunner.Run("bench", "sequence", "--sessions", "120", "--epochs", "1", "--threads", "1", "--work", _root, "--json");
        Assert.True(result.Exit == 0, result.Error);
        var json = result.Json!;
        var ours = json["exania"]!;
        Assert.True((double)ours["seconds_per_epoch"]! > 0);
        Assert.InRange((double)ours["test_accuracy"]!, 0.0, 1.0);
        Assert.True((double)ours["inference_sequences_per_second"]! > 0);
        // The peer's split: 80/20 by session, no validation.
        var train = (int)json["train_samples"]!;
        var test = (int)json["test_samples"]!;
        Assert.InRange(test / (double)(train + test), 0.1, 0.3);
        Assert.Null(json["peer"]);
        Assert.True(File.Exists(Path.Combine(_root, "events.csv")));
    }

    [Fact]
    public void TrainSequence_SampledSoftmaxAndRepeatFlags_ReachTheModelAndTheReport()
    {
        var events = Path.Combine(_root, "events.csv");
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "150", "--seed", "2", "--out", events, "--json").Exit);
        var result = CliRunner.Run("train", "sequence", "--events", events, "--out", Path.Combine(_root, "m"), "--epochs", "1", "--max-len", "8",
            "--sampled-softmax", "4", "--repeat", "true", "--json");
        Assert.True(result.Exit == 0, result.Error);
        var parameters = result.Json!["params"]!;
        Assert.Equal(4, (int)parameters["sampled_softmax_negatives"]!);
        Assert.True((bool)parameters["repeat"]!);
        var model = SequenceModel.Load(Path.Combine(_root, "m", "sequence_model.json"));
        Assert.Equal(8, model.Shape.RepeatPositions);

        // Category targets drop unseen-category samples by default, and say how many; --oov-targets keep restores them.
        var category = CliRunner.Run("train", "sequence", "--events", events, "--out", Path.Combine(_root, "c"), "--epochs", "1", "--max-len", "8",
            "--target", "category", "--min-count", "250", "--json");
        Assert.True(category.Exit == 0, category.Error);
        Assert.Equal(0.0, (double)category.Json!["oov_target_share"]!);
        var results = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_root, "c", "sequence_results.json")))!;
        var droppedTest = (int)results["data"]!["oov_targets_dropped"]!["test"]!;
        Assert.True(droppedTest > 0);
        var kept = CliRunner.Run("train", "sequence", "--events", events, "--out", Path.Combine(_root, "k"), "--epochs", "1", "--max-len", "8",
            "--target", "category", "--min-count", "250", "--oov-targets", "keep", "--json");
        Assert.True(kept.Exit == 0, kept.Error);
        Assert.Equal((int)category.Json["test_samples"]! + droppedTest, (int)kept.Json!["test_samples"]!);
        Assert.True((double)kept.Json["oov_target_share"]! > 0);

        // A numeric input reaches the model file, prediction from raw events, and the ONNX graph's inputs.
        var numeric = CliRunner.Run("train", "sequence", "--events", events, "--out", Path.Combine(_root, "n"), "--epochs", "1", "--max-len", "8",
            "--numeric-inputs", "scroll_depth", "--json");
        Assert.True(numeric.Exit == 0, numeric.Error);
        Assert.Equal(["scroll_depth"], SequenceModel.Load(Path.Combine(_root, "n", "sequence_model.json")).NumericInputs.Select(Exania.Events.EventFields.Name));
        var predicted = CliRunner.Run("predict", "sequence", "--model", Path.Combine(_root, "n"), "--events", events, "--json");
        Assert.True(predicted.Exit == 0, predicted.Error);
        var exported = CliRunner.Run("export", "onnx", "--model", Path.Combine(_root, "n"), "--out", Path.Combine(_root, "n.onnx"), "--json");
        Assert.True(exported.Exit == 0, exported.Error);
        Assert.Contains("scroll_depth", exported.Json!["inputs"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(2, CliRunner.Run("train", "sequence", "--events", events, "--out", Path.Combine(_root, "n2"), "--numeric-inputs", "page", "--json").Exit);

        var bad = CliRunner.Run("train", "sequence", "--events", events, "--out", Path.Combine(_root, "m2"), "--sampled-softmax", "-3", "--json");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("negatives", bad.Error, StringComparison.Ordinal);
    }
}
