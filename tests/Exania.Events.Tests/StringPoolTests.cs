namespace Exania.Events.Tests;

/// <summary>The string pool: one id per distinct string, whichever way a string is given.</summary>
public class StringPoolTests
{
    [Fact]
    public void GetOrAdd_GivesOneIdPerDistinctString_FromSpansAndStrings_AndKeepsAGivenStringUncopied()
    {
        var pool = new StringPool();
        var session = string.Concat("sess", "ion-1"); // a string instance of its own, not a literal
        var id = pool.GetOrAdd(session);
        Assert.Same(session, pool[id]);
        Assert.Equal(id, pool.GetOrAdd("session-1".AsSpan()));
        Assert.Equal(id, pool.GetOrAdd(string.Concat("session", "-1")));
        var other = pool.GetOrAdd("other");
        Assert.NotEqual(id, other);
        Assert.Equal(id, pool.GetOrAdd(session));
        Assert.Equal(id, pool.IndexOf("session-1"));
        Assert.Equal(2, pool.Count);
        pool.Clear();
        Assert.Equal(-1, pool.IndexOf("session-1"));
        Assert.Equal(0, pool.GetOrAdd(session));
        Assert.Throws<ArgumentNullException>(() => pool.GetOrAdd((string)null!));
    }
}
