using Exania.Events;
using Exania.Testing;

namespace Exania.Store.Tests;

/// <summary>What makes two events the same event: every field and the occurrence (the key both stores use).</summary>
public class EventIdentityTests
{
    private static EventLog Log(string rows) => TestData.ReadCsv("user_id,session_id,timestamp,action,page,scroll_depth,revenue,item_id\n" + rows).Log;

    [Fact]
    public void Identity_CoversEveryField_AndTheOccurrence()
    {
        var log = Log(
            "u1,s1,100.5,view,/a,0.25,,i1\n" +
            "u1,s1,101,cart,/a,,,i1\n" +
            "u1,s1,101,cart,/a,,,i1\n" +
            "u2,s2,50,purchase,,,19.99,i2\n" +
            "u1,s1,100.5,view,/a,0.25,,i2\n" +
            "u1,s1,100.50000000000001,view,/a,0.25,,i1\n");
        Assert.Equal(EventIdentity.Key(log, 1, 0), EventIdentity.Key(log, 2, 0));
        Assert.NotEqual(EventIdentity.Key(log, 1, 0), EventIdentity.Key(log, 2, 1));
        Assert.NotEqual(EventIdentity.Key(log, 0, 0), EventIdentity.Key(log, 4, 0)); // another item
        Assert.NotEqual(EventIdentity.Key(log, 0, 0), EventIdentity.Key(log, 5, 0)); // the next double
    }
}
