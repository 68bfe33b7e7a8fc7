namespace Exania.Campaigns;

/// <summary>A column of a <see cref="CampaignTable"/>: numbers (NaN = missing) or text (null = missing).</summary>
public sealed class TableColumn
{
    private TableColumn(string name, double[]? numbers, string?[]? texts)
    {
        Name = name;
        Numbers = numbers;
        Texts = texts;
    }

    public string Name { get; }

    /// <summary>The values of a numeric column (NaN = missing); null for a text column.</summary>
    public double[]? Numbers { get; }

    /// <summary>The values of a text column (null = missing); null for a numeric column.</summary>
    public string?[]? Texts { get; }

    public bool IsNumeric => Numbers is not null;

    public int Length => Numbers?.Length ?? Texts!.Length;

    public static TableColumn Numeric(string name, double[] values) => new(name, values, null);

    public static TableColumn Text(string name, string?[] values) => new(name, null, values);

    /// <summary>Missing values in the column.</summary>
    public int MissingCount
    {
        get
        {
            var n = 0;
            if (Numbers is not null)
            {
                foreach (var v in Numbers)
                    if (double.IsNaN(v)) n++;
            }
            else
            {
                foreach (var v in Texts!)
                    if (v is null) n++;
            }
            return n;
        }
    }
}

/// <summary>
/// A campaign table: named, typed columns of equal length. A column is numeric when every present value in the file
/// parses as a finite number, text otherwise. Missing cells are NaN (numeric) or null (text).
/// </summary>
public sealed class CampaignTable
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public CampaignTable(IReadOnlyList<TableColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns;
        Rows = columns.Count == 0 ? 0 : columns[0].Length;
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Length != Rows)
                throw new ArgumentException($"Column '{columns[i].Name}' has {columns[i].Length} values, the table {Rows} rows.", nameof(columns));
            if (!_index.TryAdd(columns[i].Name, i))
                throw new ArgumentException($"Column '{columns[i].Name}' appears twice.", nameof(columns));
        }
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    public int Rows { get; }

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public TableColumn? Find(string name) => _index.TryGetValue(name, out var i) ? Columns[i] : null;

    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such column; the message lists the columns there are.</exception>
    public TableColumn Get(string name) => Find(name)
        ?? throw new ArgumentException($"Column '{name}' is not in the table; its columns are {string.Join(", ", Columns.Select(c => c.Name))}.");

    /// <summary>The rows listed in <paramref name="rows"/>, in that order.</summary>
    public CampaignTable Select(ReadOnlySpan<int> rows)
    {
        var columns = new List<TableColumn>(Columns.Count);
        foreach (var column in Columns)
        {
            if (column.Numbers is { } numbers)
            {
                var values = new double[rows.Length];
                for (var i = 0; i < rows.Length; i++) values[i] = numbers[rows[i]];
                columns.Add(TableColumn.Numeric(column.Name, values));
            }
            else
            {
                var texts = column.Texts!;
                var values = new string?[rows.Length];
                for (var i = 0; i < rows.Length; i++) values[i] = texts[rows[i]];
                columns.Add(TableColumn.Text(column.Name, values));
            }
        }
        return new CampaignTable(columns);
    }

    /// <summary>The table without the named columns (names not present are ignored).</summary>
    public CampaignTable Without(IEnumerable<string> names)
    {
        var drop = new HashSet<string>(names, StringComparer.Ordinal);
        return new CampaignTable(Columns.Where(c => !drop.Contains(c.Name)).ToList());
    }
}
