using System.Globalization;
using Exania.Campaigns;
using Exania.Learning;

namespace Exania.Roas;

/// <summary>The held-out split of a ROAS run: rows into train and test, by chance or by date.</summary>
public static class RoasSplit
{
    /// <summary>Splits the rows of <paramref name="data"/> as <paramref name="options"/> say.</summary>
    /// <exception cref="ArgumentException">The date column is missing, holds a missing or unreadable date, or leaves a side empty.</exception>
    public static (int[] Train, int[] Test) Split(RoasDataset data, RoasOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        return options.Split == RoasSplitMode.Date
            ? ByDate(data.Rows, options.DateColumn, options.TestFraction)
            : TrainTestSplit.ScikitLearnCompatible(data.Rows.Rows, options.TestFraction, options.Seed);
    }

    /// <summary>
    /// Holds out the rows whose <paramref name="dateColumn"/> is among the latest <paramref name="testFraction"/>: every
    /// test row is strictly later than every training row, and rows of one date stay on one side. A numeric column is
    /// ordered as numbers (e.g. days or epoch seconds); a text column as dates, parsed with the invariant culture
    /// (ISO-8601 <c>2024-03-01</c>, <c>2024-03-01T12:00:00Z</c>, <c>03/01/2024</c>), never as strings.
    /// </summary>
    /// <exception cref="ArgumentException">The column is missing, a row has no date or an unreadable one, or a side is empty.</exception>
    public static (int[] Train, int[] Test) ByDate(CampaignTable table, string dateColumn, double testFraction)
    {
        ArgumentNullException.ThrowIfNull(table);
        var column = table.Find(dateColumn)
            ?? throw new ArgumentException($"The date column '{dateColumn}' is not in the table; the columns are {string.Join(", ", table.Columns.Select(c => c.Name))}.", nameof(dateColumn));
        var keys = new double[table.Rows];
        for (var r = 0; r < table.Rows; r++)
            keys[r] = column.IsNumeric ? NumericKey(column.Numbers![r], dateColumn, r) : DateKey(column.Texts![r], dateColumn, r);
        var order = new int[table.Rows];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        // Stable: rows of equal date keep their file order.
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
        var cut = keys[order[(int)Math.Floor((1 - testFraction) * (table.Rows - 1))]];
        var train = new List<int>();
        var test = new List<int>();
        foreach (var r in order)
            (keys[r] < cut ? train : test).Add(r);
        if (train.Count == 0 || test.Count == 0)
            throw new ArgumentException($"The date split on {dateColumn} leaves an empty side (train {train.Count}, test {test.Count} rows): too few distinct dates.");
        return ([.. train], [.. test]);
    }

    private static double NumericKey(double value, string column, int row) =>
        double.IsFinite(value) ? value : throw new ArgumentException($"Date split: row {row + 1} has no {column}.");

    private static double DateKey(string? text, string column, int row)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException($"Date split: row {row + 1} has no {column}.");
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
            throw new ArgumentException($"Date split: row {row + 1} has {column} '{text}', which is not a date (ISO-8601 such as 2024-03-01, or a number).");
        return date.Ticks;
    }
}
