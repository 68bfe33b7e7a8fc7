using Exania.Core;
using Exania.Events;
using Exania.Testing;

namespace Exania.Events.Tests;

/// <summary>Issue #15, class 8: nothing is merged or doubled because two names happen to be equal.</summary>
public class IdentityCollisionTests
{
    [Fact]
    public void Sessionizer_GeneratedNameEqualToARealSessionId_GetsItsOwnSession()
    {
        // u1's rows have no session, so they would become "u1#1"; u2 already uses "u1#1" as a real session id.
        var (log, _, _) = TestData.ReadCsv("user_id,session_id,timestamp,action\nu1,,10,click\nu1,,20,click\nu2,u1#1,15,scroll_down\n");
        Sessionizer.AssignMissing(log);
        var u1 = log.Sessions[log.SessionIds[0]];
        var u2 = log.Sessions[log.SessionIds[2]];
        Assert.Equal("u1#1", u2);
        Assert.Equal("u1##1", u1);
        Assert.Equal(log.SessionIds[0], log.SessionIds[1]);
        Assert.Equal(2, SessionIndex.Build(log).SessionCount);
    }

    [Fact]
    public void Sessionizer_TwoUsersWhoseGeneratedNamesCoincide_StayApart()
    {
        // User "u1" with a taken "u1#1" would move to "u1##1", which user "u1#" also makes for its first session.
        var (log, _, _) = TestData.ReadCsv("user_id,session_id,timestamp,action\nu1#,,5,click\nu1,,10,click\nu9,u1#1,15,click\n");
        Sessionizer.AssignMissing(log);
        Assert.NotEqual(log.SessionIds[0], log.SessionIds[1]);
        Assert.Equal(3, SessionIndex.Build(log).SessionCount);
    }

    [Fact]
    public void Loader_TheSameFileTwice_IsAnErrorNotDoubledEvents()
    {
        using var dir = new TestData.TempDir();
        var path = dir.File("a.csv");
        File.WriteAllText(path, "user_id,session_id,timestamp,action\nu1,s1,10,click\n");
        var ex = Assert.Throws<ArgumentException>(() => EventLoader.Load([path, Path.Combine(dir.Root, ".", "a.csv")]));
        Assert.Contains("is given twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_DuplicateHeaderName_IsAnErrorNamingBothColumns()
    {
        var ex = Assert.Throws<DataFormatException>(() => TestData.ReadCsv("user_id,timestamp,action,timestamp\nu1,10,click,20\n"));
        Assert.Equal(1, ex.Line);
        Assert.Contains("column 'timestamp' appears twice in the header (columns 2 and 4)", ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>Issue #15, class 9: a reason never echoes a huge field whole.</summary>
public class ReasonLengthTests
{
    [Fact]
    public void NotFinite_HugeField_IsClippedInTheReason()
    {
        var huge = "1e" + new string('9', 1_000_000);
        var (_, summary, rejects) = TestData.ReadCsv("user_id,session_id,timestamp,action,scroll_depth\nu1,s1,10,click," + huge + "\n",
            TestData.RelativeTimes with { OnBadRow = BadRowPolicy.Skip });
        Assert.Equal(1, summary.Rejected);
        var reason = Assert.Single(rejects.Rows).Reason;
        Assert.True(reason.Length < 200, $"reason of {reason.Length} characters");
        Assert.StartsWith("scroll_depth is 1e999", reason, StringComparison.Ordinal);
    }
}
