using System.Globalization;
using System.Text;
using System.Text.Json;
using Exania.Core;

namespace Exania.Campaigns;

/// <summary>Options of <see cref="CampaignTableReader"/>. Defaults live here, once.</summary>
public sealed record CampaignReadOptions
{
    public static CampaignReadOptions Default { get; } = new();

    /// <summary>Renames: canonical name → source column (e.g. spend → cost). The table uses the canonical names.</summary>
    public IReadOnlyDictionary<string, string> ColumnMap { get; init; } = new Dictionary<string, string>();

    public BadRowPolicy OnBadRow { get; init; } = BadRowPolicy.Fail;

    public DataFileFormat Format { get; init; } = DataFileFormat.Auto;

    public char Delimiter { get; init; } = ',';

    /// <summary>Cells that mean "missing" (compared case-insensitively after trimming), besides the empty cell.</summary>
    public IReadOnlyList<string> MissingTokens { get; init; } = ["NA", "N/A", "#N/A", "null", "NaN", "None", "-"];

    /// <summary>Parses <c>spend=cost,date=day</c> (canonical=source pairs).</summary>
    /// <exception cref="FormatException">A pair is not of the form name=column.</exception>
    public static Dictionary<string, string> ParseColumnMap(string? text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
            return map;
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == pair.Length - 1)
                throw new FormatException($"Column map entry '{pair}' is not of the form name=column (e.g. spend=cost).");
            map[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return map;
    }
}

/// <summary>What reading a campaign table did: every row is accepted or rejected with a reason.</summary>
public sealed class TableReadSummary
{
    public string File { get; init; } = "";
    public long RowsRead { get; set; }
    public long Accepted { get; set; }
    public long Rejected { get; set; }
    public Dictionary<string, long> RejectedByKind { get; } = new(StringComparer.Ordinal);
    public double Seconds { get; set; }
}

/// <summary>
/// Reads campaign tables (CSV with a header row, or JSON Lines of flat objects) into typed columns, streaming the file.
/// Column types are inferred: numeric when every present value parses as a finite number (invariant culture), text
/// otherwise. A numeric column that meets a non-number later becomes text, its earlier values written back in shortest
/// round-trip form. Missing cells: empty or one of <see cref="CampaignReadOptions.MissingTokens"/>.
/// </summary>
public static class CampaignTableReader
{
    /// <exception cref="DataFormatException">Empty file, a mapped column absent, or a bad row under the fail policy (file, line, reason).</exception>
    public static (CampaignTable Table, TableReadSummary Summary) Read(string path, CampaignReadOptions? options = null, IRejectSink? rejects = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= CampaignReadOptions.Default;
        if (!File.Exists(path))
            throw new FileNotFoundException($"Campaign file '{path}' does not exist.", path);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var name = Path.GetFileName(path);
        var format = DataFileFormats.Resolve(options.Format, path);
        if (format == DataFileFormat.Parquet)
            throw new DataFormatException(name, 0, "campaign tables are read from CSV or JSON Lines; Parquet campaign tables are not supported yet");
        var summary = new TableReadSummary { File = name };
        using var reader = new StreamReader(path, Encoding.UTF8, true, 1 << 16);
        var table = format == DataFileFormat.JsonLines
            ? ReadJsonLines(reader, name, options, rejects, summary)
            : ReadCsv(reader, name, options, rejects, summary);
        summary.Seconds = watch.Elapsed.TotalSeconds;
        return (table, summary);
    }

    /// <summary>Reads CSV text; <paramref name="fileName"/> names it in messages.</summary>
    public static CampaignTable ReadCsv(TextReader reader, string fileName, CampaignReadOptions options, IRejectSink? rejects, TableReadSummary summary)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(summary);
        var csv = new CsvTokenizer(reader, options.Delimiter);
        if (!csv.ReadRow())
            throw new DataFormatException(fileName, 0, "the file is empty: expected a header row naming the columns");
        var sourceNames = new string[csv.FieldCount];
        for (var i = 0; i < sourceNames.Length; i++)
            sourceNames[i] = csv.Field(i).Trim().ToString().TrimStart('\uFEFF');
        var builders = CreateBuilders(sourceNames, options, fileName);
        var missing = MissingSet(options);
        var values = new string?[builders.Length];
        while (csv.ReadRow())
        {
            summary.RowsRead++;
            string? kind = null, reason = null;
            if (csv.QuoteProblem is { } quote)
                (kind, reason) = ("malformed", quote);
            else if (csv.FieldCount != builders.Length)
                (kind, reason) = ("wrong_field_count", $"expected {builders.Length} fields, found {csv.FieldCount}");
            else
            {
                for (var c = 0; c < builders.Length; c++)
                {
                    var text = csv.Field(c).Trim();
                    values[c] = text.IsEmpty || missing.Contains(text.ToString()) ? null : text.ToString();
                }
                (kind, reason) = Validate(builders, values);
            }
            if (kind is not null)
            {
                Reject(summary, options, rejects, fileName, csv.RowLine, kind, reason!, csv.RawRow());
                continue;
            }
            for (var c = 0; c < builders.Length; c++)
                builders[c].Add(values[c]);
            summary.Accepted++;
        }
        return new CampaignTable(builders.Select(b => b.Build()).ToList());
    }

    /// <summary>Reads JSON Lines of flat objects; the first object's keys (and any later new key) are the columns.</summary>
    public static CampaignTable ReadJsonLines(TextReader reader, string fileName, CampaignReadOptions options, IRejectSink? rejects, TableReadSummary summary)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(summary);
        var rows = new List<(long Line, Dictionary<string, string?> Values)>();
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var missing = MissingSet(options);
        long line = 0;
        var any = false;
        while (reader.ReadLine() is { } text)
        {
            line++;
            any = true;
            if (string.IsNullOrWhiteSpace(text)) continue;
            summary.RowsRead++;
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    Reject(summary, options, rejects, fileName, line, "malformed", "the line is not a JSON object", text);
                    continue;
                }
                var values = new Dictionary<string, string?>(StringComparer.Ordinal);
                string? bad = null;
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    string? value = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        JsonValueKind.Null => null,
                        _ => bad = $"{property.Name} is a JSON {property.Value.ValueKind.ToString().ToLowerInvariant()}, expected a string or number",
                    };
                    if (bad is not null) break;
                    values[property.Name] = value is null || missing.Contains(value.Trim()) ? null : value.Trim();
                    if (seen.Add(property.Name)) order.Add(property.Name);
                }
                if (bad is not null)
                {
                    Reject(summary, options, rejects, fileName, line, "wrong_type", bad, text);
                    continue;
                }
                rows.Add((line, values));
            }
            catch (JsonException ex)
            {
                Reject(summary, options, rejects, fileName, line, "malformed", $"invalid JSON: {ex.Message.Split(" LineNumber", 2)[0]}", text);
            }
        }
        if (!any)
            throw new DataFormatException(fileName, 0, "the file is empty: expected one JSON object per line");
        var builders = CreateBuilders(order.ToArray(), options, fileName);
        var cells = new string?[builders.Length];
        foreach (var (rowLine, values) in rows)
        {
            for (var c = 0; c < builders.Length; c++)
                cells[c] = values.GetValueOrDefault(order[c]);
            var (kind, reason) = Validate(builders, cells);
            if (kind is not null)
            {
                Reject(summary, options, rejects, fileName, rowLine, kind, reason!, JsonSerializer.Serialize(values));
                continue;
            }
            for (var c = 0; c < builders.Length; c++)
                builders[c].Add(cells[c]);
            summary.Accepted++;
        }
        return new CampaignTable(builders.Select(b => b.Build()).ToList());
    }

    private static HashSet<string> MissingSet(CampaignReadOptions options) =>
        new(options.MissingTokens, StringComparer.OrdinalIgnoreCase);

    private static ColumnBuilder[] CreateBuilders(string[] sourceNames, CampaignReadOptions options, string fileName)
    {
        var canonicalOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (canonical, source) in options.ColumnMap)
        {
            if (Array.IndexOf(sourceNames, source) < 0)
                throw new DataFormatException(fileName, 1, $"column '{source}' (mapped to {canonical}) is not in the file; its columns are {string.Join(", ", sourceNames)}");
            canonicalOf[source] = canonical;
        }
        var builders = new ColumnBuilder[sourceNames.Length];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sourceNames.Length; i++)
        {
            var name = canonicalOf.GetValueOrDefault(sourceNames[i], sourceNames[i]);
            if (name.Length == 0 || !names.Add(name))
                throw new DataFormatException(fileName, 1, name.Length == 0 ? $"column {i + 1} has no name" : $"column '{name}' appears twice");
            builders[i] = new ColumnBuilder(name);
        }
        return builders;
    }

    /// <summary>A row is bad when a numeric-looking cell is not finite ("Infinity", "1e999"): never a silent infinity.</summary>
    private static (string? Kind, string? Reason) Validate(ColumnBuilder[] builders, string?[] values)
    {
        for (var c = 0; c < builders.Length; c++)
        {
            var v = values[c];
            if (v is null) continue;
            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !double.IsFinite(number))
                return ("not_finite", $"{builders[c].Name} is {v}, not a finite number");
        }
        return (null, null);
    }

    private static void Reject(TableReadSummary summary, CampaignReadOptions options, IRejectSink? rejects, string file, long line,
        string kind, string reason, string raw)
    {
        if (options.OnBadRow == BadRowPolicy.Fail)
            throw new DataFormatException(file, line, reason);
        summary.Rejected++;
        summary.RejectedByKind[kind] = summary.RejectedByKind.GetValueOrDefault(kind) + 1;
        rejects?.Reject(new RejectedRow(file, line, reason, raw));
    }

    /// <summary>Accumulates one column, numeric until a present value is not a number.</summary>
    private sealed class ColumnBuilder(string name)
    {
        private List<double>? _numbers = [];
        private List<string?>? _texts;
        private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);

        public string Name { get; } = name;

        public void Add(string? value)
        {
            if (_numbers is not null)
            {
                if (value is null)
                {
                    _numbers.Add(double.NaN);
                    return;
                }
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    _numbers.Add(number);
                    return;
                }
                _texts = new List<string?>(_numbers.Count + 16);
                foreach (var n in _numbers)
                    _texts.Add(double.IsNaN(n) ? null : Intern(n.ToString("R", CultureInfo.InvariantCulture)));
                _numbers = null;
            }
            _texts!.Add(value is null ? null : Intern(value));
        }

        private string Intern(string value)
        {
            if (_interned.TryGetValue(value, out var s)) return s;
            _interned[value] = value;
            return value;
        }

        public TableColumn Build() => _numbers is not null
            ? TableColumn.Numeric(Name, [.. _numbers])
            : TableColumn.Text(Name, [.. _texts!]);
    }
}
