using System.Text.Json;
using System.Text.Json.Serialization;
using Exania.Campaigns;
using Exania.Core;
using Exania.Learning;
using Exania.Trees;

namespace Exania.Conversion;

/// <summary>
/// A trained conversion network with everything needed to score new rows: the feature preparation, the network, its
/// heads and outputs, and per output the decision threshold chosen on validation rows.
/// </summary>
public sealed class ConversionModel
{
    /// <summary>Format id written in the file.</summary>
    public const string Format = ModelFile.ConversionFormat;

    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    private readonly float[] _parameters;
    private readonly double[] _thresholds;

    /// <exception cref="ArgumentException">The parts do not fit together (widths, head indices, parameter count, thresholds).</exception>
    public ConversionModel(ConversionPreprocessor preprocessor, ConversionNetworkShape shape, float[] parameters,
        IReadOnlyList<ConversionTask> tasks, bool esmm, IReadOnlyList<double> thresholds)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(thresholds);
        var (heads, outputs) = ConversionHeads.Plan(tasks, esmm);
        if (shape.Inputs != preprocessor.Width)
            ExaniaThrow.Argument($"The network reads {shape.Inputs} features; the preprocessor makes {preprocessor.Width}.", nameof(shape));
        if (shape.Heads != heads.Count)
            ExaniaThrow.Argument($"The network has {shape.Heads} heads; the tasks need {heads.Count}.", nameof(shape));
        if (parameters.Length != shape.ParameterCount)
            ExaniaThrow.LengthMismatch(nameof(parameters), shape.ParameterCount, parameters.Length);
        foreach (var p in parameters)
        {
            if (!float.IsFinite(p))
                ExaniaThrow.Argument("A network parameter is not finite.", nameof(parameters));
        }
        if (thresholds.Count != outputs.Count)
            ExaniaThrow.LengthMismatch(nameof(thresholds), outputs.Count, thresholds.Count);
        Preprocessor = preprocessor;
        Shape = shape;
        _parameters = parameters;
        Tasks = tasks;
        Esmm = esmm;
        Heads = heads;
        Outputs = outputs;
        _thresholds = [.. thresholds];
    }

    public ConversionPreprocessor Preprocessor { get; }

    public ConversionNetworkShape Shape { get; }

    public ReadOnlySpan<float> Parameters => _parameters;

    public IReadOnlyList<ConversionTask> Tasks { get; }

    public bool Esmm { get; }

    public IReadOnlyList<ConversionHead> Heads { get; }

    /// <summary>The probabilities <see cref="Predict(ReadOnlySpan{double}, Span{double})"/> returns, in order.</summary>
    public IReadOnlyList<ConversionOutput> Outputs { get; }

    /// <summary>Per output, the threshold at or above which a row is predicted positive (best F1 on the validation rows).</summary>
    public IReadOnlyList<double> Thresholds => _thresholds;

    /// <summary>The columns a table must have to be scored (its text columns one-hot encoded, unknown categories all zero).</summary>
    public IReadOnlyList<string> InputColumns => [.. Preprocessor.Encoder.Columns.Where(c => c.Kind != EncodedColumnKind.Dropped).Select(c => c.Name)];

    /// <summary>The outputs' probabilities for one encoded row (<see cref="ConversionPreprocessor.Encode"/>: NaN = missing).</summary>
    /// <exception cref="ArgumentException">The row or the destination has the wrong length.</exception>
    public void Predict(ReadOnlySpan<double> encodedRow, Span<double> destination)
    {
        if (encodedRow.Length != Shape.Inputs)
            ExaniaThrow.LengthMismatch(nameof(encodedRow), Shape.Inputs, encodedRow.Length);
        if (destination.Length < Outputs.Count)
            ExaniaThrow.DestinationTooShort(nameof(destination), Outputs.Count, destination.Length);
        var standardized = new double[Shape.Inputs];
        encodedRow.CopyTo(standardized);
        Preprocessor.Standardize(standardized);
        var x = new float[Shape.Inputs];
        for (var i = 0; i < x.Length; i++)
            x[i] = (float)standardized[i];
        Span<float> logits = stackalloc float[Shape.Heads];
        ConversionKernels<float>.Forward(Shape, _parameters, x, new float[Shape.HiddenUnits], logits);
        Probabilities(logits, destination);
    }

    /// <summary>
    /// A table's rows encoded as the exported graph takes them (<see cref="ConversionOnnxExporter"/>: one-hot text, NaN
    /// for missing; the graph imputes and standardizes), row-major.
    /// </summary>
    /// <exception cref="ArgumentException">A column the model needs is missing or of the other kind.</exception>
    public double[] Encode(CampaignTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Preprocessor.Encoder.Transform(ConversionDataset.RawColumns(table));
    }

    /// <summary>Scores every row of a table (extra columns are ignored); row-major, <see cref="Outputs"/>.Count values per row.</summary>
    /// <exception cref="ArgumentException">A column the model needs is missing or of the other kind (text for numbers).</exception>
    public double[] Predict(CampaignTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return PredictStandardized(Standardized(Encode(table)));
    }

    internal double[] Standardized(double[] encoded)
    {
        Preprocessor.Standardize(encoded);
        return encoded;
    }

    /// <summary>Outputs of rows already imputed and standardized.</summary>
    internal double[] PredictStandardized(double[] standardized)
    {
        var rows = standardized.Length / Shape.Inputs;
        var result = new double[rows * Outputs.Count];
        var x = new float[Shape.Inputs];
        var activations = new float[Shape.HiddenUnits];
        var logits = new float[Shape.Heads];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < x.Length; i++)
                x[i] = (float)standardized[r * Shape.Inputs + i];
            ConversionKernels<float>.Forward(Shape, _parameters, x, activations, logits);
            Probabilities(logits, result.AsSpan(r * Outputs.Count, Outputs.Count));
        }
        return result;
    }

    private void Probabilities(ReadOnlySpan<float> logits, Span<double> destination)
    {
        for (var o = 0; o < Outputs.Count; o++)
        {
            var output = Outputs[o];
            var p = ConversionKernels<double>.Sigmoid(logits[output.Head]);
            if (output.Partner >= 0)
                p *= ConversionKernels<double>.Sigmoid(logits[output.Partner]);
            destination[o] = p;
        }
    }

    // ---- persistence --------------------------------------------------------------------------------------------

    public string ToJson() => JsonSerializer.Serialize(new ModelJson
    {
        Format = Format,
        Version = FormatVersion,
        Tasks = [.. Tasks.Select(t => new TaskJson { Target = t.Target, Given = t.Given, Weight = t.Weight })],
        Esmm = Esmm,
        Encoder = FeatureEncoderFile.From(Preprocessor.Encoder),
        Medians = [.. Preprocessor.Medians],
        Means = Preprocessor.Standardizer.Means.ToArray(),
        Scales = Preprocessor.Standardizer.Scales.ToArray(),
        Hidden = [.. Shape.Hidden],
        Outputs = [.. Outputs.Select(o => o.Name)],
        Thresholds = _thresholds,
        Parameters = _parameters,
    }, s_json);

    /// <summary>Writes the model atomically (a temporary file renamed over the target).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <exception cref="ModelFormatException">Not a conversion model of this version, or inconsistent; the message names the file.</exception>
    public static ConversionModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return FromJson(File.ReadAllText(path), path);
    }

    /// <exception cref="ModelFormatException">See <see cref="Load"/>.</exception>
    public static ConversionModel FromJson(string json, string source = "<string>")
    {
        var file = VersionedModelJson.Parse<ModelJson>(json, source, ModelKind.Conversion, FormatVersion, s_json);
        T Need<T>(T? value, string field) where T : class => value ?? throw new ModelFormatException(source, $"missing \"{field}\".");
        try
        {
            var tasks = Need(file.Tasks, "tasks").Select((t, i) =>
            {
                var task = Need(t, $"tasks[{i}]");
                return new ConversionTask(task.Target ?? throw new ModelFormatException(source, $"tasks[{i}] has no target."), task.Given, task.Weight ?? 1);
            }).ToList();
            var encoder = Need(file.Encoder, "encoder").ToEncoder(source);
            var preprocessor = new ConversionPreprocessor(encoder, Need(file.Medians, "medians"), new Standardizer(Need(file.Means, "means"), Need(file.Scales, "scales")));
            var (heads, _) = ConversionHeads.Plan(ConversionTask.Validate(tasks), file.Esmm ?? false);
            var shape = new ConversionNetworkShape(encoder.OutputWidth, Need(file.Hidden, "hidden"), heads.Count);
            return new ConversionModel(preprocessor, shape, Need(file.Parameters, "parameters"), tasks, file.Esmm ?? false, Need(file.Thresholds, "thresholds"));
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(source, e.Message, e);
        }
    }

    private sealed class ModelJson
    {
        public string? Format { get; set; }
        public int? Version { get; set; }
        public TaskJson?[]? Tasks { get; set; }
        public bool? Esmm { get; set; }
        public FeatureEncoderFile? Encoder { get; set; }
        public double[]? Medians { get; set; }
        public double[]? Means { get; set; }
        public double[]? Scales { get; set; }
        public int[]? Hidden { get; set; }
        public string[]? Outputs { get; set; }
        public double[]? Thresholds { get; set; }
        public float[]? Parameters { get; set; }
    }

    private sealed class TaskJson
    {
        public string? Target { get; set; }
        public string? Given { get; set; }
        public double? Weight { get; set; }
    }
}
