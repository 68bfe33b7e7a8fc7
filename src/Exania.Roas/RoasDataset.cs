using Exania.Campaigns;
using Exania.Trees;

namespace Exania.Roas;

/// <summary>
/// A campaign table made ready for the ROAS model: the rows that have a target, the target itself, and the feature
/// columns left after the leakage rule.
/// </summary>
/// <param name="Rows">The kept rows, all columns (the date split and the by-age report read columns that are not features).</param>
/// <param name="Features">The kept rows without the excluded columns.</param>
/// <param name="Target">One target per kept row.</param>
/// <param name="TargetInfo">How the target was built and which rows it could not be defined for.</param>
/// <param name="Excluded">Columns left out of the features, in the order the rule added them.</param>
public sealed record RoasDataset(CampaignTable Rows, CampaignTable Features, double[] Target, TargetColumn TargetInfo, IReadOnlyList<string> Excluded)
{
    /// <summary>Builds the target and applies the leakage rule (<see cref="ExcludedColumns"/>).</summary>
    /// <exception cref="ArgumentException">A named column is absent or not numeric, or fewer than <see cref="RoasOptions.MinimumRows"/> rows have a target.</exception>
    public static RoasDataset Prepare(CampaignTable table, RoasOptions options)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        var target = RoasTarget.Build(table, options.Target, options.RevenueColumn, options.SpendColumn);
        if (target.Values.Length < RoasOptions.MinimumRows)
            throw new ArgumentException($"Only {target.Values.Length} rows have a {options.Target}; at least {RoasOptions.MinimumRows} are needed.");
        var excluded = ExcludedColumns(table, options.Target, options.RevenueColumn, options.Exclude);
        var rows = table.Select(target.KeptRows);
        return new RoasDataset(rows, rows.Without(excluded), target.Values, target, excluded);
    }

    /// <summary>
    /// The leakage rule: the columns left out of the features are the user's list, the target itself, and for
    /// <c>roas</c> its revenue ingredient (revenue / spend = roas would leak the answer; spend stays, a budget is known
    /// in advance).
    /// </summary>
    /// <exception cref="ArgumentException">A user-excluded name is not a column.</exception>
    public static List<string> ExcludedColumns(CampaignTable table, string target, string revenueColumn, IEnumerable<string> userExcluded)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(userExcluded);
        var excluded = new List<string>();
        void Add(string name)
        {
            if (table.Find(name) is not null && !excluded.Contains(name)) excluded.Add(name);
        }
        foreach (var name in userExcluded)
        {
            if (table.Find(name) is null)
                throw new ArgumentException($"RoasOptions.Exclude names '{name}', which is not a column; the columns are {string.Join(", ", table.Columns.Select(c => c.Name))}.", nameof(RoasOptions.Exclude));
            Add(name);
        }
        Add(target);
        if (string.Equals(target, RoasTarget.Roas, StringComparison.OrdinalIgnoreCase))
        {
            Add(RoasTarget.Roas);
            Add(revenueColumn);
        }
        return excluded;
    }

    /// <summary>The table's columns as the trees' encoder takes them.</summary>
    public static List<RawColumn> RawColumns(CampaignTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = new List<RawColumn>(table.Columns.Count);
        foreach (var c in table.Columns)
            columns.Add(c.IsNumeric ? RawColumn.Numeric(c.Name, c.Numbers!) : RawColumn.Categorical(c.Name, c.Texts!));
        return columns;
    }
}
