using FsCheck;
using FsCheck.Fluent;

namespace Exania.Synthetic.Tests;

public class PropertyTests
{
    /// <summary>For any seed, user pool, days and article count, every session is well formed.</summary>
    [Fact]
    public void AnyOptions_SessionsWellFormed()
    {
        var options = from seed in Gen.Choose(int.MinValue, int.MaxValue)
                      from users in Gen.Choose(1, 50)
                      from days in Gen.Choose(1, 400)
                      from articles in Gen.Choose(1, 20)
                      from campaigns in Gen.Choose(1, 3)
                      select GeneratorOptions.Defaults with
                      {
                          Seed = seed,
                          Sessions = 15,
                          Users = users,
                          Days = days,
                          Articles = articles,
                          Campaigns = campaigns,
                      };
        var property = Prop.ForAll(options.ToArbitrary(), o =>
        {
            var start = (o.StartUtc - DateTime.UnixEpoch).TotalSeconds;
            foreach (var s in new InteractionGenerator(o).Sessions())
            {
                if (s.Events.Count == 0) return false;
                if (s.Events[0].Timestamp < start || s.Events[0].Timestamp >= start + o.Days * 86_400.0) return false;
                for (var i = 0; i < s.Events.Count; i++)
                {
                    var e = s.Events[i];
                    if (!(e.ScrollDepth is >= 0 and <= 1)) return false;
                    if (i > 0 && e.Timestamp < s.Events[i - 1].Timestamp) return false;
                    if (e.Action == "close_tab" && i != s.Events.Count - 1) return false;
                    if (int.Parse(e.Page!.AsSpan("/article/".Length)) is var a && (a < 1 || a > o.Articles)) return false;
                    if (e.CampaignId is { } c && int.Parse(c.AsSpan(4)) > o.Campaigns) return false;
                }
                if (int.Parse(s.UserId.AsSpan(1)) > o.Users) return false;
            }
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }
}
