using Exania.Core;

namespace Exania.Learning;

/// <summary>
/// A dense, row-major matrix of finite feature values with a 0/1 label per row: the training input of the click model.
/// </summary>
/// <remarks>
/// Element (row r, column c) is <c>Values[r * Columns + c]</c>. The constructor validates the shape, that every
/// value is finite and that every label is 0 or 1; it does not copy the arrays.
/// </remarks>
public sealed class LabeledMatrix
{
    /// <summary>Wraps (does not copy) <paramref name="values"/> and <paramref name="labels"/> after validating them.</summary>
    /// <exception cref="ArgumentException">Shape mismatch, a NaN/infinite value (the message names row and column), or a label other than 0/1.</exception>
    public LabeledMatrix(double[] values, int rows, int columns, IReadOnlyList<string> columnNames, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(columnNames);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if ((long)rows * columns != values.Length)
            ExaniaThrow.Argument($"Values has {values.Length} elements but {rows} rows x {columns} columns need {(long)rows * columns}.", nameof(values));
        if (columnNames.Count != columns)
            ExaniaThrow.Argument($"{columnNames.Count} column names for {columns} columns.", nameof(columnNames));
        if (labels.Length != rows)
            ExaniaThrow.Argument($"{labels.Length} labels for {rows} rows.", nameof(labels));
        for (var c = 0; c < columns; c++)
        {
            if (string.IsNullOrEmpty(columnNames[c]))
                ExaniaThrow.Argument($"Column name {c} is empty.", nameof(columnNames));
        }

        for (var r = 0; r < rows; r++)
        {
            if (labels[r] > 1)
                ExaniaThrow.Argument($"Label of row {r} is {labels[r]}; labels must be 0 or 1.", nameof(labels));
            var row = values.AsSpan(r * columns, columns);
            for (var c = 0; c < row.Length; c++)
            {
                if (!double.IsFinite(row[c]))
                    ExaniaThrow.Argument($"Value at row {r}, column {c} ('{columnNames[c]}') is {row[c]}; values must be finite.", nameof(values));
            }
        }

        Values = values;
        Rows = rows;
        Columns = columns;
        ColumnNames = columnNames;
        Labels = labels;
    }

    /// <summary>Row-major values, <see cref="Rows"/> x <see cref="Columns"/>.</summary>
    public double[] Values { get; }

    public int Rows { get; }

    public int Columns { get; }

    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>One label per row, 0 or 1.</summary>
    public byte[] Labels { get; }

    /// <summary>The values of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<double> Row(int row) => Values.AsSpan(row * Columns, Columns);

    /// <summary>Number of rows labelled 1.</summary>
    public int PositiveCount
    {
        get
        {
            var count = 0;
            foreach (var label in Labels)
                count += label;
            return count;
        }
    }
}
