using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

public class SessionTests
{
    [Fact]
    public void Sessionizer_SplitsOnInactivityGap_EvenWhenUnsorted()
    {
        var (log, _, _) = TestData.ReadCsv("user_id,timestamp,action\n" +
            "a,4000,click\n" +   // second session of a (gap 3700 > 1800 after 300)
            "a,0,click\n" +
            "b,50,hover\n" +
            "a,300,scroll_down\n" +
            "a,4100,click\n");
        var created = Sessionizer.AssignMissing(log, 1800);
        Assert.Equal(3, created);
        Assert.Equal(["a#2", "a#1", "b#1", "a#1", "a#2"], Enumerable.Range(0, log.Count).Select(i => log[i].SessionId));
    }

    [Fact]
    public void Sessionizer_KeepsGivenSessions_AndValidatesGap()
    {
        var (log, _, _) = TestData.ReadCsv("user_id,session_id,timestamp,action\na,s1,0,click\na,,9000,click\n");
        Sessionizer.AssignMissing(log);
        Assert.Equal("s1", log[0].SessionId);
        Assert.Equal("a#1", log[1].SessionId);
        Assert.Throws<ArgumentOutOfRangeException>(() => Sessionizer.AssignMissing(log, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sessionizer.AssignMissing(log, double.NaN));
    }

    [Fact]
    public void SessionIndex_SortsByTime_TiesInFileOrder()
    {
        var (log, _, _) = TestData.ReadCsv("session_id,timestamp,action\ns,5,click\nt,1,click\ns,1,hover\ns,5,wait\ns,3,blur_window\n");
        var index = SessionIndex.Build(log);
        Assert.Equal(2, index.SessionCount);
        Assert.Equal([2, 4, 0, 3], index.Rows(0).ToArray());
        Assert.Equal([1], index.Rows(1).ToArray());
    }

    [Fact]
    public void SessionIndex_RowWithoutSession_Throws()
    {
        var (log, _, _) = TestData.ReadCsv("user_id,timestamp,action\nu,1,click\n");
        Assert.Throws<InvalidOperationException>(() => SessionIndex.Build(log));
    }
}
