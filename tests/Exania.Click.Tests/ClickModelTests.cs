using System.Text.Json;
using System.Text.Json.Nodes;
using Exania.Click;
using Exania.Core;
using Exania.Learning;
using Exania.Learning.Tests;

namespace Exania.Click.Tests;

public sealed class ClickModelTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "exania-learning-tests", Guid.NewGuid().ToString("N"));

    public ClickModelTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly ClickTrainingOptions s_small = ClickTrainingOptions.Default with { Folds = 3 };

    private static ClickModel TrainSmall() => ClickModelTrainer.Train(TestData.Interaction(1500, seed: 4), s_small);

    [Fact]
    public void Train_MatchesScikitLearnPipeline()
    {
        // sklearn 1.2.1: make_pipeline(StandardScaler(), PolynomialFeatures(2, include_bias=False),
        //   LogisticRegression(C=1, class_weight='balanced')) fitted on Data/golden_small.csv (see Data/make_golden.py).
        double[] coefficients =
        [
            0.09998657698490729, 1.0748094742902214, -0.012996417938930693, 0.06421719898368912, -0.5117277799386473,
            -0.4738006518927704, -0.0850196079767901, -0.869691696012268, -0.3785489394259787,
        ];
        const double intercept = -0.11904948228121581;
        double[] probabilities = [0.589597422603088, 0.13811913389592836, 0.8349309941357672, 0.5665182379694009, 0.3116762647468061];

        var data = TestData.GoldenSmall();
        var model = ClickModelTrainer.Train(data, ClickTrainingOptions.Default with { Tolerance = 1e-10 });
        for (var j = 0; j < coefficients.Length; j++)
            Assert.Equal(coefficients[j], model.Coefficients[j], 1e-6);
        Assert.Equal(intercept, model.Intercept, 1e-6);
        for (var r = 0; r < probabilities.Length; r++)
            Assert.Equal(probabilities[r], model.PredictProbability(data.Row(r)), 1e-7);
    }

    [Fact]
    public void SaveLoad_RoundtripGivesIdenticalPredictions()
    {
        var model = TrainSmall();
        var path = Path.Combine(_directory, "model.json");
        model.Save(path);
        var loaded = ClickModel.Load(path);

        Assert.Equal(model.FeatureNames, loaded.FeatureNames);
        Assert.Equal(model.Threshold, loaded.Threshold);
        Assert.Equal(model.Intercept, loaded.Intercept);
        Assert.Equal(model.Coefficients.ToArray(), loaded.Coefficients.ToArray());
        Assert.Equal(model.Training, loaded.Training);
        var data = TestData.Interaction(300, seed: 99);
        Assert.Equal(model.PredictProbabilities(data), loaded.PredictProbabilities(data)); // bit-identical
    }

    [Fact]
    public void Save_WritesVersionedSnakeCaseJson()
    {
        var path = Path.Combine(_directory, "model.json");
        TrainSmall().Save(path);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.Equal("format", root.First().Key);
        Assert.Equal("exania.click-model", (string?)root["format"]);
        Assert.Equal(1, (int?)root["version"]);
        Assert.Equal(230, root["coefficients"]!.AsArray().Count);
        Assert.Equal(230, root["terms"]!.AsArray().Count);
        Assert.Equal(20, root["scaler"]!["means"]!.AsArray().Count);
        Assert.Equal(2, (int?)root["degree"]);
        Assert.NotNull(root["training"]!["cv_auc_mean"]);
        Assert.Equal("x0", (string?)root["feature_names"]![0]);
    }

    [Fact]
    public void PredictProbability_IsSigmoidOfExpandedStandardizedDotProduct()
    {
        var model = TrainSmall();
        var data = TestData.Interaction(5, seed: 7);
        var standardized = new double[20];
        var expanded = new double[model.Expansion.TermCount];
        model.Scaler.Transform(data.Row(2), standardized);
        model.Expansion.Expand(standardized, expanded);
        var z = model.Intercept;
        for (var t = 0; t < expanded.Length; t++)
            z += expanded[t] * model.Coefficients[t];
        Assert.Equal(1 / (1 + Math.Exp(-z)), model.PredictProbability(data.Row(2)), 1e-12);
        Assert.Equal(model.PredictProbability(data.Row(2)) >= model.Threshold, model.PredictClick(data.Row(2)));
    }

    [Theory]
    [InlineData("format", "\"other.model\"", "format is \"other.model\", expected \"exania.click-model\"")]
    [InlineData("version", "2", "version 2 is not supported")]
    [InlineData("degree", "3", "terms, but 20 features at degree 3 give 1770")]
    [InlineData("intercept", "null", "missing \"intercept\"")]
    public void Load_RejectsWrongFormatVersionOrShape(string field, string json, string expected)
    {
        var path = Path.Combine(_directory, "model.json");
        var root = JsonNode.Parse(TrainSmall().ToJson())!.AsObject();
        root[field] = JsonNode.Parse(json);
        File.WriteAllText(path, root.ToJsonString());
        var e = Assert.Throws<ModelFormatException>(() => ClickModel.Load(path));
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Load_RejectsMissingCoefficient()
    {
        var path = Path.Combine(_directory, "model.json");
        var root = JsonNode.Parse(TrainSmall().ToJson())!.AsObject();
        root["coefficients"]!.AsArray().RemoveAt(0);
        File.WriteAllText(path, root.ToJsonString());
        var e = Assert.Throws<ModelFormatException>(() => ClickModel.Load(path));
        Assert.Contains("229 coefficients for 230 terms", e.Message);
    }

    [Fact]
    public void Load_RejectsTruncatedFile()
    {
        var path = Path.Combine(_directory, "model.json");
        var json = TrainSmall().ToJson();
        File.WriteAllText(path, json[..(json.Length / 2)]);
        var e = Assert.Throws<ModelFormatException>(() => ClickModel.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.IsAssignableFrom<JsonException>(e.InnerException);
    }

    [Fact]
    public void Save_Failing_LeavesNoPartialFile()
    {
        // The target is a directory, so the final rename fails after the temporary file was written.
        var path = Path.Combine(_directory, "model.json");
        Directory.CreateDirectory(path);
        Assert.ThrowsAny<IOException>(() => TrainSmall().Save(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_directory));
        Assert.Empty(Directory.GetFileSystemEntries(path));
    }

    [Fact]
    public void Save_Overwrites_ExistingModelAtomically()
    {
        var path = Path.Combine(_directory, "model.json");
        File.WriteAllText(path, "old");
        var model = TrainSmall();
        model.Save(path);
        Assert.Equal(model.ToJson(), File.ReadAllText(path));
        Assert.Single(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void PredictProbabilities_RejectsReorderedColumns()
    {
        var model = TrainSmall();
        var data = TestData.Interaction(10, seed: 1);
        var names = data.ColumnNames.ToArray();
        (names[0], names[1]) = (names[1], names[0]);
        var swapped = new LabeledMatrix(data.Values, data.Rows, data.Columns, names, data.Labels);
        var e = Assert.Throws<ArgumentException>(() => model.PredictProbabilities(swapped));
        Assert.Contains("Column 0 of the data is 'x1'; the model expects 'x0'", e.Message);
    }
}
