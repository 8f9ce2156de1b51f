using System.Runtime.InteropServices;

namespace Tabby.Testing.Namespaces;

/// <summary>The few libc calls the harness needs to enter a network namespace.</summary>
internal static partial class NativeMethods
{
    /// <summary>CLONE_NEWNET from sched.h: setns() only accepts a network namespace fd.</summary>
    public const int CloneNewNet = 0x40000000;

    private const int OpenReadOnly = 0;
    private const int OpenCloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nsType);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    /// <summary>Opens a namespace file (e.g. /run/netns/NAME) and returns its descriptor.</summary>
    public static int OpenNamespace(string path)
    {
        var fd = Open(path, OpenReadOnly | OpenCloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"open({path}) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return fd;
    }

    public static void CloseDescriptor(int fd) => _ = Close(fd);

    /// <summary>Moves the calling OS thread into the network namespace behind <paramref name="fd"/>.</summary>
    public static void EnterNetworkNamespace(int fd)
    {
        if (SetNs(fd, CloneNewNet) != 0)
        {
            throw new IOException($"setns(CLONE_NEWNET) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }
}
