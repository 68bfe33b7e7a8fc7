using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Exania.Campaigns;
using Exania.Core;

namespace Exania.Store;

/// <summary>
/// One campaign on one day, as the store keeps it (the <c>campaign_days</c> table): what the dashboard's ad-spend page
/// and the overview's spend and ROAS read. Counts and money are NaN when the file has no such column or the cell is
/// missing. <see cref="Day"/> is the ISO date text (<c>yyyy-MM-dd</c>). The row's other columns (audience, device,
/// days active, the ROAS model's other features) are kept in <see cref="Extra"/>, so the stored table can be scored by
/// the ROAS model as the file could (<see cref="ToTable"/>).
/// </summary>
public sealed record CampaignDay(
    string CampaignId,
    string Day,
    string? AdType,
    string? Placement,
    double Impressions,
    double Clicks,
    double Conversions,
    double Spend,
    double Revenue,
    string? Extra = null)
{
    /// <summary>The columns a campaign-day row keeps in its own fields; every other column goes into <see cref="Extra"/>.</summary>
    public static IReadOnlyList<string> FixedColumns { get; } =
        ["campaign_id", "date", "ad_type", "placement", "impressions", "clicks", "conversions", "spend", "revenue"];

    /// <summary>Return on ad spend of this row (NaN when the spend is zero or missing).</summary>
    public double Roas => Spend > 0 ? Revenue / Spend : double.NaN;

    /// <summary>
    /// The campaign-day rows of a campaign table (the <c>exania generate campaigns</c> layout, or any table with those
    /// column names after <c>--map</c>): <c>campaign_id</c>, <c>date</c>, <c>spend</c> and <c>revenue</c> are required;
    /// <c>ad_type</c>, <c>placement</c>, <c>impressions</c>, <c>clicks</c> and <c>conversions</c> are taken when present.
    /// </summary>
    /// <exception cref="DataFormatException">A required column is absent, or a row's campaign or date is missing or not a date (file, row).</exception>
    public static List<CampaignDay> FromTable(CampaignTable table, string file)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(file);
        TableColumn Required(string name) => table.Find(name)
            ?? throw new DataFormatException(file, 1, $"campaign-day tables need a '{name}' column; the columns are {string.Join(", ", table.Columns.Select(c => c.Name))} (map one with --campaign-map {name}=column)");
        var campaign = Required("campaign_id");
        var date = Required("date");
        var spend = Required("spend");
        var revenue = Required("revenue");
        var extraColumns = table.Columns.Where(c => !FixedColumns.Contains(c.Name)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        var rows = new List<CampaignDay>(table.Rows);
        for (var r = 0; r < table.Rows; r++)
        {
            var line = r + 2; // the header is line 1
            var id = Text(campaign, r) ?? throw new DataFormatException(file, line, "campaign_id is missing");
            var dayText = Text(date, r) ?? throw new DataFormatException(file, line, "date is missing");
            if (!DateOnly.TryParse(dayText.AsSpan(0, Math.Min(10, dayText.Length)), CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                throw new DataFormatException(file, line, $"date '{dayText}' is not a date (expected yyyy-MM-dd)");
            rows.Add(new CampaignDay(id, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Text(table.Find("ad_type"), r), Text(table.Find("placement"), r),
                Number(table.Find("impressions"), r, file, line), Number(table.Find("clicks"), r, file, line), Number(table.Find("conversions"), r, file, line),
                Number(spend, r, file, line), Number(revenue, r, file, line), ExtraOf(extraColumns, r)));
        }
        return rows;
    }

    /// <summary>
    /// The rows as a campaign table with the file's column names (<c>date</c> for <see cref="Day"/>, the extra columns
    /// by their names, numeric where every present value is a number), in the given order: what the ROAS model scores.
    /// </summary>
    public static CampaignTable ToTable(IReadOnlyList<CampaignDay> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var n = rows.Count;
        var columns = new List<TableColumn>
        {
            TableColumn.Text("campaign_id", [.. rows.Select(r => (string?)r.CampaignId)]),
            TableColumn.Text("date", [.. rows.Select(r => (string?)r.Day)]),
            TableColumn.Text("ad_type", [.. rows.Select(r => r.AdType)]),
            TableColumn.Text("placement", [.. rows.Select(r => r.Placement)]),
            TableColumn.Numeric("impressions", [.. rows.Select(r => r.Impressions)]),
            TableColumn.Numeric("clicks", [.. rows.Select(r => r.Clicks)]),
            TableColumn.Numeric("conversions", [.. rows.Select(r => r.Conversions)]),
            TableColumn.Numeric("spend", [.. rows.Select(r => r.Spend)]),
            TableColumn.Numeric("revenue", [.. rows.Select(r => r.Revenue)]),
        };
        var extras = new SortedDictionary<string, string?[]>(StringComparer.Ordinal);
        for (var r = 0; r < n; r++)
        {
            if (rows[r].Extra is not { } extra)
                continue;
            using var document = System.Text.Json.JsonDocument.Parse(extra);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!extras.TryGetValue(property.Name, out var values))
                    extras[property.Name] = values = new string?[n];
                values[r] = property.Value.ValueKind == System.Text.Json.JsonValueKind.Null ? null : property.Value.GetString();
            }
        }
        foreach (var (name, values) in extras)
        {
            var numbers = new double[n];
            var numeric = true;
            for (var r = 0; r < n && numeric; r++)
            {
                if (values[r] is not { } text)
                    numbers[r] = double.NaN;
                else
                    numeric = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[r]) && double.IsFinite(numbers[r]);
            }
            columns.Add(numeric ? TableColumn.Numeric(name, numbers) : TableColumn.Text(name, values));
        }
        return new CampaignTable(columns);
    }

    private static string? ExtraOf(List<TableColumn> columns, int row)
    {
        if (columns.Count == 0)
            return null;
        // Names in ordinal order and numbers in round-trip form: the same row gives the same text, so the same identity.
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var column in columns)
            {
                var value = Text(column, row);
                if (value is null) json.WriteNull(column.Name);
                else json.WriteString(column.Name, value);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The identity key of this row as its <paramref name="occurrence"/>-th identical row (as <see cref="EventIdentity"/> for events).</summary>
    public Guid Key(int occurrence)
    {
        var text = new StringBuilder(96);
        foreach (var value in (ReadOnlySpan<string?>)[CampaignId, Day, AdType, Placement, Extra])
        {
            if (value is null) text.Append("-1:");
            else text.Append(value.Length).Append(':').Append(value);
        }
        foreach (var value in (ReadOnlySpan<double>)[Impressions, Clicks, Conversions, Spend, Revenue])
            text.Append(BitConverter.DoubleToInt64Bits(double.IsNaN(value) ? double.NaN : value).ToString("X16", CultureInfo.InvariantCulture)).Append(';');
        text.Append('\u001f').Append(occurrence.ToString(CultureInfo.InvariantCulture));
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), hash);
        return new Guid(hash[..16]);
    }

    private static string? Text(TableColumn? column, int row)
    {
        if (column is null)
            return null;
        if (column.Texts is { } texts)
            return texts[row];
        var v = column.Numbers![row];
        return double.IsNaN(v) ? null : v.ToString("R", CultureInfo.InvariantCulture);
    }

    private static double Number(TableColumn? column, int row, string file, int line)
    {
        if (column is null)
            return double.NaN;
        if (column.Numbers is { } numbers)
            return numbers[row];
        var text = column.Texts![row];
        if (text is null)
            return double.NaN;
        throw new DataFormatException(file, line, $"column '{column.Name}' holds '{text}', not a number");
    }
}

/// <summary>Checks both stores make before writing.</summary>
internal static class StoreChecks
{
    /// <exception cref="ArgumentException">A user is assigned twice.</exception>
    public static void RequireDistinctUsers(IReadOnlyList<SegmentAssignment> assignments)
    {
        var seen = new HashSet<string>(assignments.Count, StringComparer.Ordinal);
        foreach (var a in assignments)
        {
            ArgumentNullException.ThrowIfNull(a.UserId, nameof(assignments));
            ArgumentNullException.ThrowIfNull(a.Segment, nameof(assignments));
            if (!seen.Add(a.UserId))
                throw new ArgumentException($"User '{a.UserId}' is assigned to a segment twice.", nameof(assignments));
        }
    }
}
