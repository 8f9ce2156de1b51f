using System.Runtime.InteropServices;

namespace Tabby.Felix.Netlink.Native;

/// <summary>
/// Every libc call the dataplane makes, in one place (Tmds.LibC is not obtainable here). Callers
/// get errno through <see cref="Marshal.GetLastPInvokeError"/>; descriptors live in
/// <see cref="NetlinkSafeHandle"/> so they are closed exactly once.
/// </summary>
internal static unsafe partial class LibC
{
    public const int AfNetlink = 16;
    public const int SockRaw = 3;
    public const int SockCloexec = 0x80000;
    public const int NetlinkRoute = 0;

    public const int SolSocket = 1;
    public const int SoSndbuf = 7;
    public const int SoRcvbuf = 8;
    public const int SoRcvtimeo = 20;
    public const int SoSndbufforce = 32;
    public const int SoRcvbufforce = 33;

    public const int SolNetlink = 270;
    public const int NetlinkAddMembership = 1;
    public const int NetlinkDropMembership = 2;
    public const int NetlinkNoEnobufs = 5;
    public const int NetlinkCapAck = 10;
    public const int NetlinkExtAck = 11;
    public const int NetlinkGetStrictChk = 12;

    public const int MsgTrunc = 0x20;
    public const int MsgDontwait = 0x40;

    /// <summary>CLONE_NEWNET from sched.h: setns() only accepts a network namespace fd.</summary>
    public const int CloneNewNet = 0x40000000;

    private const int OpenReadOnly = 0;
    private const int OpenCloseOnExec = 0x80000;

    /// <summary>struct sockaddr_nl (linux/netlink.h): family, pad, port id, multicast groups.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint PortId;
        public uint Groups;
    }

    /// <summary>struct timeval on LP64.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(NetlinkSafeHandle fd, SockaddrNl* address, int length);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockName(NetlinkSafeHandle fd, SockaddrNl* address, int* length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(NetlinkSafeHandle fd, int level, int name, void* value, int length);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(NetlinkSafeHandle fd, byte* buffer, nuint length, int flags, SockaddrNl* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "recvfrom", SetLastError = true)]
    public static partial nint RecvFrom(NetlinkSafeHandle fd, byte* buffer, nuint length, int flags, SockaddrNl* address, int* addressLength);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);

    /// <summary>Opens a namespace file read-only and close-on-exec; throws with the errno name.</summary>
    public static int OpenNamespaceFile(string path)
    {
        var fd = Open(path, OpenReadOnly | OpenCloseOnExec);
        if (fd < 0)
        {
            throw NetlinkException.FromErrno(Marshal.GetLastPInvokeError(), $"open({path})");
        }

        return fd;
    }

    /// <summary>Moves the calling OS thread into the network namespace behind <paramref name="fd"/>.</summary>
    public static void EnterNetworkNamespace(int fd, string what)
    {
        if (SetNs(fd, CloneNewNet) != 0)
        {
            throw NetlinkException.FromErrno(Marshal.GetLastPInvokeError(), $"setns({what})");
        }
    }
}

/// <summary>Owns a socket descriptor: closed once, never reused after close.</summary>
internal sealed class NetlinkSafeHandle : SafeHandle
{
    public NetlinkSafeHandle() : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public NetlinkSafeHandle(int fd) : this() => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    public int Descriptor => (int)handle;

    protected override bool ReleaseHandle() => LibC.Close((int)handle) == 0;
}
