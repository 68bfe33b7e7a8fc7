using System.Globalization;
using Exania.Core;

namespace Exania.Trees;

/// <summary>A raw input column for <see cref="FeatureEncoder"/>: numbers (NaN = missing) or strings (null or empty = missing).</summary>
public sealed class RawColumn
{
    private RawColumn(string name, double[]? numbers, string?[]? strings)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Numbers = numbers;
        Strings = strings;
    }

    public string Name { get; }

    /// <summary>The values of a numeric column, else null.</summary>
    public double[]? Numbers { get; }

    /// <summary>The values of a string column, else null.</summary>
    public string?[]? Strings { get; }

    public bool IsNumeric => Numbers is not null;

    public int Length => Numbers?.Length ?? Strings!.Length;

    public static RawColumn Numeric(string name, double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new RawColumn(name, values, null);
    }

    public static RawColumn Categorical(string name, string?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new RawColumn(name, null, values);
    }
}

/// <summary>What <see cref="FeatureEncoder"/> does with one input column.</summary>
public enum EncodedColumnKind
{
    /// <summary>Kept as one numeric feature; NaN stays missing.</summary>
    Numeric,

    /// <summary>A string column expanded to one 0/1 dummy per category (<c>name_category</c>).</summary>
    OneHot,

    /// <summary>A string column with more than <see cref="FeatureEncoder.MaxCardinality"/> distinct values (an id): ignored.</summary>
    Dropped,
}

/// <summary>The encoding of one input column; <paramref name="Categories"/> are the one-hot categories in dummy order (ordinal sort).</summary>
public sealed record EncodedColumn(string Name, EncodedColumnKind Kind, IReadOnlyList<string> Categories);

/// <summary>
/// One-hot encodes string columns the way <c>pandas.get_dummies(X, columns=strings, dtype=float)</c> does, and
/// remembers the mapping so that new rows encode the same way; saved with <see cref="GbtModel"/>.
/// </summary>
/// <remarks>
/// <para>Output columns: the numeric input columns in input order, then, per kept string column in input order, one
/// dummy <c>name_category</c> per distinct non-missing value seen by <see cref="Fit"/>, categories sorted ordinally
/// (pandas sorts them too). A missing string (null or empty) gives all-zero dummies, and so does a category unseen by
/// <see cref="Fit"/>. String columns with more than <see cref="MaxCardinality"/> distinct values are dropped, as the
/// peer script <c>train_xgb.py</c> does with ids. Numeric columns are copied, NaN kept for the trees' missing-value
/// handling.</para>
/// </remarks>
public sealed class FeatureEncoder
{
    /// <summary>String columns with more distinct values than this are dropped.</summary>
    public const int DefaultMaxCardinality = 100;

    private readonly EncodedColumn[] _columns;
    private readonly string[] _outputNames;
    private readonly int[] _outputStart;
    private readonly Dictionary<string, int>?[] _lookup;
    private readonly Dictionary<string, int> _byName;

    /// <summary>Builds an encoder from a known mapping (as loaded from a model file).</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated, a one-hot column has no or repeated categories, or two output names collide.</exception>
    public FeatureEncoder(IReadOnlyList<EncodedColumn> columns, int maxCardinality = DefaultMaxCardinality)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (maxCardinality < 1)
            ExaniaThrow.ArgumentOutOfRange(nameof(maxCardinality), maxCardinality, "MaxCardinality must be at least 1.");
        _columns = [.. columns];
        MaxCardinality = maxCardinality;
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        _lookup = new Dictionary<string, int>?[_columns.Length];
        _outputStart = new int[_columns.Length];
        var names = new List<string>();
        for (var c = 0; c < _columns.Length; c++)
        {
            var column = _columns[c] ?? throw new ArgumentException($"Column {c} is null.", nameof(columns));
            if (string.IsNullOrEmpty(column.Name))
                ExaniaThrow.Argument($"Column {c} has no name.", nameof(columns));
            if (!_byName.TryAdd(column.Name, c))
                ExaniaThrow.Argument($"Column '{column.Name}' appears twice.", nameof(columns));
            if (column.Kind is not (EncodedColumnKind.Numeric or EncodedColumnKind.OneHot or EncodedColumnKind.Dropped))
                ExaniaThrow.Argument($"Column '{column.Name}' has an unknown kind {column.Kind}.", nameof(columns));
            if (column.Kind == EncodedColumnKind.Numeric)
            {
                _outputStart[c] = names.Count;
                names.Add(column.Name);
            }
        }
        for (var c = 0; c < _columns.Length; c++)
        {
            var column = _columns[c];
            if (column.Kind != EncodedColumnKind.OneHot)
                continue;
            if (column.Categories is null || column.Categories.Count == 0)
                ExaniaThrow.Argument($"One-hot column '{column.Name}' has no categories.", nameof(columns));
            var lookup = new Dictionary<string, int>(StringComparer.Ordinal);
            _outputStart[c] = names.Count;
            foreach (var category in column.Categories)
            {
                if (string.IsNullOrEmpty(category) || !lookup.TryAdd(category, lookup.Count))
                    ExaniaThrow.Argument($"One-hot column '{column.Name}' has an empty or repeated category '{category}'.", nameof(columns));
                names.Add($"{column.Name}_{category}");
            }
            _lookup[c] = lookup;
        }
        var unique = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!unique.Add(name))
                ExaniaThrow.Argument($"Output column '{name}' would appear twice (a dummy name equals another column's name).", nameof(columns));
        }
        _outputNames = [.. names];
    }

    /// <summary>The input columns and what happens to each, in input order.</summary>
    public IReadOnlyList<EncodedColumn> Columns => _columns;

    public int MaxCardinality { get; }

    /// <summary>The encoded feature names, in output order.</summary>
    public IReadOnlyList<string> OutputNames => _outputNames;

    public int OutputWidth => _outputNames.Length;

    /// <summary>Learns the mapping from training columns.</summary>
    /// <exception cref="ArgumentException">No columns, columns of different lengths, or repeated names.</exception>
    public static FeatureEncoder Fit(IReadOnlyList<RawColumn> columns, int maxCardinality = DefaultMaxCardinality)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0)
            ExaniaThrow.Argument("No columns to encode.", nameof(columns));
        var rows = columns[0].Length;
        var encoded = new List<EncodedColumn>(columns.Count);
        foreach (var column in columns)
        {
            ArgumentNullException.ThrowIfNull(column, nameof(columns));
            if (column.Length != rows)
                ExaniaThrow.Argument($"Column '{column.Name}' has {column.Length} rows; '{columns[0].Name}' has {rows}.", nameof(columns));
            if (column.IsNumeric)
            {
                encoded.Add(new EncodedColumn(column.Name, EncodedColumnKind.Numeric, []));
                continue;
            }
            var distinct = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in column.Strings!)
            {
                if (!string.IsNullOrEmpty(s))
                    distinct.Add(s);
            }
            if (distinct.Count > maxCardinality || distinct.Count == 0)
            {
                encoded.Add(new EncodedColumn(column.Name, EncodedColumnKind.Dropped, []));
                continue;
            }
            var categories = distinct.ToArray();
            Array.Sort(categories, StringComparer.Ordinal);
            encoded.Add(new EncodedColumn(column.Name, EncodedColumnKind.OneHot, categories));
        }
        return new FeatureEncoder(encoded, maxCardinality);
    }

    /// <summary>Encodes columns (matched by name, any order; extra columns are ignored) into a row-major matrix of <see cref="OutputWidth"/> columns.</summary>
    /// <exception cref="ArgumentException">A needed column is missing, has the wrong kind, or the lengths differ.</exception>
    public double[] Transform(IReadOnlyList<RawColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var given = new Dictionary<string, RawColumn>(StringComparer.Ordinal);
        foreach (var column in columns)
            given[column.Name] = column;
        var rows = -1;
        var width = _outputNames.Length;
        double[]? result = null;
        for (var c = 0; c < _columns.Length; c++)
        {
            var spec = _columns[c];
            if (spec.Kind == EncodedColumnKind.Dropped)
                continue;
            if (!given.TryGetValue(spec.Name, out var column))
                ExaniaThrow.Argument($"Column '{spec.Name}' is missing; the encoder needs {string.Join(", ", NeededNames())}.", nameof(columns));
            if (rows < 0)
            {
                rows = column.Length;
                result = new double[(long)rows * width];
            }
            else if (column.Length != rows)
                ExaniaThrow.Argument($"Column '{spec.Name}' has {column.Length} rows, others {rows}.", nameof(columns));
            var start = _outputStart[c];
            if (spec.Kind == EncodedColumnKind.Numeric)
            {
                if (!column.IsNumeric)
                    ExaniaThrow.Argument($"Column '{spec.Name}' was numeric when the encoder was fitted, but is given as strings.", nameof(columns));
                var values = column.Numbers!;
                for (var r = 0; r < rows; r++)
                    result![(long)r * width + start] = values[r];
            }
            else
            {
                if (column.IsNumeric)
                    ExaniaThrow.Argument($"Column '{spec.Name}' was a string column when the encoder was fitted, but is given as numbers.", nameof(columns));
                var lookup = _lookup[c]!;
                var values = column.Strings!;
                for (var r = 0; r < rows; r++)
                {
                    if (!string.IsNullOrEmpty(values[r]) && lookup.TryGetValue(values[r]!, out var k))
                        result![(long)r * width + start + k] = 1;
                }
            }
        }
        return result ?? [];
    }

    /// <summary>Encodes columns and pairs them with a target as a training or validation set.</summary>
    public GbtDataset TransformDataset(IReadOnlyList<RawColumn> columns, double[] target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var values = Transform(columns);
        return new GbtDataset(values, target.Length, OutputWidth, _outputNames, target);
    }

    /// <summary>
    /// Encodes one row given as text, one value per entry of <see cref="Columns"/> (dropped columns included), e.g. a
    /// CSV record. Numbers are parsed with the invariant culture; null, empty or whitespace is missing (NaN).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong count, a short destination, or an unparsable number (the message names the column).</exception>
    public void EncodeRow(ReadOnlySpan<string?> values, Span<double> destination)
    {
        if (values.Length != _columns.Length)
            ExaniaThrow.LengthMismatch(nameof(values), _columns.Length, values.Length);
        if (destination.Length < _outputNames.Length)
            ExaniaThrow.DestinationTooShort(nameof(destination), _outputNames.Length, destination.Length);
        destination[.._outputNames.Length].Clear();
        for (var c = 0; c < _columns.Length; c++)
        {
            var spec = _columns[c];
            var text = values[c];
            if (spec.Kind == EncodedColumnKind.Numeric)
            {
                if (string.IsNullOrWhiteSpace(text))
                    destination[_outputStart[c]] = double.NaN;
                else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                    destination[_outputStart[c]] = x;
                else
                    ExaniaThrow.Argument($"Column '{spec.Name}': '{text}' is not a number.", nameof(values));
            }
            else if (spec.Kind == EncodedColumnKind.OneHot && !string.IsNullOrEmpty(text) && _lookup[c]!.TryGetValue(text, out var k))
                destination[_outputStart[c] + k] = 1;
        }
    }

    private IEnumerable<string> NeededNames()
    {
        foreach (var c in _columns)
        {
            if (c.Kind != EncodedColumnKind.Dropped)
                yield return c.Name;
        }
    }
}

/// <summary>
/// The JSON form of a <see cref="FeatureEncoder"/> inside a model file (every model that one-hot encodes saves it the
/// same way): <c>max_cardinality</c> and one entry per input column with its name, kind and categories.
/// </summary>
public sealed class FeatureEncoderFile
{
    public int? MaxCardinality { get; set; }

    public FeatureEncoderColumnFile?[]? Columns { get; set; }

    public static FeatureEncoderFile From(FeatureEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var columns = new FeatureEncoderColumnFile[encoder.Columns.Count];
        for (var c = 0; c < columns.Length; c++)
            columns[c] = new FeatureEncoderColumnFile { Name = encoder.Columns[c].Name, Kind = encoder.Columns[c].Kind, Categories = [.. encoder.Columns[c].Categories] };
        return new FeatureEncoderFile { MaxCardinality = encoder.MaxCardinality, Columns = columns };
    }

    /// <summary>The encoder this describes; <paramref name="source"/> names the file in messages.</summary>
    /// <exception cref="ModelFormatException">A column is missing its name or kind, or the mapping is inconsistent.</exception>
    public FeatureEncoder ToEncoder(string source)
    {
        var columns = Columns ?? throw new ModelFormatException(source, "missing \"encoder.columns\".");
        var specs = new EncodedColumn[columns.Length];
        for (var c = 0; c < specs.Length; c++)
        {
            var column = columns[c] ?? throw new ModelFormatException(source, $"encoder.columns[{c}] is null.");
            specs[c] = new EncodedColumn(column.Name ?? throw new ModelFormatException(source, $"encoder.columns[{c}] has no name."),
                column.Kind ?? throw new ModelFormatException(source, $"encoder.columns[{c}] has no kind."),
                column.Categories ?? []);
        }
        try
        {
            return new FeatureEncoder(specs, MaxCardinality ?? FeatureEncoder.DefaultMaxCardinality);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(source, e.Message, e);
        }
    }
}

/// <summary>One column of <see cref="FeatureEncoderFile"/>.</summary>
public sealed class FeatureEncoderColumnFile
{
    public string? Name { get; set; }

    public EncodedColumnKind? Kind { get; set; }

    public string[]? Categories { get; set; }
}
