using System.Globalization;
using Exania.Core;

namespace Exania.Dashboard;

/// <summary>
/// The filters every dashboard page shares. What each one selects (decided here, and shown in the page):
/// <list type="bullet">
/// <item><b>Date range</b> (<see cref="From"/>..<see cref="To"/>, UTC days, both inclusive): the events in it, and the
/// campaign-day rows of those days.</item>
/// <item><b>Segment</b>: the events of the users the stored segmentation puts in that segment. Campaign-day rows have no
/// users, so the segment does not narrow them.</item>
/// <item><b>Campaign</b> / <b>campaign type</b> (an ad type): the sessions that hold at least one event of that
/// campaign (ad type), with all their events, so a funnel still sees the views before the ad click; and the
/// campaign-day rows of that campaign (ad type).</item>
/// </list>
/// The filters combine with AND.
/// </summary>
public sealed record DashboardFilter
{
    public static DashboardFilter None { get; } = new();

    /// <summary>First UTC day included; null for the first event.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Last UTC day included; null for the last event.</summary>
    public DateOnly? To { get; init; }

    public string? Segment { get; init; }

    public string? Campaign { get; init; }

    /// <summary>The campaign type: an ad type (<c>ad_type</c> of the events and of the campaign-day rows).</summary>
    public string? CampaignType { get; init; }

    /// <summary>Longest filter value accepted (a longer one is a mistake or an attack, never a stored value worth matching).</summary>
    public const int MaxValueLength = 256;

    /// <summary>True when no filter is set.</summary>
    public bool IsEmpty => From is null && To is null && Segment is null && Campaign is null && CampaignType is null;

    /// <summary>The start of <see cref="From"/> in epoch seconds, or null.</summary>
    public double? FromSeconds => From is { } d ? EpochSeconds(d) : null;

    /// <summary>The end of <see cref="To"/> (the next day's start, exclusive) in epoch seconds, or null.</summary>
    public double? BeforeSeconds => To is { } d ? EpochSeconds(d.AddDays(1)) : null;

    /// <exception cref="ArgumentException">The range is reversed, or a value is empty or too long; the message names the filter.</exception>
    public DashboardFilter Validate()
    {
        if (From is { } from && To is { } to && to < from)
            ExaniaThrow.Argument($"The date range is reversed: from {from:yyyy-MM-dd} is after to {to:yyyy-MM-dd}.", nameof(To));
        Check(Segment, "segment");
        Check(Campaign, "campaign");
        Check(CampaignType, "campaign type");
        return this;

        static void Check(string? value, string name)
        {
            if (value is null)
                return;
            if (value.Length == 0 || value.Length > MaxValueLength)
                ExaniaThrow.Argument($"The {name} filter must be 1 to {MaxValueLength} characters long; it is {value.Length}.", name);
        }
    }

    /// <summary>A text that is equal for equal filters (the results cache's key).</summary>
    public string Key => string.Join('\u001f', From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
        Segment ?? "\u0000", Campaign ?? "\u0000", CampaignType ?? "\u0000");

    /// <summary>Midnight UTC of <paramref name="day"/>, in epoch seconds.</summary>
    public static double EpochSeconds(DateOnly day) => (day.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber) * 86_400.0;

    /// <summary>The UTC day of an epoch-seconds timestamp.</summary>
    public static DateOnly DayOf(double seconds) => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)Math.Floor(seconds / 86_400.0));
}
