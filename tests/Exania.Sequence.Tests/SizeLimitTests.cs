using System.Text.Json.Nodes;
using Exania.Core;
using Exania.Sequence;

namespace Exania.Sequence.Tests;

/// <summary>
/// Issue #15, class 4 (in part): every size a model file or an option gives is checked against a documented limit
/// before it is allocated, and too large a size is a clear error, not gigabytes or an OverflowException.
/// </summary>
public class SizeLimitTests
{
    private static readonly NetworkShape s_small = new(Tokens: 6, Classes: 5, Embedding: 4, Hidden: 3, Layers: 1);

    private static string SavedModel(string folder)
    {
        var model = new SequenceModel(s_small, new SequenceVocabulary([SequenceVocabulary.PaddingToken, SequenceVocabulary.OutOfVocabularyToken, "a", "b", "c", "d"]), 5, new float[s_small.ParameterCount], SequenceField.Action);
        var path = Path.Combine(folder, "sequence_model.json");
        model.Save(path);
        return path;
    }

    [Theory]
    [InlineData("max_length", 20_000_000, "max_length 20000000 is outside 1..10000")]
    [InlineData("max_length", 0, "max_length 0 is outside 1..10000")]
    public void Load_MaxLengthOutsideTheLimit_IsAFormatErrorBeforeAnyAllocation(string field, int value, string message)
    {
        var folder = Directory.CreateTempSubdirectory("exania-size-").FullName;
        try
        {
            var path = SavedModel(folder);
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            json[field] = value;
            File.WriteAllText(path, json.ToJsonString());
            var ex = Assert.Throws<ModelFormatException>(() => SequenceModel.Load(path));
            Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_AShapeOfBillionsOfParameters_IsAFormatErrorNotAnOverflow()
    {
        var folder = Directory.CreateTempSubdirectory("exania-size-").FullName;
        try
        {
            var path = SavedModel(folder);
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            json["shape"]!["tokens"] = 2_000_000_000;
            json["shape"]!["classes"] = 1_999_999_999;
            json["shape"]!["embedding"] = 4096;
            File.WriteAllText(path, json.ToJsonString());
            var ex = Assert.Throws<ModelFormatException>(() => SequenceModel.Load(path));
            Assert.Contains("more than the 256,000,000 allowed", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(100_000_000)]
    [InlineData(10_001)]
    public void Options_MaxLengthAboveTheLimit_NamesTheField(int maxLength)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => (SequenceOptions.Defaults with { MaxLength = maxLength }).Validate());
        Assert.Equal("MaxLength", ex.ParamName);
    }

    [Fact]
    public void Shape_WidthAboveTheLimit_IsRejected() =>
        Assert.Equal("Hidden", Assert.Throws<ArgumentOutOfRangeException>(() => (s_small with { Hidden = 5000 }).Validate()).ParamName);

    [Fact]
    public void Predict_WithTheLongestWindow_AllocatesForThePrefixNotTheMaximum()
    {
        // A model that may look 10,000 events back scores a 17-event prefix: the workspace is sized by the 17 steps.
        var shape = new NetworkShape(Tokens: 6, Classes: 5, Embedding: 16, Hidden: 64, Layers: 2);
        var parameters = new float[shape.ParameterCount];
        var random = new Random(4);
        for (var i = 0; i < parameters.Length; i++)
            parameters[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
        var vocabulary = new SequenceVocabulary([SequenceVocabulary.PaddingToken, SequenceVocabulary.OutOfVocabularyToken, "a", "b", "c", "d"]);
        var longest = new SequenceModel(shape, vocabulary, SequenceOptions.MaxLengthLimit, parameters, SequenceField.Action);
        var exact = new SequenceModel(shape, vocabulary, 17, parameters, SequenceField.Action);
        var tokens = Enumerable.Range(0, 17).Select(i => 2 + i % 4).ToArray();
        var gaps = Enumerable.Range(0, 17).Select(i => (float)Math.Log(1 + i)).ToArray();
        longest.Predict(tokens, gaps); // JIT
        var before = GC.GetAllocatedBytesForCurrentThread();
        var prediction = longest.Predict(tokens, gaps);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Sized by 10,000 steps the two layers' gates and states alone would be over 30 MB.
        Assert.True(allocated < 1_000_000, $"allocated {allocated:N0} bytes");
        Assert.Equal(exact.Predict(tokens, gaps).Probabilities, prediction.Probabilities);
    }
}
