using System.Text;
using Exania.Core;
using Exania.Testing;

namespace Exania.Core.Tests;

public class ModelFileTests
{
    [Theory]
    [InlineData(ModelKind.Click, "exania.click-model", "click_model.json")]
    [InlineData(ModelKind.Roas, "exania.gbt-model", "roas_model.json")]
    [InlineData(ModelKind.Sequence, "exania.sequence-model", "sequence_model.json")]
    [InlineData(ModelKind.Segment, "exania.segment-model", "segment_model.json")]
    public void EveryKind_HasOneFormatIdInOneStyle_AndOneFileName(ModelKind kind, string format, string fileName)
    {
        Assert.Equal(format, ModelFile.FormatOf(kind));
        Assert.Equal(fileName, ModelFile.FileNameOf(kind));
        Assert.Equal(kind, ModelFile.KindOfFormat(format));
        Assert.Matches("^exania\\.[a-z]+-model$", format);
    }

    [Fact]
    public void KindOfFormat_ReadsTheLegacySequenceId_AndNothingForeign()
    {
        Assert.Equal(ModelKind.Sequence, ModelFile.KindOfFormat("exania.sequence_model"));
        Assert.Null(ModelFile.KindOfFormat("xgboost"));
        Assert.Null(ModelFile.KindOfFormat(null));
    }

    [Fact]
    public void ParseHeader_StopsAtTheHeader_WithoutReadingTheRest()
    {
        // The body after the header is cut off mid-value, as a 64 KiB read of a large sequence model would be.
        var json = Encoding.UTF8.GetBytes("{\"format\": \"exania.sequence-model\", \"version\": 1, \"tensors\": {\"w\": [0.1, 0.2, 0.");
        var header = ModelFile.ParseHeader(json, "m.json", isFinalBlock: false);
        Assert.Equal(new ModelFileHeader("exania.sequence-model", 1), header);
    }

    [Fact]
    public void ParseHeader_FieldsInAnyOrder_NestedObjectsSkipped()
    {
        var json = Encoding.UTF8.GetBytes("{\"shape\": {\"format\": \"no\"}, \"version\": 3, \"format\": \"exania.click-model\"}");
        Assert.Equal(new ModelFileHeader("exania.click-model", 3), ModelFile.ParseHeader(json, "m.json"));
    }

    [Theory]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("{\"version\": 1}", "no \"format\" field")]
    [InlineData("{\"format\": \"exania.click-model\"}", "no \"version\" field")]
    [InlineData("{\"format\": ", "not valid model JSON")]
    public void ParseHeader_BadHeader_NamesTheFileAndTheProblem(string json, string problem)
    {
        var ex = Assert.Throws<ModelFormatException>(() => ModelFile.ParseHeader(Encoding.UTF8.GetBytes(json), "m.json"));
        Assert.StartsWith("Model file 'm.json': ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Identify_TellsTheKind_AndRejectsAForeignFormat()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("m.json");
        File.WriteAllText(path, "{\"format\": \"exania.gbt-model\", \"version\": 1, \"trees\": []}");
        Assert.Equal(ModelKind.Roas, ModelFile.Identify(path));
        File.WriteAllText(path, "{\"format\": \"sklearn\", \"version\": 1}");
        var ex = Assert.Throws<ModelFormatException>(() => ModelFile.Identify(path));
        Assert.Contains("format \"sklearn\" is not an Exania model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expect_OtherKindOrVersion_SaysWhichWasExpected()
    {
        var header = new ModelFileHeader("exania.click-model", 2);
        var kind = Assert.Throws<ModelFormatException>(() => ModelFile.Expect(header, "m.json", ModelKind.Roas, 1));
        Assert.Contains("expected \"exania.gbt-model\"", kind.Message, StringComparison.Ordinal);
        var version = Assert.Throws<ModelFormatException>(() => ModelFile.Expect(header, "m.json", ModelKind.Click, 1));
        Assert.Contains("version 2 is not supported; this build reads version 1", version.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FolderOrFile()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("roas_model.json"), "{}");
        File.WriteAllText(dir.File("sequence_model.json"), "{}");
        Assert.Equal(dir.File("roas_model.json"), ModelFile.Resolve(dir.Root));
        Assert.Equal(dir.File("sequence_model.json"), ModelFile.Resolve(dir.Root, ModelKind.Sequence));
        Assert.Equal(dir.File("roas_model.json"), ModelFile.Resolve(dir.File("roas_model.json")));
        Assert.Throws<FileNotFoundException>(() => ModelFile.Resolve(dir.Root, ModelKind.Click));
        Assert.Throws<FileNotFoundException>(() => ModelFile.Resolve(dir.File("nope.json")));
        Directory.CreateDirectory(dir.File("empty"));
        var ex = Assert.Throws<ArgumentException>(() => ModelFile.Resolve(dir.File("empty")));
        Assert.Contains("holds none of click_model.json, roas_model.json, sequence_model.json", ex.Message, StringComparison.Ordinal);
    }
}
