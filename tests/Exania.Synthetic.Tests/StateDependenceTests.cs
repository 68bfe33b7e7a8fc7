namespace Exania.Synthetic.Tests;

public class StateDependenceTests
{
    [Fact]
    public void AfterBlur_FocusOrCloseFarAboveMarginal()
    {
        int afterBlur = 0, afterBlurFocusOrClose = 0, transitions = 0, focusOrClose = 0;
        foreach (var s in Sample.Large)
            for (var i = 1; i < s.Events.Count; i++)
            {
                var next = s.Events[i].Action is "focus_window" or "close_tab";
                transitions++;
                if (next) focusOrClose++;
                if (s.Events[i - 1].Action != "blur_window") continue;
                afterBlur++;
                if (next) afterBlurFocusOrClose++;
            }
        var conditional = afterBlurFocusOrClose / (double)afterBlur;
        var marginal = focusOrClose / (double)transitions;

        Assert.True(afterBlur > 1_000, $"only {afterBlur} blurs");
        Assert.True(conditional > 0.8, $"P(focus|close after blur) = {conditional:F3}");
        Assert.True(conditional > 5 * marginal, $"conditional {conditional:F3} vs marginal {marginal:F3}");
    }

    /// <summary>
    /// An observable version of the engagement state: the clicks and hovers of the two minutes before an action.
    /// The click_ad share of actions taken after many of them must clearly exceed the share after none.
    /// </summary>
    [Fact]
    public void ClickAdRate_HigherAfterRecentClicksAndHovers()
    {
        long lowN = 0, lowAds = 0, highN = 0, highAds = 0;
        foreach (var s in Sample.Large)
        {
            var ev = s.Events;
            for (var i = 1; i < ev.Count; i++)
            {
                if (ev[i - 1].Action is "blur_window") continue; // the blurred state never clicks ads
                var recent = 0;
                for (var j = i - 1; j >= 0 && ev[j].Timestamp > ev[i].Timestamp - 120; j--)
                    if (ev[j].Action is "click" or "hover") recent++;
                var ad = ev[i].Action == "click_ad" ? 1 : 0;
                if (recent == 0) { lowN++; lowAds += ad; }
                else if (recent >= 4) { highN++; highAds += ad; }
            }
        }
        var low = lowAds / (double)lowN;
        var high = highAds / (double)highN;

        Assert.True(highN > 2_000 && lowN > 2_000, $"buckets too small: {lowN}, {highN}");
        Assert.True(high > 4 * low, $"click_ad rate {high:F4} after >= 4 clicks/hovers vs {low:F4} after none");
    }

    [Fact]
    public void ClickAdRate_HigherForDeepScroll()
    {
        long shallowN = 0, shallowAds = 0, deepN = 0, deepAds = 0;
        foreach (var s in Sample.Large)
            for (var i = 1; i < s.Events.Count; i++)
            {
                var depth = s.Events[i - 1].ScrollDepth;
                var ad = s.Events[i].Action == "click_ad" ? 1 : 0;
                if (depth < 0.3) { shallowN++; shallowAds += ad; }
                else if (depth > 0.7) { deepN++; deepAds += ad; }
            }

        Assert.True(deepAds / (double)deepN > 2 * shallowAds / (double)shallowN,
            $"deep {deepAds}/{deepN} vs shallow {shallowAds}/{shallowN}");
    }

    [Fact]
    public void AdClicksPerSession_ClickHappyAboveRushedAndMobile()
    {
        double AdsPerSession(string profile) => Sample.Large.Where(s => s.ProfileName == profile)
            .Average(s => s.Events.Count(e => e.Action == "click_ad"));

        var happy = AdsPerSession(ProfileCatalog.ClickHappy.Name);

        Assert.True(happy > 2 * AdsPerSession(ProfileCatalog.RushedReader.Name));
        Assert.True(happy > 2 * AdsPerSession(ProfileCatalog.MobileUser.Name));
    }

    [Fact]
    public void ScrollDown_IncreasesDepth_ScrollUpDecreasesIt()
    {
        foreach (var s in Sample.Small)
            for (var i = 1; i < s.Events.Count; i++)
            {
                var (prev, cur) = (s.Events[i - 1], s.Events[i]);
                if (cur.Action == "scroll_down")
                    Assert.True(cur.ScrollDepth >= prev.ScrollDepth, $"{s.SessionId}#{i}: down {prev.ScrollDepth} -> {cur.ScrollDepth}");
                else if (cur.Action == "scroll_up")
                    Assert.True(cur.ScrollDepth <= prev.ScrollDepth, $"{s.SessionId}#{i}: up {prev.ScrollDepth} -> {cur.ScrollDepth}");
            }
    }

    [Fact]
    public void MobileUser_RarelyHovers()
    {
        double HoverShare(string profile)
        {
            var ev = Sample.Large.Where(s => s.ProfileName == profile).SelectMany(s => s.Events).ToList();
            return ev.Count(e => e.Action == "hover") / (double)ev.Count;
        }

        Assert.True(HoverShare(ProfileCatalog.MobileUser.Name) < 0.2 * HoverShare(ProfileCatalog.CarefulReader.Name));
    }
}
