namespace Tabby.Felix.Netlink;

/// <summary>Linux errno values (asm-generic/errno-base.h, errno.h) the dataplane meets; the enum name is the errno name.</summary>
public enum Errno
{
    EPERM = 1,
    ENOENT = 2,
    ESRCH = 3,
    EINTR = 4,
    EIO = 5,
    ENXIO = 6,
    E2BIG = 7,
    EBADF = 9,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EFAULT = 14,
    EBUSY = 16,
    EEXIST = 17,
    EXDEV = 18,
    ENODEV = 19,
    ENOTDIR = 20,
    EINVAL = 22,
    ENFILE = 23,
    EMFILE = 24,
    ENOSPC = 28,
    ERANGE = 34,
    EDEADLK = 35,
    ENAMETOOLONG = 36,
    ENOSYS = 38,
    ENOTEMPTY = 39,
    ENODATA = 61,
    EPROTO = 71,
    EBADMSG = 74,
    EOVERFLOW = 75,
    EMSGSIZE = 90,
    EPROTONOSUPPORT = 93,
    EOPNOTSUPP = 95,
    EAFNOSUPPORT = 97,
    EADDRINUSE = 98,
    EADDRNOTAVAIL = 99,
    ENETDOWN = 100,
    ENETUNREACH = 101,
    ENOBUFS = 105,
    ETIMEDOUT = 110,
    EHOSTUNREACH = 113,
    EALREADY = 114,
}

/// <summary>
/// A netlink request (or a libc call behind the socket) failed. <see cref="Errno"/> is the kernel's
/// error; <see cref="ExtendedMessage"/> is the kernel's extended-ACK text when it sent one
/// (NETLINK_EXT_ACK, e.g. "Nexthop device is not up").
/// </summary>
public class NetlinkException : Exception
{
    public NetlinkException(int errno, string operation, string? extendedMessage = null)
        : base(Describe(errno, operation, extendedMessage))
    {
        ErrorNumber = errno;
        Operation = operation;
        ExtendedMessage = extendedMessage;
    }

    /// <summary>The raw errno (positive).</summary>
    public int ErrorNumber { get; }

    /// <summary>The errno as a named value when Tabby knows its name.</summary>
    public Errno Errno => (Errno)ErrorNumber;

    /// <summary>What was attempted, e.g. "RTM_NEWROUTE 10.0.0.0/24".</summary>
    public string Operation { get; }

    public string? ExtendedMessage { get; }

    /// <summary>The symbolic name (EEXIST) or "errno N" when unknown.</summary>
    public static string NameOf(int errno) =>
        Enum.IsDefined(typeof(Errno), errno) ? ((Errno)errno).ToString() : $"errno {errno}";

    public static NetlinkException FromErrno(int errno, string operation, string? extendedMessage = null) =>
        new(errno, operation, extendedMessage);

    private static string Describe(int errno, string operation, string? extendedMessage) =>
        extendedMessage is null
            ? $"{operation} failed: {NameOf(errno)}"
            : $"{operation} failed: {NameOf(errno)} ({extendedMessage})";
}

/// <summary>The kernel (or a peer) sent bytes that do not parse as the netlink messages they claim to be.</summary>
public sealed class NetlinkProtocolException(string message) : Exception(message);
