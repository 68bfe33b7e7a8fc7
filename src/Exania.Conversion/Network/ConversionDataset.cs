using Exania.Campaigns;
using Exania.Core;
using Exania.Learning;
using Exania.Trees;

namespace Exania.Conversion;

/// <summary>
/// A table made ready for the conversion models: the 0/1 label columns the tasks name, and the feature columns left
/// after the leakage rule (<see cref="ExcludedColumns"/>). Rows with a missing or unreadable label are skipped and counted.
/// </summary>
public sealed class ConversionDataset
{
    private readonly Dictionary<string, byte[]> _labels;

    private ConversionDataset(CampaignTable features, Dictionary<string, byte[]> labels, int skipped, IReadOnlyList<string> excluded)
    {
        Features = features;
        _labels = labels;
        SkippedRows = skipped;
        ExcludedColumns = excluded;
    }

    /// <summary>The session table's outcome columns: they describe what happened after the prefix, so they are never features.</summary>
    public static IReadOnlyList<string> OutcomeColumns { get; } = ["clicked", "conversion", "dropoff"];

    /// <summary>The feature columns of the kept rows.</summary>
    public CampaignTable Features { get; }

    public int Rows => Features.Rows;

    /// <summary>Rows left out because a label they need is missing or not 0/1-like.</summary>
    public int SkippedRows { get; }

    /// <summary>Columns that are not features: the labels, the outcome columns, ids and the caller's list, in that order.</summary>
    public IReadOnlyList<string> ExcludedColumns { get; }

    /// <summary>The 0/1 values of label column <paramref name="column"/> (a target or a condition of some task).</summary>
    public byte[] Label(string column) => _labels.TryGetValue(column, out var values)
        ? values
        : throw new ArgumentException($"'{column}' is not a label column of this dataset; its labels are {string.Join(", ", _labels.Keys)}.", nameof(column));

    /// <summary>
    /// Selects the labels and features. Features are every column except: the tasks' target and condition columns, the
    /// <see cref="OutcomeColumns"/>, id columns (<c>id</c> or a name ending in <c>_id</c>) and <paramref name="drop"/>.
    /// A label is read as 0/1 from a number (&gt; 0 is 1) or from true/false, yes/no, t/f, y/n (any case).
    /// </summary>
    /// <exception cref="ArgumentException">A named column is absent, a label column has one class only, or no feature is left.</exception>
    public static ConversionDataset From(CampaignTable table, IReadOnlyList<ConversionTask> tasks, IReadOnlyList<string>? drop = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ConversionTask.Validate(tasks);
        drop ??= [];
        var labelColumns = new List<string>();
        foreach (var task in tasks)
        {
            foreach (var name in task.Given is { } g ? new[] { task.Target, g } : [task.Target])
            {
                if (!labelColumns.Contains(name))
                    labelColumns.Add(name);
            }
        }
        foreach (var name in labelColumns.Concat(drop))
        {
            if (table.Find(name) is null)
                ExaniaThrow.Argument($"Column '{name}' is not in the table; its columns are {string.Join(", ", table.Columns.Select(c => c.Name))}.", nameof(tasks));
        }

        var rows = table.Rows;
        var parsed = labelColumns.ToDictionary(n => n, n => ParseLabels(table.Get(n)), StringComparer.Ordinal);
        var keep = new List<int>(rows);
        for (var r = 0; r < rows; r++)
        {
            var ok = true;
            foreach (var values in parsed.Values)
                ok &= values[r] <= 1;
            if (ok)
                keep.Add(r);
        }
        var kept = keep.ToArray();
        var labels = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, values) in parsed)
        {
            var column = new byte[kept.Length];
            var positives = 0;
            for (var i = 0; i < kept.Length; i++)
                positives += column[i] = values[kept[i]];
            if (positives == 0 || positives == kept.Length)
                ExaniaThrow.Argument($"Label column '{name}' is {(positives == 0 ? 0 : 1)} in every one of the {kept.Length} rows; a model needs both classes.", nameof(tasks));
            labels[name] = column;
        }

        var excluded = new List<string>(labelColumns);
        foreach (var c in table.Columns)
        {
            var name = c.Name;
            var isId = name.Equals("id", StringComparison.OrdinalIgnoreCase) || name.EndsWith("_id", StringComparison.OrdinalIgnoreCase);
            if ((OutcomeColumns.Contains(name) || isId || drop.Contains(name)) && !excluded.Contains(name))
                excluded.Add(name);
        }
        var features = table.Without(excluded).Select(kept);
        if (features.Columns.Count == 0)
            ExaniaThrow.Argument($"No feature column is left after excluding {string.Join(", ", excluded)}.", nameof(drop));
        return new ConversionDataset(features, labels, rows - kept.Length, excluded);
    }

    /// <summary>0 or 1 per row; 255 for a missing or unreadable value.</summary>
    private static byte[] ParseLabels(TableColumn column)
    {
        var result = new byte[column.Length];
        if (column.Numbers is { } numbers)
        {
            for (var r = 0; r < result.Length; r++)
                result[r] = double.IsNaN(numbers[r]) ? (byte)255 : numbers[r] > 0 ? (byte)1 : (byte)0;
            return result;
        }
        var texts = column.Texts!;
        for (var r = 0; r < result.Length; r++)
        {
            result[r] = texts[r]?.Trim().ToLowerInvariant() switch
            {
                "true" or "yes" or "t" or "y" or "1" => 1,
                "false" or "no" or "f" or "n" or "0" => 0,
                _ => 255,
            };
        }
        return result;
    }

    /// <summary>The feature columns as the trees' encoder takes them.</summary>
    internal List<RawColumn> RawColumns(ReadOnlySpan<int> rows) => RawColumns(Features.Select(rows));

    /// <summary>A table's columns as the trees' encoder takes them.</summary>
    internal static List<RawColumn> RawColumns(CampaignTable table) =>
        [.. table.Columns.Select(c => c.IsNumeric ? RawColumn.Numeric(c.Name, c.Numbers!) : RawColumn.Categorical(c.Name, c.Texts!))];
}

/// <summary>
/// The feature preparation every conversion model shares, fitted on training rows only: one-hot encoding of text
/// columns (<see cref="FeatureEncoder"/>, as pandas' <c>get_dummies</c>), then for the network and the logistic
/// regression the training median in place of a missing value and standardization. The trees take the encoded values
/// with NaN kept (they learn a direction for missing values).
/// </summary>
public sealed class ConversionPreprocessor
{
    public ConversionPreprocessor(FeatureEncoder encoder, double[] medians, Standardizer standardizer)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(medians);
        ArgumentNullException.ThrowIfNull(standardizer);
        if (medians.Length != encoder.OutputWidth)
            ExaniaThrow.LengthMismatch(nameof(medians), encoder.OutputWidth, medians.Length);
        if (standardizer.Columns != encoder.OutputWidth)
            ExaniaThrow.LengthMismatch(nameof(standardizer), encoder.OutputWidth, standardizer.Columns);
        Encoder = encoder;
        Medians = medians;
        Standardizer = standardizer;
    }

    public FeatureEncoder Encoder { get; }

    /// <summary>Training median of each encoded column (0 for a column with no value in training).</summary>
    public IReadOnlyList<double> Medians { get; }

    public Standardizer Standardizer { get; }

    public int Width => Encoder.OutputWidth;

    public IReadOnlyList<string> FeatureNames => Encoder.OutputNames;

    /// <summary>Fits on the listed rows of <paramref name="data"/>.</summary>
    public static ConversionPreprocessor Fit(ConversionDataset data, ReadOnlySpan<int> trainRows)
    {
        ArgumentNullException.ThrowIfNull(data);
        var encoder = FeatureEncoder.Fit(data.RawColumns(trainRows));
        var encoded = encoder.Transform(data.RawColumns(trainRows));
        var width = encoder.OutputWidth;
        var rows = trainRows.Length;
        var medians = new double[width];
        var column = new List<double>(rows);
        for (var c = 0; c < width; c++)
        {
            column.Clear();
            for (var r = 0; r < rows; r++)
            {
                if (!double.IsNaN(encoded[(long)r * width + c]))
                    column.Add(encoded[(long)r * width + c]);
            }
            medians[c] = Median(column);
        }
        Impute(encoded, medians);
        return new ConversionPreprocessor(encoder, medians, Standardizer.Fit(encoded, width));
    }

    /// <summary>Encoded values of the listed rows, NaN for missing (what the trees take).</summary>
    public double[] Encode(ConversionDataset data, ReadOnlySpan<int> rows) => Encoder.Transform(data.RawColumns(rows));

    /// <summary>Imputed and standardized values of encoded rows, in place (what the network and the regression take).</summary>
    public void Standardize(double[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        Impute(encoded, Medians);
        var width = Width;
        for (var r = 0; r < encoded.Length / width; r++)
        {
            var row = encoded.AsSpan(r * width, width);
            Standardizer.Transform(row, row);
        }
    }

    private static void Impute(double[] encoded, IReadOnlyList<double> medians)
    {
        var width = medians.Count;
        for (var i = 0; i < encoded.Length; i++)
        {
            if (double.IsNaN(encoded[i]))
                encoded[i] = medians[i % width];
        }
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
            return 0;
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
    }
}
