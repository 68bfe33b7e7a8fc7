using Exania.Click;
using Exania.Events;
using Exania.Features;
using Exania.Learning;
using Exania.Synthetic;

namespace Exania.Onnx.Tests;

/// <summary>
/// Click models shared by the tests: degree 1 and 2 trained on generated windows (seed 3, 400 sessions; degree 2 also with C = 100), and a degree 3
/// model on the same scaler with seeded random coefficients (a real degree-3 fit needs a 1,771-square Hessian, too
/// slow for a unit test; the expansion is what the export must get right).
/// </summary>
public sealed class ClickModels
{
    public ClickModels()
    {
        var log = new InteractionGenerator(new GeneratorOptions { Seed = 3 }).Generate(400);
        var table = WindowExtractor.Extract(log, SessionIndex.Build(log));
        Rows = table.Rows;
        var data = ClickData.FromWindows(table);
        Degree1 = ClickModelTrainer.Train(data, new ClickTrainingOptions { Degree = 1, Folds = 3 });
        Degree2 = ClickModelTrainer.Train(data, new ClickTrainingOptions { Degree = 2, Folds = 3 });
        // Weak regularization (train click --c 100) gives larger coefficients, whose terms cancel more.
        Degree2WeakL2 = ClickModelTrainer.Train(data, new ClickTrainingOptions { Degree = 2, Folds = 3, C = 100 });

        var expansion = new PolynomialExpansion(WindowFeatures.Count, 3);
        var random = new Random(17);
        var coefficients = new double[expansion.TermCount];
        for (var i = 0; i < coefficients.Length; i++)
            coefficients[i] = (random.NextDouble() - 0.5) * 0.02;
        Degree3 = new ClickModel(WindowFeatures.Names, Degree2.Scaler, expansion, coefficients, -1.5, 0.3);

        // The graph takes float32 features, so both sides score the float-rounded values.
        Features = new float[table.Features.Length];
        for (var i = 0; i < Features.Length; i++)
            Features[i] = (float)table.Features[i];
    }

    public int Rows { get; }

    /// <summary>All windows' features, row-major, rounded to float32.</summary>
    public float[] Features { get; }

    public ClickModel Degree1 { get; }

    public ClickModel Degree2 { get; }

    public ClickModel Degree2WeakL2 { get; }

    public ClickModel Degree3 { get; }

    /// <summary>"d1", "d2", "d2-c100" or "d3".</summary>
    public ClickModel ByName(string name) => name switch
    {
        "d1" => Degree1,
        "d2" => Degree2,
        "d2-c100" => Degree2WeakL2,
        "d3" => Degree3,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>C# probabilities of the float-rounded rows, in double.</summary>
    public double[] Reference(ClickModel model)
    {
        var values = new double[Features.Length];
        for (var i = 0; i < values.Length; i++)
            values[i] = Features[i];
        var p = new double[Rows];
        model.PredictProbabilities(values, p);
        return p;
    }
}

[CollectionDefinition("onnx", DisableParallelization = true)]
public sealed class OnnxCollection : ICollectionFixture<ClickModels>;

/// <summary>A temporary folder deleted at dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"exania-onnx-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}
