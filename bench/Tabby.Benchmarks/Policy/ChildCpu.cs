using System.Runtime.InteropServices;

namespace Tabby.Benchmarks.Policy;

/// <summary>
/// CPU time (user + system) of every child process this process has waited for
/// (getrusage(RUSAGE_CHILDREN)): the cost of nft / iptables-restore / ipset, which wall time on a
/// busy machine does not show.
/// </summary>
internal static partial class ChildCpu
{
    private const int RusageSelf = 0;
    private const int RusageChildren = -1;

    public static TimeSpan Total() => Usage(RusageChildren);

    /// <summary>CPU time of this process, all threads (getrusage(RUSAGE_SELF)): a netlink transaction's kernel work is in here.</summary>
    public static TimeSpan Self() => Usage(RusageSelf);

    private static TimeSpan Usage(int who)
    {
        var usage = new Rusage();
        if (GetRusage(who, ref usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return TimeSpan.FromMicroseconds((usage.UserSeconds * 1_000_000) + usage.UserMicroseconds + (usage.SystemSeconds * 1_000_000) + usage.SystemMicroseconds);
    }

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRusage(int who, ref Rusage usage);

    /// <summary>struct rusage on 64-bit Linux: two timevals, then 14 longs we do not read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Rusage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public fixed long Rest[14];
    }
}
