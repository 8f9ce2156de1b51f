using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Testing.Namespaces;

namespace Tabby.Interop.Tests.Harness;

/// <summary>
/// Two namespaces joined by a veth pair: "tabby" 192.0.2.1 / 2001:db8::1 and "peer" 192.0.2.2 /
/// 2001:db8::2 (documentation ranges).
/// </summary>
public sealed class TwoNodes : IDisposable
{
    public const string TabbyV4 = "192.0.2.1";
    public const string PeerV4 = "192.0.2.2";
    public const string TabbyV6 = "2001:db8::1";
    public const string PeerV6 = "2001:db8::2";

    private TwoNodes(NetworkNamespace tabby, NetworkNamespace peer)
    {
        Tabby = tabby;
        Peer = peer;
    }

    public NetworkNamespace Tabby { get; }

    public NetworkNamespace Peer { get; }

    /// <summary>Attributes Tabby's test routes carry, so every peer's view can be checked for them intact.</summary>
    public static readonly RouteAttributes Marked = new()
    {
        Communities = [new Community(65001, 7)],
        LargeCommunities = [new LargeCommunity(65001, 3, 4)],
        Med = 50,
    };

    public static async Task<TwoNodes> CreateAsync(string peerLabel)
    {
        var tabby = NetworkNamespace.Create("tabby");
        var peer = NetworkNamespace.Create(peerLabel);
        try
        {
            Veth.Connect(tabby, "eth0", peer, "eth0", TabbyV4 + "/24", PeerV4 + "/24");
            tabby.AddAddress("eth0", TabbyV6 + "/64");
            peer.AddAddress("eth0", PeerV6 + "/64");
            await tabby.WaitReachableAsync(PeerV4);
            await tabby.WaitReachableAsync(PeerV6);
            return new TwoNodes(tabby, peer);
        }
        catch
        {
            tabby.Dispose();
            peer.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Tabby.Dispose();
        Peer.Dispose();
    }
}
