using Exania.Core;

namespace Exania.Core.Tests;

public class ThreadNicenessTests
{
    [Fact]
    public void ANiceValue_IsSetForTheCallingThreadOnly()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(ThreadNiceness.TrySetForCurrentThread(5));
            return;
        }
        var before = ThreadNiceness.OfCurrentThread();
        int? inside = null, other = null;
        var thread = new Thread(() =>
        {
            Assert.True(ThreadNiceness.TrySetForCurrentThread(7));
            inside = ThreadNiceness.OfCurrentThread();
        });
        thread.Start();
        thread.Join();
        var neighbour = new Thread(() => other = ThreadNiceness.OfCurrentThread());
        neighbour.Start();
        neighbour.Join();
        Assert.Equal(7, inside);
        // This thread, and a thread started after, keep the process's value.
        Assert.Equal(before, ThreadNiceness.OfCurrentThread());
        Assert.Equal(before, other);
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreadNiceness.TrySetForCurrentThread(20));
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreadNiceness.TrySetForCurrentThread(-1));
    }
}
