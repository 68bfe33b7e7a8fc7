namespace Exania.Synthetic;

/// <summary>The ads a <c>click_ad</c> event can hit: campaigns, formats, placements and their prices.</summary>
internal static class AdInventory
{
    public static readonly string[] AdTypes = ["display", "native", "video", "sponsored"];

    /// <summary>Mean cost per click of each ad type, in currency units.</summary>
    public static readonly double[] MeanCost = [0.20, 0.45, 0.80, 0.60];

    public static readonly string[] CampaignIds = BuildCampaignIds(999);

    private static string[] BuildCampaignIds(int n)
    {
        var ids = new string[n];
        for (var i = 0; i < n; i++)
            ids[i] = $"cmp_{i + 1:D3}";
        return ids;
    }

    /// <summary>Where the clicked ad sat, given how far down the page the reader was.</summary>
    public static string Placement(Random random, double depth)
    {
        if (random.NextDouble() < 0.15)
            return "sidebar";
        return depth switch
        {
            < 0.25 => "top_banner",
            < 0.80 => "in_article",
            _ => "end_of_article",
        };
    }
}
