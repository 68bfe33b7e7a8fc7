using Exania.Core;
using Exania.Synthetic;

namespace Exania.Sequence.Tests;

/// <summary>The attention examples stored in the results for the report: the saved model's own weights, seeded, bounded.</summary>
public sealed class AttentionExampleTests : IDisposable
{
    private static readonly Lazy<(SequenceDataset Data, SequenceModel Model)> s_trained = new(() =>
    {
        var data = SequencePreprocessor.Build(new InteractionGenerator(new GeneratorOptions { Seed = 4 }).Generate(600),
            new SequenceOptions { MaxLength = 12, Seed = 0 });
        var model = SequenceTrainer.Train(data, new SequenceTrainingOptions { Epochs = 1, Embedding = 8, Hidden = 12, BatchSize = 64, Seed = 3 }).Model;
        return (data, model);
    });

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"exania-attention-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void StoredAttention_EqualsTheSavedModelsAttentionRecomputed()
    {
        var (data, model) = s_trained.Value;
        var examples = AttentionExamples.Pick(model, data, 6, seed: 5);
        Assert.Equal(6, examples.Count);
        // Through the results JSON and back, as `report --model` reads them.
        var stored = ReportJson.Deserialize<List<AttentionExample>>(ReportJson.Serialize(examples));
        model.Save(_file);
        var loaded = SequenceModel.Load(_file);
        foreach (var example in stored)
        {
            var s = example.TestSample;
            Assert.Equal(data.SessionNames[data.Test.Sessions[s]], example.Session);
            // The session's last sample: the next one (if any) belongs to another session.
            Assert.True(s == data.Test.Count - 1 || data.Test.Sessions[s + 1] != data.Test.Sessions[s]);
            var (user, start) = data.Test.ContextOf(s);
            var again = loaded.Predict(data.Test.TokensOf(s), data.Test.GapsOf(s), data.Test.ExtraTokensOf(s), data.Test.NumericOf(s), user, start);
            Assert.Equal(again.Attention.Length, example.Weights.Count);
            Assert.InRange(example.Events.Count, 1, data.Options.MaxLength);
            for (var i = 0; i < again.Attention.Length; i++)
                Assert.Equal(again.Attention[i], example.Weights[i], 1e-6);
            Assert.Equal(1.0, example.Weights.Sum(), 1e-4);
            var tokens = data.Test.TokensOf(s);
            Assert.Equal([.. tokens[^example.Events.Count..].ToArray().Select(t => data.Vocabulary[t])], example.Events);
            Assert.Equal(data.Vocabulary.ClassName(data.Test.Targets[s]), example.Target);
            var top = Array.IndexOf(again.Probabilities, again.Probabilities.Max());
            Assert.Equal(data.Vocabulary.ClassName(top), example.Predicted);
            Assert.Equal(again.Probabilities[data.Test.Targets[s]], example.TargetProbability, 1e-6);
            Assert.Equal(1 + again.Probabilities.Count(p => p > again.Probabilities[data.Test.Targets[s]]), example.TargetRank);
        }
    }

    [Fact]
    public void Pick_IsSeeded_DistinctSessions_AndBounded()
    {
        var (data, model) = s_trained.Value;
        var one = AttentionExamples.Pick(model, data, 6, seed: 5);
        Assert.Equal(one.Select(e => e.TestSample), AttentionExamples.Pick(model, data, 6, seed: 5).Select(e => e.TestSample));
        Assert.NotEqual(one.Select(e => e.TestSample), AttentionExamples.Pick(model, data, 6, seed: 6).Select(e => e.TestSample));
        Assert.Equal(6, one.Select(e => e.Session).Distinct().Count());
        Assert.Equal(AttentionExamples.MaxExamples, AttentionExamples.Pick(model, data, 50, seed: 5).Count);
        Assert.All(one, e => Assert.True(e.Events.Count >= 2));
    }
}
