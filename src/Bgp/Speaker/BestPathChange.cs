using System.Net;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Speaker;

/// <summary>One next hop of an ECMP set, with the peer it was learned from.</summary>
public sealed record RouteNextHop(IPAddress Address, IPAddress Peer, string PeerName);

/// <summary>
/// A change for the kernel: the prefix's ECMP next hops (learned routes only), or withdrawn when no
/// learned path is best any more (also when our own origination wins).
/// </summary>
public sealed record BestPathChange(BgpPrefix Prefix, IReadOnlyList<RouteNextHop> NextHops)
{
    public bool Withdrawn => NextHops.Count == 0;
}
