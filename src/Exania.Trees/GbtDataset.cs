using Exania.Core;

namespace Exania.Trees;

/// <summary>
/// Training or validation input of <see cref="GbtTrainer"/>: a dense row-major matrix of doubles (NaN = missing),
/// one name per column, and one target per row.
/// </summary>
/// <remarks>
/// Element (row r, column c) is <c>Values[r * Columns + c]</c>. The constructor validates the shape, that no value is
/// infinite (NaN is allowed and means missing) and that every target is finite; it does not copy the arrays.
/// Categorical columns arrive one-hot encoded (see <see cref="FeatureEncoder"/>).
/// </remarks>
public sealed class GbtDataset
{
    /// <exception cref="ArgumentException">Shape mismatch, an infinite value or target (the message names row and column), a NaN target, or an empty or repeated column name.</exception>
    public GbtDataset(double[] values, int rows, int columns, IReadOnlyList<string> columnNames, double[] target)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(columnNames);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if ((long)rows * columns != values.Length)
            ExaniaThrow.Argument($"Values has {values.Length} elements but {rows} rows x {columns} columns need {(long)rows * columns}.", nameof(values));
        if (columnNames.Count != columns)
            ExaniaThrow.Argument($"{columnNames.Count} column names for {columns} columns.", nameof(columnNames));
        if (target.Length != rows)
            ExaniaThrow.Argument($"{target.Length} targets for {rows} rows.", nameof(target));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var c = 0; c < columns; c++)
        {
            if (string.IsNullOrEmpty(columnNames[c]))
                ExaniaThrow.Argument($"Column name {c} is empty.", nameof(columnNames));
            if (!seen.Add(columnNames[c]))
                ExaniaThrow.Argument($"Column name '{columnNames[c]}' appears twice.", nameof(columnNames));
        }
        for (var r = 0; r < rows; r++)
        {
            if (!double.IsFinite(target[r]))
                ExaniaThrow.Argument($"Target of row {r} is {target[r]}; targets must be finite.", nameof(target));
        }
        for (var i = 0; i < values.Length; i++)
        {
            if (double.IsInfinity(values[i]))
                ExaniaThrow.Argument($"Value at row {i / columns}, column {i % columns} ('{columnNames[i % columns]}') is {values[i]}; use NaN for a missing value, infinities are not allowed.", nameof(values));
        }
        Values = values;
        Rows = rows;
        Columns = columns;
        ColumnNames = [.. columnNames];
        Target = target;
    }

    /// <summary>Row-major values, <see cref="Rows"/> x <see cref="Columns"/>; NaN is missing.</summary>
    public double[] Values { get; }

    public int Rows { get; }

    public int Columns { get; }

    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>One target per row: any finite value for squared error, 0 or 1 for logistic.</summary>
    public double[] Target { get; }

    /// <summary>The values of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<double> Row(int row) => Values.AsSpan(row * Columns, Columns);

    /// <summary>A new dataset holding copies of the given rows, in that order.</summary>
    public GbtDataset Subset(ReadOnlySpan<int> rows)
    {
        var values = new double[rows.Length * Columns];
        var target = new double[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)Rows)
                ExaniaThrow.ArgumentOutOfRange(nameof(rows), rows[i], $"Row index must be in 0..{Rows - 1}.");
            Row(rows[i]).CopyTo(values.AsSpan(i * Columns, Columns));
            target[i] = Target[rows[i]];
        }
        return new GbtDataset(values, rows.Length, Columns, ColumnNames, target);
    }
}
