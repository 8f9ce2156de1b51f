using System.Net;
using Tabby.Common.Status;
using Tabby.Felix.RouteTable;
using Tabby.Node.Bgp;
using Tabby.Node.Dataplane;

namespace Tabby.Node.Status;

/// <summary>
/// The node's routes for <c>tabbyctl node routes</c> and CalicoNodeStatus: every BGP path in the
/// speaker's Loc-RIB (RIB, learned from the mesh or a BGPPeer, or originated here) and every route
/// the agent programs (FIB: workload routes, local block blackholes, tunnel routes from the
/// datastore, BGP best paths), each with its origin and whether the kernel holds it as wanted.
/// </summary>
public static class NodeRoutesBuilder
{
    public static async Task<IReadOnlyList<NodeRoute>> BuildAsync(BgpService bgp, DataplaneService dataplane)
    {
        var peerTypes = (await bgp.GetPeersAsync().ConfigureAwait(false)).ToDictionary(p => p.Address, p => p.Type, StringComparer.Ordinal);
        var routes = new List<NodeRoute>();
        var bestPeer = new Dictionary<string, string>(StringComparer.Ordinal);
        if (bgp.Speaker is { } speaker)
        {
            foreach (var route in await speaker.GetRoutesAsync().ConfigureAwait(false))
            {
                foreach (var path in route.Paths)
                {
                    if (path.Best && path.PeerAddress is { } peer)
                    {
                        bestPeer[route.Prefix] = peer;
                    }

                    routes.Add(new NodeRoute
                    {
                        Type = "RIB",
                        Destination = route.Prefix,
                        Gateway = path.NextHop,
                        SourceType = SourceType(path.PeerAddress, peerTypes),
                        PeerIP = path.PeerAddress,
                        Best = path.Best,
                        Reason = path.Best ? route.Reason : path.Stale ? "stale (peer restarting)" : path.Accepted ? null : "not eligible",
                    });
                }
            }
        }

        foreach (var entry in dataplane.RouteEntries())
        {
            var destination = entry.Route.Destination.ToString();
            var peer = entry.Source == RouteSource.Bgp ? bestPeer.GetValueOrDefault(destination) : null;
            var hops = entry.Route.NextHops.Count == 0 ? [new DesiredNextHop(null, null)] : entry.Route.NextHops;
            foreach (var hop in hops)
            {
                routes.Add(new NodeRoute
                {
                    Type = "FIB",
                    Destination = destination,
                    Gateway = hop.Gateway?.ToString() ?? (entry.Route.Type == Felix.Netlink.Routes.RouteType.Unicast ? null : entry.Route.Type.ToString().ToLowerInvariant()),
                    Interface = hop.Interface,
                    SourceType = entry.Source switch
                    {
                        RouteSource.Workload => "Direct",
                        RouteSource.LocalBlock => "Static",
                        RouteSource.Tunnel => "Kernel",
                        _ => SourceType(peer, peerTypes),
                    },
                    PeerIP = peer,
                    Reason = entry.Source switch
                    {
                        RouteSource.Workload => "workload",
                        RouteSource.LocalBlock => "local block",
                        RouteSource.Tunnel => "VXLAN from the datastore",
                        _ => "BGP best path",
                    },
                    Programmed = entry.Programmed,
                });
            }
        }

        return routes.OrderBy(r => r.Type, StringComparer.Ordinal)
            .ThenBy(r => IPNetwork.TryParse(r.Destination, out var n) ? n.BaseAddress.AddressFamily : System.Net.Sockets.AddressFamily.Unknown)
            .ThenBy(r => r.Destination, StringComparer.Ordinal)
            .ThenByDescending(r => r.Best ?? false)
            .ToList();
    }

    private static string SourceType(string? peer, Dictionary<string, string> peerTypes) =>
        peer is null ? "Local"
        : peerTypes.GetValueOrDefault(peer) == "node-to-node mesh" ? "NodeMesh"
        : "BGPPeer";
}
