using System.Net;
using System.Net.Sockets;
using Tabby.Bgp.Transport;

namespace Tabby.Bgp.Tests.Transport;

/// <summary>The Linux socket options BGP sets, read back from the kernel.</summary>
public sealed class TcpSocketOptionsTests
{
    [Theory]
    [InlineData(AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetworkV6)]
    public void GtsmSendsTtl255AndRequiresTheMinimum(AddressFamily family)
    {
        using var socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        var security = new TransportSecurity { TtlSecurityHops = 2 };
        TcpSocketOptions.SetTtl(socket, security.EffectiveTtl, security.MinimumTtl);
        Assert.Equal(255, socket.Ttl);
        Assert.Equal(254, TcpSocketOptions.GetMinimumTtl(socket));
    }

    [Theory]
    [InlineData(AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetworkV6)]
    public void TrafficIsMarkedCs6(AddressFamily family)
    {
        using var socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        TcpSocketOptions.SetTrafficClass(socket);
        Assert.Equal(0xC0, TcpSocketOptions.GetTrafficClass(socket));
    }

    [Fact]
    public void WithoutGtsmTheConfiguredTtlIsUsed()
    {
        var security = new TransportSecurity { Ttl = 1 };
        Assert.Equal(1, security.EffectiveTtl);
        Assert.Equal(0, security.MinimumTtl);
    }

    [Fact]
    public void Md5KeysAreAcceptedByTheKernelAndTooLongOnesRejected()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        TcpSocketOptions.SetMd5Signature(socket, IPAddress.Parse("192.0.2.2"), "s3cret");
        using var v6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        TcpSocketOptions.SetMd5Signature(v6, IPAddress.Parse("2001:db8::2"), "s3cret");
        TcpSocketOptions.SetMd5Signature(v6, IPAddress.Parse("192.0.2.2"), "mapped");
        Assert.Throws<ArgumentException>(() => TcpSocketOptions.SetMd5Signature(socket, IPAddress.Parse("192.0.2.2"), new string('x', 81)));
    }

    [Fact]
    public async Task ListenerRefusesAddressesThatAreNotPeers()
    {
        var accepted = new List<IPAddress>();
        await using var listener = BgpListener.Start(new IPEndPoint(IPAddress.Loopback, 0), SocketFactories.Default, (a, s) =>
        {
            lock (accepted) accepted.Add(a);
            return false;
        }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint);
        var buffer = new byte[1];
        // The listener closes the connection: the read ends with 0 bytes.
        Assert.Equal(0, await client.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, listener.RejectedConnections);
        Assert.Equal(IPAddress.Loopback, Assert.Single(accepted));
    }
}
