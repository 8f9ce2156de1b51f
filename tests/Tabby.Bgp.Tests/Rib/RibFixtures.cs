using System.Net;
using Tabby.Bgp.Rib;
using Tabby.Bgp.Wire.Attributes;

namespace Tabby.Bgp.Tests.Rib;

internal static class RibFixtures
{
    public static RibPeer Peer(string address, uint asn, bool internalPeer = false, uint routerId = 0, bool client = false) =>
        new(address, IPAddress.Parse(address), asn, routerId == 0 ? Id(address) : routerId, internalPeer, client);

    public static uint Id(string address)
    {
        var b = IPAddress.Parse(address).GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    public static PathAttributes Attributes(string nextHop = "192.0.2.1", uint[]? path = null, uint? localPref = null, uint? med = null,
        Origin origin = Origin.Igp, uint? originatorId = null, uint[]? clusterList = null)
    {
        var b = new PathAttributesBuilder
        {
            Origin = origin,
            AsPath = AsPath.Sequence(path ?? [65002]),
            NextHop = IPAddress.Parse(nextHop),
            LocalPref = localPref,
            MultiExitDisc = med,
            OriginatorId = originatorId,
        };
        if (clusterList is not null) b.ClusterList.AddRange(clusterList);
        return b.Build();
    }

    public static RibPath Path(RibPeer peer, PathAttributes a, uint pathId = 0) => new(peer, a, a, pathId);
}
