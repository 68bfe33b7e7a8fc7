using System.Text.Json;
using System.Text.Json.Serialization;
using Exania.Core;

namespace Exania.Trees;

/// <summary>How <see cref="GbtModel.Importance"/> ranks features (XGBoost's <c>importance_type</c>).</summary>
public enum GbtImportanceType
{
    /// <summary>Average gain of the feature's splits (XGBoost <c>gain</c>).</summary>
    Gain,

    /// <summary>Summed gain of the feature's splits (<c>total_gain</c>).</summary>
    TotalGain,

    /// <summary>Number of splits on the feature (<c>weight</c>).</summary>
    Weight,

    /// <summary>Average hessian sum of the feature's split nodes (<c>cover</c>).</summary>
    Cover,

    /// <summary>Summed hessian sum of the feature's split nodes (<c>total_cover</c>).</summary>
    TotalCover,
}

/// <summary>One feature's importance; <see cref="Index"/> is its column in <see cref="GbtModel.FeatureNames"/>.</summary>
public sealed record FeatureImportance(string Feature, int Index, double Value);

/// <summary>How a <see cref="GbtModel"/> was trained; stored in the model file for provenance.</summary>
public sealed record GbtTrainingInfo
{
    public int Rows { get; init; }

    public int ValidationRows { get; init; }

    /// <summary>Rounds run before stopping (early stopping may have cut the kept trees to <see cref="BestIteration"/> + 1).</summary>
    public int RoundsTrained { get; init; }

    /// <summary>0-based round with the best validation metric (the last round without validation).</summary>
    public int BestIteration { get; init; }

    /// <summary><c>rmse</c> or <c>logloss</c>, when a validation set was given.</summary>
    public string? Metric { get; init; }

    public double? BestScore { get; init; }

    /// <summary>The validation metric after each round.</summary>
    public double[]? ValidationHistory { get; init; }

    /// <summary>
    /// The same metric on the training rows after each round (every round run, as <see cref="ValidationHistory"/>):
    /// index r is the loss of the first r + 1 trees. Null in models written before it was recorded.
    /// </summary>
    public double[]? TrainingHistory { get; init; }

    public GbtOptions? Options { get; init; }
}

/// <summary>
/// A gradient-boosted tree ensemble: <c>margin = BaseScore + Σ tree leaf weights</c>; <see cref="Predict(ReadOnlySpan{double})"/>
/// returns the margin for squared error and <c>σ(margin)</c> for logistic.
/// </summary>
/// <remarks>
/// <para><b>File format</b> (UTF-8 JSON, written atomically; snake_case):</para>
/// <code>
/// { "format": "exania.gbt-model", "version": 1,
///   "objective": "squared_error" | "logistic",
///   "base_score": margin (a logit for logistic),
///   "feature_names": [model input columns, in order],
///   "encoder": { "max_cardinality": 100, "columns": [{ "name", "kind": "numeric" | "one_hot" | "dropped", "categories": [..] }] },   // optional
///   "trees": [{ "feature": [..], "threshold": [..], "default_left": [..], "left": [..], "right": [..],
///               "value": [..], "gain": [..], "cover": [..] }],                 // one entry per node; see GbtTree
///   "training": { rows, validation_rows, rounds_trained, best_iteration, metric, best_score, validation_history, training_history, options } }
/// </code>
/// <para>Doubles are written in shortest round-trip form, so a loaded model predicts bit-identically.</para>
/// </remarks>
public sealed class GbtModel
{
    /// <summary>The value of the file's top-level <c>"format"</c>.</summary>
    public const string Format = Exania.Core.ModelFile.RoasFormat;

    /// <summary>The file format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private const int ParallelBlock = 1024;

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    private readonly string[] _featureNames;
    private readonly GbtTree[] _trees;

    /// <exception cref="ArgumentException">No feature names, a tree splits on a feature beyond them, the base score is not finite, or the encoder's outputs differ from the feature names.</exception>
    public GbtModel(IReadOnlyList<string> featureNames, GbtObjective objective, double baseScore, IReadOnlyList<GbtTree> trees,
        FeatureEncoder? encoder = null, GbtTrainingInfo? training = null)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(trees);
        if (featureNames.Count == 0)
            ExaniaThrow.Argument("A model needs at least one feature.", nameof(featureNames));
        for (var i = 0; i < featureNames.Count; i++)
        {
            if (string.IsNullOrEmpty(featureNames[i]))
                ExaniaThrow.Argument($"Feature name {i} is empty.", nameof(featureNames));
        }
        if (objective is not (GbtObjective.SquaredError or GbtObjective.Logistic))
            ExaniaThrow.ArgumentOutOfRange(nameof(objective), objective, "Unknown objective.");
        if (!double.IsFinite(baseScore))
            ExaniaThrow.Argument($"Base score is {baseScore}; it must be finite.", nameof(baseScore));
        for (var t = 0; t < trees.Count; t++)
        {
            ArgumentNullException.ThrowIfNull(trees[t], nameof(trees));
            if (trees[t].MaxFeature() >= featureNames.Count)
                ExaniaThrow.Argument($"Tree {t} splits on feature {trees[t].MaxFeature()}, but there are {featureNames.Count} features.", nameof(trees));
        }
        if (encoder is not null && !encoder.OutputNames.SequenceEqual(featureNames, StringComparer.Ordinal))
            ExaniaThrow.Argument($"The encoder outputs [{string.Join(", ", encoder.OutputNames)}] but the model's features are [{string.Join(", ", featureNames)}].", nameof(encoder));
        _featureNames = [.. featureNames];
        _trees = [.. trees];
        Objective = objective;
        BaseScore = baseScore;
        Encoder = encoder;
        Training = training;
    }

    /// <summary>Input feature names, in the order <see cref="Predict(ReadOnlySpan{double})"/> expects.</summary>
    public IReadOnlyList<string> FeatureNames => _featureNames;

    public GbtObjective Objective { get; }

    /// <summary>The initial margin: the mean target for squared error, its log-odds for logistic (unless set in the options).</summary>
    public double BaseScore { get; }

    public IReadOnlyList<GbtTree> Trees => _trees;

    /// <summary>The encoding of raw columns into <see cref="FeatureNames"/>, when the model was trained through one.</summary>
    public FeatureEncoder? Encoder { get; }

    public GbtTrainingInfo? Training { get; }

    /// <summary>The file format version of this model.</summary>
    public int Version => FormatVersion;

    /// <summary><c>BaseScore + Σ leaf weights</c> for one row of <see cref="FeatureNames"/>-ordered values (NaN = missing). Allocation-free; thread-safe.</summary>
    public double PredictMargin(ReadOnlySpan<double> row)
    {
        if (row.Length != _featureNames.Length)
            ExaniaThrow.LengthMismatch(nameof(row), _featureNames.Length, row.Length);
        var sum = BaseScore;
        foreach (var tree in _trees)
            sum += tree.Predict(row);
        return sum;
    }

    /// <summary>The prediction for one row: the margin for squared error, the probability σ(margin) for logistic.</summary>
    public double Predict(ReadOnlySpan<double> row) => Transform(PredictMargin(row));

    /// <summary>Predictions for a row-major batch, sequentially; <paramref name="destination"/> gets one value per row.</summary>
    public void Predict(ReadOnlySpan<double> rowMajor, Span<double> destination)
    {
        var rows = CheckBatch(rowMajor.Length, destination.Length);
        var width = _featureNames.Length;
        for (var r = 0; r < rows; r++)
            destination[r] = Predict(rowMajor.Slice(r * width, width));
    }

    /// <summary>Predictions for a row-major batch, in parallel over blocks of rows (<paramref name="threads"/> 0 = all processors).</summary>
    public void Predict(ReadOnlyMemory<double> rowMajor, Memory<double> destination, int threads = 0)
    {
        var rows = CheckBatch(rowMajor.Length, destination.Length);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        var width = _featureNames.Length;
        var options = Parallelism.Options(threads);
        Parallel.For(0, (rows + ParallelBlock - 1) / ParallelBlock, options, b =>
        {
            var end = Math.Min(rows, (b + 1) * ParallelBlock);
            var source = rowMajor.Span;
            var target = destination.Span;
            for (var r = b * ParallelBlock; r < end; r++)
                target[r] = Predict(source.Slice(r * width, width));
        });
    }

    /// <summary>Predictions for every row of <paramref name="data"/>, whose columns must be <see cref="FeatureNames"/> in order; parallel.</summary>
    public double[] Predict(GbtDataset data, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckColumns(data.ColumnNames);
        var result = new double[data.Rows];
        Predict(data.Values, result, threads);
        return result;
    }

    /// <summary>Encodes raw columns with <see cref="Encoder"/> and predicts every row.</summary>
    /// <exception cref="InvalidOperationException">The model has no encoder.</exception>
    public double[] Predict(IReadOnlyList<RawColumn> columns, int threads = 0)
    {
        if (Encoder is null)
            ExaniaThrow.InvalidOperation("This model has no feature encoder; pass encoded rows instead.");
        var values = Encoder.Transform(columns);
        var result = new double[values.Length / _featureNames.Length];
        Predict(values, result, threads);
        return result;
    }

    /// <summary>Features ranked by <paramref name="type"/>, largest first (ties by column); features never split on are left out, as XGBoost's <c>get_score</c>.</summary>
    public IReadOnlyList<FeatureImportance> Importance(GbtImportanceType type = GbtImportanceType.Gain)
    {
        var count = new int[_featureNames.Length];
        var gain = new double[_featureNames.Length];
        var cover = new double[_featureNames.Length];
        foreach (var tree in _trees)
        {
            for (var i = 0; i < tree.NodeCount; i++)
            {
                var f = tree.Feature[i];
                if (f < 0)
                    continue;
                count[f]++;
                gain[f] += tree.Gain[i];
                cover[f] += tree.Cover[i];
            }
        }
        var result = new List<FeatureImportance>();
        for (var f = 0; f < count.Length; f++)
        {
            if (count[f] == 0)
                continue;
            var value = type switch
            {
                GbtImportanceType.Gain => gain[f] / count[f],
                GbtImportanceType.TotalGain => gain[f],
                GbtImportanceType.Weight => count[f],
                GbtImportanceType.Cover => cover[f] / count[f],
                GbtImportanceType.TotalCover => cover[f],
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown importance type."),
            };
            result.Add(new FeatureImportance(_featureNames[f], f, value));
        }
        result.Sort((a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : a.Index.CompareTo(b.Index));
        return result;
    }

    /// <summary>A model with only the first <paramref name="count"/> trees.</summary>
    public GbtModel Truncate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _trees.Length);
        return new GbtModel(_featureNames, Objective, BaseScore, _trees[..count], Encoder, Training);
    }

    internal double Transform(double margin) =>
        Objective == GbtObjective.Logistic ? 1 / (1 + Math.Exp(-margin)) : margin;

    private int CheckBatch(int values, int destination)
    {
        var width = _featureNames.Length;
        if (values % width != 0)
            ExaniaThrow.Argument($"{values} values is not a whole number of rows of {width} features.", "rowMajor");
        var rows = values / width;
        if (destination < rows)
            ExaniaThrow.DestinationTooShort("destination", rows, destination);
        return rows;
    }

    private void CheckColumns(IReadOnlyList<string> names)
    {
        if (names.Count != _featureNames.Length)
            ExaniaThrow.Argument($"The data has {names.Count} columns; the model expects {_featureNames.Length} ({string.Join(", ", _featureNames)}).", "data");
        for (var c = 0; c < _featureNames.Length; c++)
        {
            if (!string.Equals(names[c], _featureNames[c], StringComparison.Ordinal))
                ExaniaThrow.Argument($"Column {c} of the data is '{names[c]}'; the model expects '{_featureNames[c]}'.", "data");
        }
    }

    // ---- persistence --------------------------------------------------------------------------------------------

    /// <summary>Serialises the model as format-<see cref="FormatVersion"/> JSON.</summary>
    public string ToJson()
    {
        var trees = new TreeFile[_trees.Length];
        for (var t = 0; t < trees.Length; t++)
        {
            var tree = _trees[t];
            trees[t] = new TreeFile
            {
                Feature = tree.FeatureArray,
                Threshold = tree.ThresholdArray,
                DefaultLeft = tree.DefaultLeftArray,
                Left = tree.LeftArray,
                Right = tree.RightArray,
                Value = tree.ValueArray,
                Gain = tree.GainArray,
                Cover = tree.CoverArray,
            };
        }
        var file = new ModelFile
        {
            Format = Format,
            Version = FormatVersion,
            Objective = Objective,
            BaseScore = BaseScore,
            FeatureNames = _featureNames,
            Encoder = Encoder is { } e ? FeatureEncoderFile.From(e) : null,
            Trees = trees,
            Training = Training,
        };
        return JsonSerializer.Serialize(file, s_json);
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically (a temporary file renamed over the target).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Loads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">The file is not valid JSON, has the wrong format or version, or inconsistent trees; the message names the file and the problem.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static GbtModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>Parses model JSON; <paramref name="source"/> names the origin in error messages.</summary>
    /// <exception cref="ModelFormatException">See <see cref="Load"/>.</exception>
    public static GbtModel FromJson(string json, string source = "<string>")
    {
        ArgumentNullException.ThrowIfNull(json);
        var file = VersionedModelJson.Parse<ModelFile>(json, source, ModelKind.Roas, FormatVersion, s_json);
        var objective = file.Objective ?? throw new ModelFormatException(source, "missing \"objective\".");
        var baseScore = file.BaseScore ?? throw new ModelFormatException(source, "missing \"base_score\".");
        var names = file.FeatureNames ?? throw new ModelFormatException(source, "missing \"feature_names\".");
        var treeFiles = file.Trees ?? throw new ModelFormatException(source, "missing \"trees\".");

        var trees = new GbtTree[treeFiles.Length];
        for (var t = 0; t < trees.Length; t++)
        {
            var f = treeFiles[t] ?? throw new ModelFormatException(source, $"trees[{t}] is null.");
            try
            {
                trees[t] = new GbtTree(
                    f.Feature ?? throw Missing(source, t, "feature"),
                    f.Threshold ?? throw Missing(source, t, "threshold"),
                    f.DefaultLeft ?? throw Missing(source, t, "default_left"),
                    f.Left ?? throw Missing(source, t, "left"),
                    f.Right ?? throw Missing(source, t, "right"),
                    f.Value ?? throw Missing(source, t, "value"),
                    f.Gain ?? throw Missing(source, t, "gain"),
                    f.Cover ?? throw Missing(source, t, "cover"));
            }
            catch (ArgumentException e)
            {
                throw new ModelFormatException(source, $"trees[{t}]: {e.Message}", e);
            }
        }
        try
        {
            var encoder = file.Encoder?.ToEncoder(source);
            return new GbtModel(names, objective, baseScore, trees, encoder, file.Training);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(source, e.Message, e);
        }
    }

    private static ModelFormatException Missing(string source, int tree, string field) =>
        new(source, $"trees[{tree}] has no \"{field}\".");

    private sealed class ModelFile
    {
        public string? Format { get; set; }
        public int? Version { get; set; }
        public GbtObjective? Objective { get; set; }
        public double? BaseScore { get; set; }
        public string[]? FeatureNames { get; set; }
        public FeatureEncoderFile? Encoder { get; set; }
        public TreeFile?[]? Trees { get; set; }
        public GbtTrainingInfo? Training { get; set; }
    }

    private sealed class TreeFile
    {
        public int[]? Feature { get; set; }
        public double[]? Threshold { get; set; }
        public bool[]? DefaultLeft { get; set; }
        public int[]? Left { get; set; }
        public int[]? Right { get; set; }
        public double[]? Value { get; set; }
        public double[]? Gain { get; set; }
        public double[]? Cover { get; set; }
    }
}
