using Exania.Campaigns;
using Exania.Core;
using Exania.Learning;
using Exania.Trees;

namespace Exania.Cli;

/// <summary>From a campaign table to the ROAS model's inputs: target, excluded columns, split, encoding.</summary>
internal static class RoasData
{
    public const string ModelFileName = "roas_model.json";
    public const string ResultsFileName = "roas_results.json";

    /// <summary><c>--model</c> may name the model file or the folder holding <see cref="ModelFileName"/>.</summary>
    public static string ModelPath(string modelOption) =>
        Directory.Exists(modelOption) || modelOption.EndsWith('/') ? Path.Combine(modelOption, ModelFileName) : modelOption;

    /// <summary>
    /// The columns left out of the features: the user's list, the target itself, and for <c>roas</c> its revenue
    /// ingredient (revenue / spend = roas would leak the answer; spend stays, a budget is known in advance).
    /// </summary>
    public static List<string> Excluded(CampaignTable table, string target, string revenueColumn, IEnumerable<string> userExcluded)
    {
        var excluded = new List<string>();
        void Add(string name)
        {
            if (table.Find(name) is not null && !excluded.Contains(name)) excluded.Add(name);
        }
        foreach (var name in userExcluded)
        {
            if (table.Find(name) is null)
                throw new ArgumentException($"--exclude names '{name}', which is not a column; the columns are {string.Join(", ", table.Columns.Select(c => c.Name))}.");
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

    public static List<RawColumn> Raw(CampaignTable table) =>
        table.Columns.Select(c => c.IsNumeric ? RawColumn.Numeric(c.Name, c.Numbers!) : RawColumn.Categorical(c.Name, c.Texts!)).ToList();

    /// <summary>
    /// Splits rows into train and test: <c>random</c> is scikit-learn's train_test_split (same rows as the Python
    /// peer for the same seed); <c>date</c> puts the rows whose <paramref name="dateColumn"/> is among the latest
    /// <paramref name="testFraction"/> in test (new campaigns, little history: the cold-start view).
    /// </summary>
    public static (int[] Train, int[] Test) Split(CampaignTable table, string mode, double testFraction, int seed, string dateColumn)
    {
        if (mode == "random")
            return TrainTestSplit.ScikitLearnCompatible(table.Rows, testFraction, seed);
        if (mode != "date")
            throw new ArgumentException($"--split '{mode}' is not one of random, date.");
        var column = table.Get(dateColumn);
        var keys = new string[table.Rows];
        for (var r = 0; r < table.Rows; r++)
        {
            var key = column.IsNumeric
                ? (double.IsNaN(column.Numbers![r]) ? null : column.Numbers[r].ToString("000000000000.######", System.Globalization.CultureInfo.InvariantCulture))
                : column.Texts![r];
            keys[r] = key ?? throw new ArgumentException($"--split date: row {r + 1} has no {dateColumn}.");
        }
        var order = Enumerable.Range(0, table.Rows).OrderBy(r => keys[r], StringComparer.Ordinal).ThenBy(r => r).ToArray();
        var cut = keys[order[(int)Math.Floor((1 - testFraction) * (table.Rows - 1))]];
        var train = order.Where(r => string.CompareOrdinal(keys[r], cut) < 0).ToArray();
        var test = order.Where(r => string.CompareOrdinal(keys[r], cut) >= 0).ToArray();
        if (train.Length == 0 || test.Length == 0)
            throw new ArgumentException($"--split date on {dateColumn} leaves an empty side (train {train.Length}, test {test.Length} rows).");
        return (train, test);
    }

    /// <summary>Reads a campaign file, writing rejected rows beside <paramref name="rejectsPath"/>.</summary>
    public static (CampaignTable Table, TableReadSummary Summary) Read(string path, CampaignReadOptions options, string rejectsPath)
    {
        using var rejects = new RejectFileWriter(rejectsPath);
        return CampaignTableReader.Read(path, options, rejects);
    }
}
