using Exania.Core;
using Exania.Events;

namespace Exania.Sequence.Tests;

/// <summary>Item-sized vocabularies: the sampled softmax, its sampler, the sparse Markov chain and evaluation without dense matrices.</summary>
public class LargeVocabularyTests
{
    [Fact]
    public void SampledSoftmax_Backward_MatchesFiniteDifferences_WithRepeatsHitsAndDuplicates()
    {
        // Negatives hold a duplicate (class 4 twice), the target itself (an accidental hit) and classes seen in the
        // window (so the repeat term enters the sampled logits too).
        var shape = new NetworkShape(Tokens: 9, Classes: 8, Embedding: 2, Hidden: 3, Layers: 1) { RepeatPositions = 5 };
        var random = new Random(51);
        var parameters = new double[shape.ParameterCount];
        for (var i = 0; i < parameters.Length; i++) parameters[i] = (random.NextDouble() * 2 - 1) * 0.8;
        int[] tokens = [0, 3, 6, 2, 6, 8];
        float[] gaps = [0, 0, 0.4f, 1.5f, 0.2f, 0.9f];
        int[] negatives = [4, 1, 4, 5, 7];
        const int target = 5;
        var logExpected = new double[shape.Classes];
        for (var k = 0; k < logExpected.Length; k++) logExpected[k] = Math.Log(0.3 + 0.1 * k);
        var network = new SequenceNetwork<double>(shape, tokens.Length);
        var rng = new SplitMix64(1);
        double Loss()
        {
            network.ForwardSampled(parameters, tokens, gaps, 0, ref rng, default, target, negatives, logExpected);
            return network.Loss(target);
        }
        // Independent value: the loss by hand from the full logits (what Forward puts before its softmax).
        network.Forward(parameters, tokens, gaps, 0, ref rng);
        var full = network.Probabilities.ToArray();
        var logits = full.Select(p => Math.Log(p)).ToArray(); // softmax logits up to a constant, which cancels below
        var candidates = new[] { target }.Concat(negatives.Where(n => n != target)).ToArray();
        var adjusted = candidates.Select(c => logits[c] - logExpected[c]).ToArray();
        var expected = -(adjusted[0] - Math.Log(adjusted.Sum(a => Math.Exp(a))));
        Assert.Equal(expected, Loss(), 10);

        var gradient = new double[shape.ParameterCount];
        network.Backward(parameters, target, 1.0, gradient);
        GradientCheckTests.AssertEveryTensor(shape, parameters, gradient, Loss);
        // Output rows of classes that were not candidates get nothing: that is the saving.
        for (var k = 0; k < shape.Classes; k++)
            if (!candidates.Contains(k))
                Assert.Equal(0.0, gradient[shape.OutputB + k]);
    }

    [Fact]
    public void NegativeSampler_DrawsEachClassAtItsExpectedRate()
    {
        // Targets: class 0 ×64, class 1 ×1, class 2 never. q ∝ 0.9·f^0.75 + 0.1·uniform.
        var targets = Enumerable.Repeat(0, 64).Append(1).ToArray();
        var sampler = new NegativeSampler(targets, classes: 3, draws: 100);
        double f0 = Math.Pow(64, 0.75), f1 = 1;
        double[] q = [0.9 * f0 / (f0 + f1) + 0.1 / 3, 0.9 * f1 / (f0 + f1) + 0.1 / 3, 0.1 / 3];
        for (var k = 0; k < 3; k++)
            Assert.Equal(Math.Log(100 * q[k]), sampler.LogExpected[k], 5);
        var counts = new int[3];
        var negatives = new int[100];
        var random = new SplitMix64(7);
        for (var batch = 0; batch < 2000; batch++)
        {
            sampler.Draw(negatives, ref random);
            foreach (var c in negatives) counts[c]++;
        }
        for (var k = 0; k < 3; k++)
        {
            var rate = counts[k] / 200_000.0;
            Assert.True(Math.Abs(rate - q[k]) < 4 * Math.Sqrt(q[k] * (1 - q[k]) / 200_000), $"class {k}: drawn {rate:0.00000}, expected {q[k]:0.00000}");
        }
    }

    [Fact]
    public void Markov_SparseRows_AgreeWithCountingByHand()
    {
        var random = new Random(3);
        const int length = 4, tokens = 40;
        var n = 3000;
        var tokenIds = new int[n * length];
        var targets = new int[n];
        var hand = new long[tokens, tokens - 1];
        for (var i = 0; i < n; i++)
        {
            var current = 1 + random.Next(tokens - 1);
            if (current == 7) current = 8;
            tokenIds[i * length + length - 1] = current;
            targets[i] = random.NextDouble() < 0.5 ? current % (tokens - 1) : random.Next(tokens - 1);
            hand[current, targets[i]]++;
        }
        var samples = new SequenceSamples(length, tokenIds, new float[n * length], targets, new int[n]);
        var baselines = NextActionBaselines.Fit(samples, tokens);
        var unigram = new long[tokens - 1];
        foreach (var y in targets) unigram[y]++;
        var dense = new double[tokens - 1];
        var unseen = 0;
        for (var t = 0; t < tokens; t++)
        {
            long total = 0, best = 0;
            var argmax = baselines.Majority;
            for (var k = 0; k < tokens - 1; k++)
            {
                total += hand[t, k];
                if (hand[t, k] > best) (best, argmax) = (hand[t, k], k);
            }
            Assert.Equal(argmax, baselines.MarkovPrediction(t));
            // A token never seen as current (here the padding token 0, and token 7 whose row was never filled) falls
            // back to the distribution of all targets.
            var row = new long[tokens - 1];
            for (var k = 0; k < tokens - 1; k++) row[k] = total == 0 ? unigram[k] : hand[t, k];
            var rowTotal = total == 0 ? n : total;
            if (total == 0) unseen++;
            baselines.MarkovProbabilities(t, dense);
            for (var k = 0; k < tokens - 1; k++)
            {
                var p = (row[k] + 1.0) / (rowTotal + tokens - 1);
                Assert.Equal(p, dense[k], 12);
                var (probability, higher) = baselines.MarkovScore(t, k);
                Assert.Equal(p, probability, 12);
                var byHand = 0; // the tie rule: a higher count, or the same count at a lower index
                for (var j = 0; j < tokens - 1; j++)
                    if (row[j] > row[k] || (row[j] == row[k] && j < k)) byHand++;
                Assert.Equal(byHand, higher);
            }
        }
        Assert.Equal(2, unseen);
    }

    [Fact]
    public void DropOovTargets_RemovesExactlyTheSamplesWithAnUnseenTarget_AndCountsThem()
    {
        var random = new Random(4);
        var log = new EventLog();
        for (var s = 0; s < 200; s++)
            for (var i = 0; i < 6; i++)
                log.Append(new InteractionEvent($"u{s}", $"s{s}", 10 * i, "page_view", Page: $"item{random.Next(300)}"));
        var options = new SequenceOptions { MaxLength = 4, Seed = 1, Field = SequenceField.Page, MinCount = 2 };
        var kept = SequencePreprocessor.Build(log, options);
        var dropped = SequencePreprocessor.Build(log, options with { DropOovTargets = true });
        Assert.Equal([0, 0, 0], kept.OovTargetsDropped);
        SequenceSamples[] before = [kept.Train, kept.Validation, kept.Test];
        SequenceSamples[] after = [dropped.Train, dropped.Validation, dropped.Test];
        for (var split = 0; split < 3; split++)
        {
            var oov = before[split].Targets.Count(y => y == SequenceVocabulary.OutOfVocabulary - 1);
            Assert.True(oov > 0);
            Assert.Equal(oov, dropped.OovTargetsDropped[split]);
            Assert.Equal(before[split].Count - oov, after[split].Count);
            Assert.DoesNotContain(SequenceVocabulary.OutOfVocabulary - 1, after[split].Targets);
            // The kept samples are the same windows, in the same order.
            var j = 0;
            for (var i = 0; i < before[split].Count; i++)
            {
                if (before[split].Targets[i] == SequenceVocabulary.OutOfVocabulary - 1) continue;
                Assert.Equal(before[split].TokensOf(i).ToArray(), after[split].TokensOf(j).ToArray());
                j++;
            }
        }
        // OOV tokens remain as inputs.
        Assert.Contains(SequenceVocabulary.OutOfVocabulary, dropped.Test.Tokens);
    }

    [Fact]
    public void NumericInputs_ArePlacedUnderTheirEvents_WithMoneyLogScaledAndMissingAsZero()
    {
        var log = new EventLog();
        for (var s = 0; s < 6; s++)
        {
            log.Append(new InteractionEvent($"u{s}", $"s{s}", 10, "scroll_down", ScrollDepth: 0.25, Cost: 3));
            log.Append(new InteractionEvent($"u{s}", $"s{s}", 20, "click", Revenue: -2)); // no scroll depth: 0
            log.Append(new InteractionEvent($"u{s}", $"s{s}", 30, "scroll_down", ScrollDepth: 0.75));
        }
        var data = SequencePreprocessor.Build(log, new SequenceOptions
        {
            MaxLength = 3,
            Seed = 1,
            NumericInputs = [EventField.ScrollDepth, EventField.Cost, EventField.Revenue],
        });
        var samples = data.Train;
        Assert.Equal(3, samples.NumericInputs);
        // The second sample of a session sees events 1 and 2 (left-padded to 3 steps), input-major.
        var second = Enumerable.Range(0, samples.Count).First(i => samples.TokensOf(i)[0] == SequenceVocabulary.Padding && samples.TokensOf(i)[1] != 0);
        var x = samples.NumericOf(second).ToArray();
        float[] expected = [0, 0.25f, 0, 0, (float)Math.Log(4), 0, 0, 0, (float)-Math.Log(3)];
        Assert.Equal(expected, x);
        Assert.Throws<ArgumentException>(() => SequencePreprocessor.Build(log, new SequenceOptions { NumericInputs = [EventField.Page] }));
    }

    [Fact]
    public void Train_WithSampledSoftmaxAndRepeat_LearnsAThousandsOfItemsPattern()
    {
        // Each session alternates between two items out of 1,000 (A B A B ..., 10% noise): only "the item two events
        // back" predicts the next one. Items are too many and too rare for a per-item softmax row to learn that;
        // the repeat term learns it once for all items, trained here through a 64-negative sampled softmax.
        var random = new Random(9);
        var log = new EventLog();
        for (var s = 0; s < 1500; s++)
        {
            int a = random.Next(1000), b = random.Next(1000);
            for (var i = 0; i < 10; i++)
            {
                var item = random.NextDouble() < 0.1 ? random.Next(1000) : i % 2 == 0 ? a : b;
                log.Append(new InteractionEvent($"u{s}", $"s{s}", 100 + 7 * i, "page_view", ItemId: $"item{item}"));
            }
        }
        var data = SequencePreprocessor.Build(log, new SequenceOptions { MaxLength = 8, Seed = 2, Field = SequenceField.Item });
        Assert.True(data.Vocabulary.ClassCount > 900, $"{data.Vocabulary.ClassCount} classes");
        var options = new SequenceTrainingOptions
        {
            Epochs = 4,
            Embedding = 8,
            Hidden = 16,
            BatchSize = 64,
            LearningRate = 0.01,
            Seed = 3,
            Repeat = true,
            SampledSoftmax = 64,
            Patience = 4,
        };
        var result = SequenceTrainer.Train(data, options);
        var e = SequenceEvaluator.Evaluate(result.Model, data.Test, NextActionBaselines.Fit(data.Train, data.Vocabulary.Count));
        Assert.True(e.Model.Accuracy > 0.6, $"model {e.Model.Accuracy:0.0000} vs Markov {e.Markov.Accuracy:0.0000}");
        Assert.True(e.Model.Accuracy > e.Markov.Accuracy + 0.2, $"model {e.Model.Accuracy:0.0000} vs Markov {e.Markov.Accuracy:0.0000}");
        Assert.True(e.Ranking.HitRate10 >= e.Model.Accuracy);
        // The full softmax on the same data and seed: sampling must cost little accuracy.
        var full = SequenceTrainer.Train(data, options with { SampledSoftmax = 0 });
        var f = SequenceEvaluator.Evaluate(full.Model, data.Test, NextActionBaselines.Fit(data.Train, data.Vocabulary.Count));
        Assert.True(e.Model.Accuracy > f.Model.Accuracy - 0.05, $"sampled {e.Model.Accuracy:0.0000} vs full {f.Model.Accuracy:0.0000}");
        Assert.Null(e.Model.Confusion); // over ClassificationReport.ConfusionLimit classes
        Assert.Equal(0, new SequenceTrainingOptions().NegativesFor(SequenceTrainingOptions.FullSoftmaxLimit));
        Assert.Equal(SequenceTrainingOptions.AutoNegatives, new SequenceTrainingOptions().NegativesFor(SequenceTrainingOptions.FullSoftmaxLimit + 1));
    }
}
