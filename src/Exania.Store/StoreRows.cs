using System.Data.Common;
using System.Globalization;
using Exania.Events;

namespace Exania.Store;

/// <summary>
/// The one schema's column lists and how a row of each table reads back, shared by both stores (SQL NULL is a missing
/// text, NaN a missing number).
/// </summary>
internal static class StoreRows
{
    /// <summary>The event columns, in the order <see cref="Event"/> reads them.</summary>
    public const string EventColumns = "user_id, session_id, ts, action, page, category, item_id, campaign_id, ad_type, placement, scroll_depth, cost, revenue";

    /// <summary>The campaign-day columns, in the order <see cref="CampaignDay"/> reads them.</summary>
    public const string CampaignColumns = "campaign_id, day, ad_type, placement, impressions, clicks, conversions, spend, revenue, extra";

    /// <summary>The event of the reader's current row (<see cref="EventColumns"/>).</summary>
    public static InteractionEvent Event(DbDataReader reader) =>
        new(reader.GetString(0), Text(reader, 1), reader.GetDouble(2), reader.GetString(3), Number(reader, 10), Text(reader, 4), Text(reader, 5),
            Text(reader, 7), Text(reader, 8), Text(reader, 9), Number(reader, 11), Number(reader, 12), Text(reader, 6));

    /// <summary>The campaign day of the reader's current row (<see cref="CampaignColumns"/>).</summary>
    public static CampaignDay CampaignDay(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetFieldValue<DateOnly>(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Text(reader, 2), Text(reader, 3),
            Number(reader, 4), Number(reader, 5), Number(reader, 6), Number(reader, 7), Number(reader, 8), Text(reader, 9));

    private static string? Text(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private static double Number(DbDataReader reader, int i) => reader.IsDBNull(i) ? double.NaN : reader.GetDouble(i);
}
