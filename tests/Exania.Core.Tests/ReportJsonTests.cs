using Exania.Core;

namespace Exania.Core.Tests;

public class ReportJsonTests
{
    private enum Stage { FinalFit }

    private sealed record Sample(double RocAuc, int TrainRows, string? Note, Stage Stage, IReadOnlyDictionary<string, long> RejectedByKind);

    [Fact]
    public void Serialize_SnakeCaseNames_EnumsAsStrings_NullsLeftOut_DictionaryKeysAsTheyAre()
    {
        var json = ReportJson.Serialize(new Sample(0.75, 3, null, Stage.FinalFit, new Dictionary<string, long> { ["bad_timestamp"] = 2, ["Odd Key"] = 1 }));
        Assert.Contains("\"roc_auc\": 0.75", json, StringComparison.Ordinal);
        Assert.Contains("\"train_rows\": 3", json, StringComparison.Ordinal);
        Assert.Contains("\"stage\": \"final_fit\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Odd Key\": 1", json, StringComparison.Ordinal);
        Assert.DoesNotContain("note", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ToNode_CanBeExtended_AndRoundTrips()
    {
        var node = ReportJson.ToNode(new Sample(0.5, 1, "n", Stage.FinalFit, new Dictionary<string, long>()));
        node["command"] = "train click";
        Assert.Equal("train click", (string)node["command"]!);
        var back = ReportJson.Deserialize<Sample>(ReportJson.Serialize(new Sample(0.5, 1, "n", Stage.FinalFit, new Dictionary<string, long> { ["a"] = 1 })));
        Assert.Equal(0.5, back.RocAuc);
        Assert.Equal(1, back.RejectedByKind["a"]);
    }
}
