using Exania.Events;

namespace Exania.Events.Tests;

public sealed class EventLogSelectTests
{
    private static EventLog Log()
    {
        var log = new EventLog();
        log.Append(new InteractionEvent("u1", "s1", 10, "view", double.NaN, "p1", "c1", null, null, null, double.NaN, double.NaN, "i1"));
        log.Append(new InteractionEvent("u2", "s2", 20, "cart", 0.5, null, "c2", "camp", "video", "feed", 1.5, double.NaN, null));
        log.Append(new InteractionEvent("u1", "s1", 30, "purchase", double.NaN, "p1", "c1", null, null, null, double.NaN, 9.99, "i1"));
        return log;
    }

    [Fact]
    public void Select_KeepsTheListedRowsInOrder_WithTheSamePoolIds()
    {
        var log = Log();
        var subset = log.Select([2, 0]);
        Assert.Equal(2, subset.Count);
        Assert.Equal(log[2], subset[0]);
        Assert.Equal(log[0], subset[1]);
        Assert.Same(log.Users, subset.Users); // shared, not copied: the ids mean the same strings
        Assert.Equal(log.UserIds[2], subset.UserIds[0]);
        Assert.Equal(0, log.Select([]).Count);
    }

    [Fact]
    public void Select_RefusesRowsOutsideTheLog_AndASubsetCannotClearTheSharedPools()
    {
        var log = Log();
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Select([3]));
        var subset = log.Select([1]);
        Assert.Throws<InvalidOperationException>(subset.Clear);
        Assert.Equal("u2", log[1].UserId);
    }
}
