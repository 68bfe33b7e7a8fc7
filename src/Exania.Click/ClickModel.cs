using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Serialization;
using Exania.Core;
using Exania.Learning;

namespace Exania.Click;

/// <summary>How a <see cref="ClickModel"/> was trained; stored in the model file for provenance.</summary>
public sealed record ClickModelTraining
{
    public int Rows { get; init; }
    public double PositiveRate { get; init; }
    public double C { get; init; }
    public bool ClassBalancing { get; init; }
    public int Seed { get; init; }
    public int Folds { get; init; }
    public int Iterations { get; init; }
    public bool Converged { get; init; }
    /// <summary>Mean per-fold ROC AUC of the cross-validation that chose the threshold.</summary>
    public double CvAucMean { get; init; }
    /// <summary>Average precision of the pooled out-of-fold predictions.</summary>
    public double CvPrAuc { get; init; }
}

/// <summary>
/// The ad-click model: <c>p = sigmoid(w . poly(standardize(x)) + b)</c>, predicting a click when <c>p >= Threshold</c>.
/// </summary>
/// <remarks>
/// <para><b>File format</b> (UTF-8 JSON, written atomically; snake_case):</para>
/// <code>
/// { "format": "exania.click-model", "version": 1,
///   "feature_names": [20 names, input order],
///   "scaler": { "means": [..], "scales": [..] },     // z = (x - mean) / scale
///   "degree": 2,
///   "terms": [[0], [1], .., [0, 0], [0, 1], ..],       // input indices multiplied per expanded term (sklearn order)
///   "coefficients": [one per term], "intercept": b, "threshold": t,
///   "training": { rows, positive_rate, c, class_balancing, seed, folds, iterations, converged, cv_auc_mean, cv_pr_auc } }
/// </code>
/// <para>Doubles are written in shortest round-trip form, so a loaded model predicts bit-identically.</para>
/// </remarks>
public sealed class ClickModel
{
    /// <summary>The value of the file's top-level <c>"format"</c>.</summary>
    public const string Format = Exania.Core.ModelFile.ClickFormat;

    /// <summary>The file format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private const int StackScratchLimit = 2048;

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string[] _featureNames;
    private readonly double[] _coefficients;

    /// <exception cref="ArgumentException">Shapes do not agree, or a value is not finite, or the threshold is outside [0, 1].</exception>
    public ClickModel(IReadOnlyList<string> featureNames, Standardizer scaler, PolynomialExpansion expansion,
        double[] coefficients, double intercept, double threshold, ClickModelTraining? training = null)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(scaler);
        ArgumentNullException.ThrowIfNull(expansion);
        ArgumentNullException.ThrowIfNull(coefficients);
        if (featureNames.Count != scaler.Columns)
            ExaniaThrow.Argument($"{featureNames.Count} feature names but the scaler has {scaler.Columns} columns.", nameof(featureNames));
        if (expansion.Inputs != scaler.Columns)
            ExaniaThrow.Argument($"The expansion takes {expansion.Inputs} inputs but the scaler has {scaler.Columns} columns.", nameof(expansion));
        if (coefficients.Length != expansion.TermCount)
            ExaniaThrow.Argument($"{coefficients.Length} coefficients for {expansion.TermCount} expanded terms.", nameof(coefficients));
        for (var i = 0; i < coefficients.Length; i++)
        {
            if (!double.IsFinite(coefficients[i]))
                ExaniaThrow.Argument($"Coefficient {i} is {coefficients[i]}; it must be finite.", nameof(coefficients));
        }
        if (!double.IsFinite(intercept))
            ExaniaThrow.Argument($"Intercept is {intercept}; it must be finite.", nameof(intercept));
        if (!(threshold >= 0 && threshold <= 1))
            ExaniaThrow.ArgumentOutOfRange(nameof(threshold), threshold, "The threshold is a probability in [0, 1].");

        _featureNames = [.. featureNames];
        Scaler = scaler;
        Expansion = expansion;
        _coefficients = coefficients;
        Intercept = intercept;
        Threshold = threshold;
        Training = training;
    }

    /// <summary>Input feature names, in the order <see cref="PredictProbability"/> expects.</summary>
    public IReadOnlyList<string> FeatureNames => _featureNames;

    public Standardizer Scaler { get; }

    public PolynomialExpansion Expansion { get; }

    public int Degree => Expansion.Degree;

    /// <summary>One coefficient per expanded term.</summary>
    public ReadOnlySpan<double> Coefficients => _coefficients;

    public double Intercept { get; }

    /// <summary>Decision threshold on the probability (chosen by cross-validation to maximise F1).</summary>
    public double Threshold { get; }

    /// <summary>The file format version of this model.</summary>
    public int Version => FormatVersion;

    public ClickModelTraining? Training { get; }

    /// <summary>Click probability for one row of <see cref="FeatureNames"/>-ordered features. Allocation-free for usual sizes; thread-safe.</summary>
    public double PredictProbability(ReadOnlySpan<double> features)
    {
        var inputs = _featureNames.Length;
        if (features.Length != inputs)
            ExaniaThrow.LengthMismatch(nameof(features), inputs, features.Length);
        var size = inputs + Expansion.TermCount;
        var scratch = size <= StackScratchLimit ? stackalloc double[size] : new double[size];
        return LogisticRegression.Sigmoid(Decision(features, scratch));
    }

    /// <summary>True when the click probability reaches <see cref="Threshold"/>.</summary>
    public bool PredictClick(ReadOnlySpan<double> features) => PredictProbability(features) >= Threshold;

    /// <summary>Probabilities for a row-major batch; <paramref name="destination"/> gets one value per row.</summary>
    public void PredictProbabilities(ReadOnlySpan<double> rowMajor, Span<double> destination)
    {
        var inputs = _featureNames.Length;
        if (rowMajor.Length % inputs != 0)
            ExaniaThrow.Argument($"{rowMajor.Length} values is not a whole number of rows of {inputs} features.", nameof(rowMajor));
        var rows = rowMajor.Length / inputs;
        if (destination.Length < rows)
            ExaniaThrow.DestinationTooShort(nameof(destination), rows, destination.Length);
        var scratch = new double[inputs + Expansion.TermCount];
        for (var r = 0; r < rows; r++)
            destination[r] = LogisticRegression.Sigmoid(Decision(rowMajor.Slice(r * inputs, inputs), scratch));
    }

    /// <summary>Probabilities for every row of <paramref name="data"/>, whose columns must be <see cref="FeatureNames"/> in order.</summary>
    public double[] PredictProbabilities(LabeledMatrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != _featureNames.Length)
            ExaniaThrow.Argument($"The data has {data.Columns} columns; the model expects {_featureNames.Length} ({string.Join(", ", _featureNames)}).", nameof(data));
        for (var c = 0; c < _featureNames.Length; c++)
        {
            if (!string.Equals(data.ColumnNames[c], _featureNames[c], StringComparison.Ordinal))
                ExaniaThrow.Argument($"Column {c} of the data is '{data.ColumnNames[c]}'; the model expects '{_featureNames[c]}'.", nameof(data));
        }
        var result = new double[data.Rows];
        PredictProbabilities(data.Values, result);
        return result;
    }

    /// <summary>The linear score <c>w . poly(standardize(x)) + b</c>; <paramref name="scratch"/> holds inputs + terms doubles.</summary>
    internal double Decision(ReadOnlySpan<double> features, Span<double> scratch)
    {
        var inputs = _featureNames.Length;
        var standardized = scratch[..inputs];
        var expanded = scratch.Slice(inputs, _coefficients.Length);
        Scaler.Transform(features, standardized);
        Expansion.Expand(standardized, expanded);
        return TensorPrimitives.Dot(expanded, _coefficients) + Intercept;
    }

    /// <summary>Serialises the model as format-<see cref="FormatVersion"/> JSON.</summary>
    public string ToJson()
    {
        var file = new ModelFile
        {
            Format = Format,
            Version = FormatVersion,
            FeatureNames = _featureNames,
            Scaler = new ScalerFile { Means = Scaler.Means.ToArray(), Scales = Scaler.Scales.ToArray() },
            Degree = Expansion.Degree,
            Terms = Expansion.TermIndexLists(),
            Coefficients = _coefficients,
            Intercept = Intercept,
            Threshold = Threshold,
            Training = Training,
        };
        return JsonSerializer.Serialize(file, s_json);
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically (a temporary file renamed over the target).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Loads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">The file is not valid JSON, has the wrong format or version, or inconsistent shapes; the message names the file and the problem.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static ClickModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>Parses model JSON; <paramref name="source"/> names the origin in error messages.</summary>
    /// <exception cref="ModelFormatException">See <see cref="Load"/>.</exception>
    public static ClickModel FromJson(string json, string source = "<string>")
    {
        ArgumentNullException.ThrowIfNull(json);
        var file = VersionedModelJson.Parse<ModelFile>(json, source, ModelKind.Click, FormatVersion, s_json);

        var names = Require(file.FeatureNames, "feature_names", source);
        var means = Require(file.Scaler?.Means, "scaler.means", source);
        var scales = Require(file.Scaler?.Scales, "scaler.scales", source);
        var degree = Require(file.Degree, "degree", source);
        var terms = Require(file.Terms, "terms", source);
        var coefficients = Require(file.Coefficients, "coefficients", source);
        var intercept = Require(file.Intercept, "intercept", source);
        var threshold = Require(file.Threshold, "threshold", source);

        if (names.Length == 0)
            throw new ModelFormatException(source, "feature_names is empty.");
        for (var i = 0; i < names.Length; i++)
        {
            if (string.IsNullOrEmpty(names[i]))
                throw new ModelFormatException(source, $"feature_names[{i}] is null or empty.");
        }
        if (means.Length != names.Length || scales.Length != names.Length)
            throw new ModelFormatException(source, $"scaler has {means.Length} means and {scales.Length} scales for {names.Length} features.");
        if (degree < 1 || degree > 8)
            throw new ModelFormatException(source, $"degree {degree} is outside 1..8.");

        Standardizer scaler;
        PolynomialExpansion expansion;
        try
        {
            scaler = new Standardizer(means, scales);
            expansion = new PolynomialExpansion(names.Length, degree);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(source, e.Message, e);
        }
        if (terms.Length != expansion.TermCount)
            throw new ModelFormatException(source, $"{terms.Length} terms, but {names.Length} features at degree {degree} give {expansion.TermCount}.");
        for (var t = 0; t < terms.Length; t++)
        {
            if (terms[t] is null || !terms[t].AsSpan().SequenceEqual(expansion.TermIndices(t)))
                throw new ModelFormatException(source, $"term {t} is [{string.Join(", ", terms[t] ?? [])}], expected [{string.Join(", ", expansion.TermIndices(t).ToArray())}] (scikit-learn PolynomialFeatures order).");
        }
        if (coefficients.Length != expansion.TermCount)
            throw new ModelFormatException(source, $"{coefficients.Length} coefficients for {expansion.TermCount} terms.");
        try
        {
            return new ClickModel(names, scaler, expansion, coefficients, intercept, threshold, file.Training);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(source, e.Message, e);
        }
    }

    private static T Require<T>(T? value, string field, string source)
        where T : class =>
        value ?? throw new ModelFormatException(source, $"missing \"{field}\".");

    private static T Require<T>(T? value, string field, string source)
        where T : struct =>
        value ?? throw new ModelFormatException(source, $"missing \"{field}\".");

    private sealed class ModelFile
    {
        public string? Format { get; set; }
        public int? Version { get; set; }
        public string[]? FeatureNames { get; set; }
        public ScalerFile? Scaler { get; set; }
        public int? Degree { get; set; }
        public int[][]? Terms { get; set; }
        public double[]? Coefficients { get; set; }
        public double? Intercept { get; set; }
        public double? Threshold { get; set; }
        public ClickModelTraining? Training { get; set; }
    }

    private sealed class ScalerFile
    {
        public double[]? Means { get; set; }
        public double[]? Scales { get; set; }
    }
}
