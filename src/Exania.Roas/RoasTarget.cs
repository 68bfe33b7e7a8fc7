using Exania.Campaigns;

namespace Exania.Roas;

/// <summary>A training target taken from a campaign table, with the rows it could not be defined for.</summary>
/// <param name="Values">One target per kept row.</param>
/// <param name="KeptRows">Indices (into the table) of the rows with a target.</param>
/// <param name="ZeroSpendRows">Rows dropped because spend was 0 (ROAS undefined).</param>
/// <param name="MissingRows">Rows dropped because an ingredient was missing.</param>
/// <param name="NegativeRows">Rows dropped because spend or revenue was negative.</param>
public sealed record TargetColumn(double[] Values, int[] KeptRows, int ZeroSpendRows, int MissingRows, int NegativeRows)
{
    public int DroppedRows => ZeroSpendRows + MissingRows + NegativeRows;
}

/// <summary>
/// Targets for the ROAS model. <c>roas</c> is revenue / spend per row; a row with spend 0 has no ROAS and is dropped
/// and counted (never an infinity); so is a row with either value missing or negative. Any numeric column can also be
/// the target as it is.
/// </summary>
public static class RoasTarget
{
    public const string Roas = "roas";
    public const string DefaultRevenueColumn = "revenue";
    public const string DefaultSpendColumn = "spend";

    /// <summary>Builds the target named <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentException">A named column is absent or is not numeric.</exception>
    public static TargetColumn Build(CampaignTable table, string target, string revenueColumn = DefaultRevenueColumn,
        string spendColumn = DefaultSpendColumn)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentException.ThrowIfNullOrEmpty(target);
        // roas comes from its ingredients whenever they are there, so zero-spend rows are counted as such.
        if (string.Equals(target, Roas, StringComparison.OrdinalIgnoreCase) &&
            (table.Find(Roas) is null || (table.Find(revenueColumn) is not null && table.Find(spendColumn) is not null)))
            return Ratio(table, revenueColumn, spendColumn);
        var column = Numeric(table, target);
        var values = new List<double>(table.Rows);
        var kept = new List<int>(table.Rows);
        var missing = 0;
        for (var r = 0; r < table.Rows; r++)
        {
            if (double.IsNaN(column[r])) { missing++; continue; }
            values.Add(column[r]);
            kept.Add(r);
        }
        return new TargetColumn([.. values], [.. kept], 0, missing, 0);
    }

    private static TargetColumn Ratio(CampaignTable table, string revenueColumn, string spendColumn)
    {
        var revenue = Numeric(table, revenueColumn);
        var spend = Numeric(table, spendColumn);
        var values = new List<double>(table.Rows);
        var kept = new List<int>(table.Rows);
        int zero = 0, missing = 0, negative = 0;
        for (var r = 0; r < table.Rows; r++)
        {
            var (rev, sp) = (revenue[r], spend[r]);
            if (double.IsNaN(rev) || double.IsNaN(sp)) { missing++; continue; }
            if (rev < 0 || sp < 0) { negative++; continue; }
            if (sp == 0) { zero++; continue; }
            values.Add(rev / sp);
            kept.Add(r);
        }
        return new TargetColumn([.. values], [.. kept], zero, missing, negative);
    }

    private static double[] Numeric(CampaignTable table, string name)
    {
        var column = table.Get(name);
        return column.Numbers ?? throw new ArgumentException($"Column '{name}' is text, not numbers; a target and its ingredients must be numeric.");
    }
}
