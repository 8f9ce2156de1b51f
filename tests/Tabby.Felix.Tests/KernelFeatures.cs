using Tabby.Testing;
using Xunit;

namespace Tabby.Felix.Tests;

/// <summary>Kernel features some tests need; probed once from /sys.</summary>
internal static class KernelFeatures
{
    /// <summary>The ipip driver registers /sys/module/ipip whether built in or loaded.</summary>
    public static bool HasIpip => Directory.Exists("/sys/module/ipip");

    public const string NoIpipReason = "this kernel has no IPIP driver (not built in, no loadable modules): `ip link add type ipip` fails";
}

/// <summary>A root fact that also needs the kernel's IPIP driver; skipped with that reason otherwise.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IpipFactAttribute : FactAttribute
{
    public IpipFactAttribute()
    {
        if (!Privileges.IsRoot)
        {
            Skip = Privileges.NotRootReason;
        }
        else if (!KernelFeatures.HasIpip)
        {
            Skip = KernelFeatures.NoIpipReason;
        }
    }
}
