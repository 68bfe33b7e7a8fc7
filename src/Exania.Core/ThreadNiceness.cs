using System.Runtime.InteropServices;

namespace Exania.Core;

/// <summary>
/// The scheduling priority of the calling thread. On Linux a thread's nice value is its own (setpriority with the
/// thread's id), so a background thread can yield the CPU to the others of its process; elsewhere nothing changes.
/// </summary>
public static partial class ThreadNiceness
{
    /// <summary>Sets the calling thread's nice value (0 normal, 19 lowest) on Linux; returns whether it was set.</summary>
    public static bool TrySetForCurrentThread(int niceness)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(niceness, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(niceness, 19);
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            return SetPriority(PriorityOfProcess, GetThreadId(), niceness) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The calling thread's nice value on Linux; null elsewhere.</summary>
    public static int? OfCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
            return null;
        // getpriority returns -1 for nice -1 as well as for an error: errno tells them apart.
        Marshal.SetLastPInvokeError(0);
        var value = GetPriority(PriorityOfProcess, GetThreadId());
        return value == -1 && Marshal.GetLastPInvokeError() != 0 ? null : value;
    }

    /// <summary>PRIO_PROCESS: given a thread id, Linux applies it to that thread.</summary>
    private const int PriorityOfProcess = 0;

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static partial int GetPriority(int which, int who);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
