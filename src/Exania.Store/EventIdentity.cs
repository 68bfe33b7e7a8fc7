using System.Security.Cryptography;
using System.Text;
using Exania.Events;

namespace Exania.Store;

/// <summary>
/// What makes two events the same event, so that loading a file twice adds nothing: every canonical field (user,
/// session, timestamp to the last bit, action, page, category, item, campaign, ad type, placement, scroll depth, cost,
/// revenue; a missing field counts as missing) <b>and</b> its occurrence number among identical rows of the same load.
/// Two identical rows in one file are two events (the second has occurrence 1); the same rows loaded again, alone or
/// inside a larger export that overlaps, are recognised and skipped. The key is the first 128 bits of SHA-256 over a
/// length-prefixed encoding of those values, so no two different tuples share an encoding.
/// </summary>
public static class EventIdentity
{
    /// <summary>The key of event <paramref name="index"/> of <paramref name="log"/> as the <paramref name="occurrence"/>-th identical row.</summary>
    public static Guid Key(EventLog log, int index, int occurrence)
    {
        ArgumentNullException.ThrowIfNull(log);
        var text = Canonical(log, index);
        Span<byte> hash = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetBytes(text + "\u001f" + occurrence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SHA256.HashData(bytes, hash);
        return new Guid(hash[..16]);
    }

    /// <summary>The canonical text of an event's fields (without its occurrence): length-prefixed, so it is unambiguous.</summary>
    public static string Canonical(EventLog log, int index)
    {
        ArgumentNullException.ThrowIfNull(log);
        var e = log[index];
        var text = new StringBuilder(128);
        void Add(string? value)
        {
            if (value is null)
            {
                text.Append("-1:");
                return;
            }
            text.Append(value.Length).Append(':').Append(value);
        }
        void Number(double value)
        {
            // Every NaN is the same missing value; otherwise the exact bits.
            var bits = BitConverter.DoubleToInt64Bits(double.IsNaN(value) ? double.NaN : value);
            text.Append(bits.ToString("X16", System.Globalization.CultureInfo.InvariantCulture)).Append(';');
        }
        Add(e.UserId);
        Add(e.SessionId);
        Number(e.Timestamp);
        Add(e.Action);
        Add(e.Page);
        Add(e.Category);
        Add(e.ItemId);
        Add(e.CampaignId);
        Add(e.AdType);
        Add(e.Placement);
        Number(e.ScrollDepth);
        Number(e.Cost);
        Number(e.Revenue);
        return text.ToString();
    }
}
