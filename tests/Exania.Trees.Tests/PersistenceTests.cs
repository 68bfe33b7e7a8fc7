using Exania.Core;

namespace Exania.Trees.Tests;

public class PersistenceTests
{
    private static GbtModel Model(GbtObjective objective = GbtObjective.SquaredError) =>
        objective == GbtObjective.Logistic
            ? GbtTrainer.Train(TestData.Classification(800, 20), new GbtOptions { Rounds = 15, Objective = objective, Threads = 2 })
            : GbtTrainer.Train(TestData.Regression(800, 20), new GbtOptions { Rounds = 15, Threads = 2 });

    [Theory]
    [InlineData(GbtObjective.SquaredError)]
    [InlineData(GbtObjective.Logistic)]
    public void SaveLoad_Roundtrip_IdenticalPredictionsAndJson(GbtObjective objective)
    {
        using var temp = new TempFolder();
        var model = Model(objective);
        var path = temp.File("model.json");
        model.Save(path);
        var loaded = GbtModel.Load(path);

        var data = objective == GbtObjective.Logistic ? TestData.Classification(300, 21) : TestData.Regression(300, 21);
        Assert.Equal(model.Predict(data), loaded.Predict(data)); // bit-identical, NaN rows included
        Assert.Equal(model.ToJson(), loaded.ToJson());
        Assert.Equal(objective, loaded.Objective);
        Assert.NotNull(model.Training);
        Assert.NotNull(loaded.Training);
        Assert.Equal(model.Training.BestIteration, loaded.Training.BestIteration);
        Assert.Equal(model.Training.Options! with { Threads = 1 }, loaded.Training.Options! with { Threads = 1 });
        Assert.NotEmpty(model.Training.TrainingHistory!);
        Assert.Equal(model.Training.TrainingHistory, loaded.Training.TrainingHistory);
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp")); // atomic write leaves no temporary behind
    }

    [Fact]
    public void Predict_BatchOverloads_AgreeWithSingleRows()
    {
        var model = Model();
        var data = TestData.Regression(3000, 22);
        var parallel = model.Predict(data, threads: 2);
        var sequential = new double[data.Rows];
        model.Predict(data.Values.AsSpan(), sequential);
        for (var r = 0; r < data.Rows; r += 97)
            Assert.Equal(model.Predict(data.Row(r)), parallel[r]);
        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void Load_WrongFormat_RejectedWithAClearMessage()
    {
        var json = Model().ToJson().Replace("\"exania.gbt-model\"", "\"exania.click-model\"", StringComparison.Ordinal);
        var e = Assert.Throws<ModelFormatException>(() => GbtModel.FromJson(json, "m.json"));
        Assert.Contains("format is \"exania.click-model\", expected \"exania.gbt-model\"", e.Message);
        Assert.Equal("m.json", e.Path);
    }

    [Fact]
    public void Load_WrongVersion_RejectedWithAClearMessage()
    {
        var json = Model().ToJson().Replace("\"version\":1", "\"version\":2", StringComparison.Ordinal);
        var e = Assert.Throws<ModelFormatException>(() => GbtModel.FromJson(json));
        Assert.Contains("version 2 is not supported", e.Message);
    }

    [Theory]
    [InlineData("{\"format\":\"exania.gbt-model\"", "not valid model JSON")]
    [InlineData("null", "JSON null")]
    [InlineData("{\"version\":1}", "no \"format\" field")]
    [InlineData("{\"format\":\"exania.gbt-model\",\"version\":1,\"objective\":\"squared_error\",\"base_score\":0,\"feature_names\":[\"a\"]}", "missing \"trees\"")]
    [InlineData("{\"format\":\"exania.gbt-model\",\"version\":1,\"objective\":\"squared_error\",\"base_score\":0,\"feature_names\":[\"a\"],\"trees\":[{\"feature\":[0,-1,-1],\"threshold\":[0.5,0,0],\"default_left\":[false,false,false],\"left\":[1,-1,-1],\"right\":[1,-1,-1],\"value\":[0,1,2],\"gain\":[0,0,0],\"cover\":[0,0,0]}]}", "trees[0]: Node 0 has children 1 and 1")]
    [InlineData("{\"format\":\"exania.gbt-model\",\"version\":1,\"objective\":\"squared_error\",\"base_score\":0,\"feature_names\":[\"a\"],\"trees\":[{\"feature\":[3,-1,-1],\"threshold\":[0.5,0,0],\"default_left\":[false,false,false],\"left\":[1,-1,-1],\"right\":[2,-1,-1],\"value\":[0,1,2],\"gain\":[0,0,0],\"cover\":[0,0,0]}]}", "splits on feature 3")]
    [InlineData("{\"format\":\"exania.gbt-model\",\"version\":1,\"objective\":\"squared_error\",\"base_score\":0,\"feature_names\":[\"a\"],\"trees\":[{\"feature\":[0,-1,-1],\"threshold\":[0.1,0,0],\"default_left\":[false,false,false],\"left\":[1,-1,-1],\"right\":[2,-1,-1],\"value\":[0,1,2],\"gain\":[0,0,0],\"cover\":[0,0,0]}]}", "float32")]
    public void Load_CorruptContent_RejectedWithAClearMessage(string json, string expected)
    {
        var e = Assert.Throws<ModelFormatException>(() => GbtModel.FromJson(json, "bad.json"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("Model file 'bad.json'", e.Message);
    }

    [Fact]
    public void Load_HandWrittenStump_PredictsByTheDocumentedRule()
    {
        const string Json = "{\"format\":\"exania.gbt-model\",\"version\":1,\"objective\":\"squared_error\",\"base_score\":10,\"feature_names\":[\"a\",\"b\"],\"trees\":[{\"feature\":[1,-1,-1],\"threshold\":[0.5,0,0],\"default_left\":[true,false,false],\"left\":[1,-1,-1],\"right\":[2,-1,-1],\"value\":[0,1,2],\"gain\":[0,0,0],\"cover\":[0,0,0]}]}";
        var model = GbtModel.FromJson(Json);
        Assert.Equal(11, model.Predict([0, 0.4999]));
        Assert.Equal(12, model.Predict([0, 0.5]));
        Assert.Equal(11, model.Predict([0, double.NaN]));
    }
}
