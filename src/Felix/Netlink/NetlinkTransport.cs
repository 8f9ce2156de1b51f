using System.Runtime.InteropServices;
using Tabby.Felix.Netlink.Native;

namespace Tabby.Felix.Netlink;

/// <summary>Where netlink datagrams go and come from: the kernel socket, or a script in tests.</summary>
internal interface INetlinkTransport : IDisposable
{
    /// <summary>The port id the kernel assigned to this socket (checked against replies).</summary>
    uint PortId { get; }

    void Send(ReadOnlySpan<byte> datagram);

    /// <summary>Receives one datagram; returns its length. Throws <see cref="NetlinkException"/> (EAGAIN on timeout, ENOBUFS on overflow).</summary>
    int Receive(Span<byte> buffer);
}

/// <summary>Options of a netlink socket (NETLINK_ROUTE unless <see cref="Protocol"/> says otherwise).</summary>
public sealed record NetlinkSocketOptions
{
    /// <summary>NETLINK_ROUTE (0, the default) or NETLINK_NETFILTER (12, nftables).</summary>
    public int Protocol { get; init; } = NetlinkProtocols.Route;

    /// <summary>Kernel receive buffer; large so big dumps and batch errors never overflow (SO_RCVBUFFORCE, else SO_RCVBUF).</summary>
    public int ReceiveBufferBytes { get; init; } = 8 << 20;

    /// <summary>Kernel send buffer; must exceed the largest batch (netlink rejects a sendmsg longer than sndbuf with EMSGSIZE).</summary>
    public int SendBufferBytes { get; init; } = 4 << 20;

    /// <summary>Our own receive buffer for one datagram.</summary>
    public int DatagramBufferBytes { get; init; } = 1 << 20;

    /// <summary>Multicast groups to join (a monitor); empty for request sockets.</summary>
    public IReadOnlyList<Wire.RtnlGroup> Groups { get; init; } = [];

    /// <summary>How long a receive may block before failing with EAGAIN; null blocks forever.</summary>
    public TimeSpan? ReceiveTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Netlink protocol numbers (linux/netlink.h).</summary>
public static class NetlinkProtocols
{
    public const int Route = 0;
    public const int Netfilter = 12;
}

/// <summary>A real AF_NETLINK socket (NETLINK_ROUTE or NETLINK_NETFILTER).</summary>
internal sealed unsafe class LinuxNetlinkTransport : INetlinkTransport
{
    private readonly NetlinkSafeHandle _handle;

    private LinuxNetlinkTransport(NetlinkSafeHandle handle, uint portId)
    {
        _handle = handle;
        PortId = portId;
    }

    public uint PortId { get; }

    /// <summary>Opens a socket in the network namespace of the calling thread.</summary>
    public static LinuxNetlinkTransport Open(NetlinkSocketOptions options)
    {
        var fd = LibC.Socket(LibC.AfNetlink, LibC.SockRaw | LibC.SockCloexec, options.Protocol);
        if (fd < 0)
        {
            throw NetlinkException.FromErrno(Marshal.GetLastPInvokeError(), $"socket(AF_NETLINK, {options.Protocol})");
        }

        var handle = new NetlinkSafeHandle(fd);
        try
        {
            SetBuffer(handle, LibC.SoRcvbufforce, LibC.SoRcvbuf, options.ReceiveBufferBytes);
            SetBuffer(handle, LibC.SoSndbufforce, LibC.SoSndbuf, options.SendBufferBytes);
            // Extended ACKs carry the kernel's reason text; strict checking makes dump filters
            // (table, family) apply in the kernel; CAP_ACK keeps error ACKs small in big batches.
            // All three are optional: older kernels ignore them.
            TrySetInt(handle, LibC.SolNetlink, LibC.NetlinkExtAck, 1);
            TrySetInt(handle, LibC.SolNetlink, LibC.NetlinkGetStrictChk, 1);
            TrySetInt(handle, LibC.SolNetlink, LibC.NetlinkCapAck, 1);
            if (options.ReceiveTimeout is { } timeout)
            {
                var tv = new LibC.TimeVal { Seconds = (long)timeout.TotalSeconds, Microseconds = timeout.Milliseconds * 1000L };
                if (LibC.SetSockOpt(handle, LibC.SolSocket, LibC.SoRcvtimeo, &tv, sizeof(LibC.TimeVal)) != 0)
                {
                    throw NetlinkException.FromErrno(Marshal.GetLastPInvokeError(), "setsockopt(SO_RCVTIMEO)");
                }
            }

            var address = new LibC.SockaddrNl { Family = LibC.AfNetlink };
            if (LibC.Bind(handle, &address, sizeof(LibC.SockaddrNl)) != 0)
            {
                throw NetlinkException.FromErrno(Marshal.GetLastPInvokeError(), "bind(AF_NETLINK)");
            }

            foreach (var group in options.Groups)
            {
                var g = (int)group;
                if (LibC.SetSockOpt(handle, LibC.SolNetlink, LibC.NetlinkAddMembership, &g, sizeof(int)) != 0)
                {
                    throw NetlinkException.FromErrno(Marshal.GetLastPInvokeError(), $"setsockopt(NETLINK_ADD_MEMBERSHIP {group})");
                }
            }

            var bound = default(LibC.SockaddrNl);
            var length = sizeof(LibC.SockaddrNl);
            if (LibC.GetSockName(handle, &bound, &length) != 0)
            {
                throw NetlinkException.FromErrno(Marshal.GetLastPInvokeError(), "getsockname(AF_NETLINK)");
            }

            return new LinuxNetlinkTransport(handle, bound.PortId);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a socket inside the namespace at <paramref name="namespacePath"/> (e.g. /run/netns/NAME):
    /// a dedicated thread enters it with setns(), creates the socket and returns home. A socket stays
    /// bound to the namespace it was created in, so it can be used from any thread afterwards.
    /// </summary>
    public static LinuxNetlinkTransport OpenInNamespace(string namespacePath, NetlinkSocketOptions options)
    {
        LinuxNetlinkTransport? result = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                var home = LibC.OpenNamespaceFile("/proc/thread-self/ns/net");
                try
                {
                    var target = LibC.OpenNamespaceFile(namespacePath);
                    try
                    {
                        LibC.EnterNetworkNamespace(target, namespacePath);
                    }
                    finally
                    {
                        LibC.Close(target);
                    }

                    try
                    {
                        result = Open(options);
                    }
                    finally
                    {
                        LibC.EnterNetworkNamespace(home, "home namespace");
                    }
                }
                finally
                {
                    LibC.Close(home);
                }
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        {
            IsBackground = true,
            Name = "netlink setns",
        };
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            result?.Dispose();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }

        return result!;
    }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        var kernel = new LibC.SockaddrNl { Family = LibC.AfNetlink };
        fixed (byte* p = datagram)
        {
            while (true)
            {
                var sent = LibC.SendTo(_handle, p, (nuint)datagram.Length, 0, &kernel, sizeof(LibC.SockaddrNl));
                if (sent >= 0)
                {
                    if (sent != datagram.Length)
                    {
                        throw new NetlinkProtocolException($"sendto sent {sent} of {datagram.Length} bytes");
                    }

                    return;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != (int)Errno.EINTR)
                {
                    throw NetlinkException.FromErrno(errno, "sendto(netlink)");
                }
            }
        }
    }

    public int Receive(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var from = default(LibC.SockaddrNl);
                var fromLength = sizeof(LibC.SockaddrNl);
                // MSG_TRUNC makes recvfrom return the real datagram length, so truncation is detected.
                var received = LibC.RecvFrom(_handle, p, (nuint)buffer.Length, LibC.MsgTrunc, &from, &fromLength);
                if (received < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == (int)Errno.EINTR)
                    {
                        continue;
                    }

                    throw NetlinkException.FromErrno(errno, "recvfrom(netlink)");
                }

                if (received > buffer.Length)
                {
                    throw new NetlinkProtocolException($"netlink datagram of {received} bytes exceeds the {buffer.Length}-byte receive buffer");
                }

                // Only the kernel (port 0) speaks to us on these protocols; drop anything else.
                if (from.PortId != 0)
                {
                    continue;
                }

                return (int)received;
            }
        }
    }

    public void Dispose() => _handle.Dispose();

    private static void SetBuffer(NetlinkSafeHandle handle, int forceOption, int option, int bytes)
    {
        // The FORCE variants ignore rmem_max/wmem_max but need CAP_NET_ADMIN; fall back quietly.
        if (!TrySetInt(handle, LibC.SolSocket, forceOption, bytes))
        {
            TrySetInt(handle, LibC.SolSocket, option, bytes);
        }
    }

    private static bool TrySetInt(NetlinkSafeHandle handle, int level, int option, int value) =>
        LibC.SetSockOpt(handle, level, option, &value, sizeof(int)) == 0;
}
