using Exania.Events;

namespace Exania.Synthetic.Tests;

public class ContentTests
{
    [Fact]
    public void Sample500_AllSixProfilesOccur()
    {
        var seen = Sample.Small.Select(s => s.ProfileName).ToHashSet();

        Assert.Equal(ProfileCatalog.All.Select(p => p.Name).Order(), seen.Order());
    }

    [Fact]
    public void Sample500_AllNineActionsOccur()
    {
        var seen = Sample.Small.SelectMany(s => s.Events).Select(e => e.Action).ToHashSet();

        Assert.Equal(KnownActions.Names.Order(), seen.Order());
    }

    [Fact]
    public void Events_ScrollDepth_WithinUnitInterval()
    {
        foreach (var e in Sample.Small.SelectMany(s => s.Events))
            Assert.InRange(e.ScrollDepth, 0.0, 1.0); // NaN fails InRange too
    }

    [Fact]
    public void Events_Timestamps_NonDecreasingWithinSession()
    {
        foreach (var s in Sample.Small)
            for (var i = 1; i < s.Events.Count; i++)
                Assert.True(s.Events[i - 1].Timestamp <= s.Events[i].Timestamp,
                    $"{s.SessionId}: event {i} at {s.Events[i].Timestamp} precedes {s.Events[i - 1].Timestamp}.");
    }

    [Fact]
    public void Events_Timestamps_MillisecondPrecisionWithinConfiguredDays()
    {
        var options = GeneratorOptions.Defaults;
        var start = (options.StartUtc - DateTime.UnixEpoch).TotalSeconds;
        foreach (var s in Sample.Small)
        {
            Assert.InRange(s.Events[0].Timestamp, start, start + options.Days * 86_400.0);
            foreach (var e in s.Events)
            {
                var ms = e.Timestamp * 1000;
                Assert.True(Math.Abs(ms - Math.Round(ms)) < 1e-3, $"{e.Timestamp} has more than millisecond precision.");
            }
        }
    }

    [Fact]
    public void Events_IdentityColumns_MatchSession()
    {
        foreach (var s in Sample.Small)
            foreach (var e in s.Events)
            {
                Assert.Equal(s.UserId, e.UserId);
                Assert.Equal(s.SessionId, e.SessionId);
                Assert.StartsWith("/article/", e.Page, StringComparison.Ordinal);
                Assert.False(string.IsNullOrEmpty(e.Category));
            }
    }

    [Fact]
    public void ClickAd_Rows_CarryCampaignAndAdFields()
    {
        var ads = Sample.Small.SelectMany(s => s.Events).Where(e => e.Action == "click_ad").ToList();

        Assert.NotEmpty(ads);
        foreach (var e in ads)
        {
            Assert.Matches("^cmp_[0-9]{3}$", e.CampaignId);
            Assert.False(string.IsNullOrEmpty(e.AdType));
            Assert.False(string.IsNullOrEmpty(e.Placement));
            Assert.True(e.Cost > 0, $"cost {e.Cost}");
            Assert.True(e.Revenue >= 0, $"revenue {e.Revenue}");
        }
        // Revenue is sometimes zero (no conversion) and sometimes not.
        Assert.Contains(ads, e => e.Revenue == 0);
        Assert.Contains(ads, e => e.Revenue > 0);
    }

    [Fact]
    public void NonAdRows_CarryNoAdFields()
    {
        foreach (var e in Sample.Small.SelectMany(s => s.Events).Where(e => e.Action != "click_ad"))
        {
            Assert.Null(e.CampaignId);
            Assert.True(double.IsNaN(e.Cost));
            Assert.True(double.IsNaN(e.Revenue));
        }
    }

    [Fact]
    public void CloseTab_WhenPresent_IsLastEvent()
    {
        var closed = 0;
        foreach (var s in Sample.Small)
        {
            var at = s.Events.Select((e, i) => (e, i)).Where(x => x.e.Action == "close_tab").Select(x => x.i).ToList();
            Assert.True(at.Count <= 1, $"{s.SessionId} has {at.Count} close_tab events.");
            if (at.Count == 1)
            {
                Assert.Equal(s.Events.Count - 1, at[0]);
                closed++;
            }
        }
        Assert.True(closed > Sample.Small.Count / 2, $"Only {closed} sessions end with close_tab.");
    }

    [Fact]
    public void Users_HaveSeveralSessionsAndOneProfile()
    {
        var byUser = Sample.Large.GroupBy(s => s.UserId).ToList();

        Assert.True(byUser.Count(g => g.Count() >= 3) > 100, "Too few returning users.");
        foreach (var g in byUser)
            Assert.Single(g.Select(s => s.ProfileName).Distinct());
    }

    [Fact]
    public void Sessions_SizeMatchesCalibration()
    {
        var events = Sample.Large.Average(s => s.Events.Count);

        Assert.InRange(events, 22, 35);
    }

    [Fact]
    public void SessionStarts_EveningBusierThanNight()
    {
        var hours = Sample.Large.Select(s => DateTime.UnixEpoch.AddSeconds(s.Events[0].Timestamp).Hour).ToList();
        var evening = hours.Count(h => h is >= 19 and <= 21);
        var night = hours.Count(h => h is >= 2 and <= 4);

        Assert.True(evening > 5 * night, $"evening {evening}, night {night}");
    }

    [Fact]
    public void SessionStarts_WeekdaysBusierThanWeekend()
    {
        var days = Sample.Large.Select(s => DateTime.UnixEpoch.AddSeconds(s.Events[0].Timestamp).DayOfWeek).ToList();
        var weekdayPerDay = days.Count(d => d is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) / 5.0;
        var weekendPerDay = days.Count(d => d is DayOfWeek.Saturday or DayOfWeek.Sunday) / 2.0;

        Assert.True(weekdayPerDay > 1.1 * weekendPerDay, $"weekday {weekdayPerDay}/day, weekend {weekendPerDay}/day");
    }
}
