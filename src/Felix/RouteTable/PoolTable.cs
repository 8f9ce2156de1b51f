using System.Net;

namespace Tabby.Felix.RouteTable;

/// <summary>An IP pool as route programming sees it: its CIDR and how its traffic is encapsulated.</summary>
public sealed record RoutedPool(IPNetwork Cidr, PoolEncapsulation Encapsulation);

/// <summary>
/// Finds the pool a destination belongs to (the most specific pool containing it), to choose how
/// a BGP-learned route is programmed: routes to blocks of an IPIP or VXLAN pool are encapsulated;
/// routes outside every pool (learned from a ToR, say) go plainly via their next hop.
/// </summary>
public sealed class PoolTable
{
    private readonly RoutedPool[] _pools;

    public PoolTable(IEnumerable<RoutedPool> pools)
    {
        _pools = [.. pools.OrderByDescending(p => p.Cidr.PrefixLength)];
        foreach (var pool in _pools)
        {
            pool.Encapsulation.Validate();
        }
    }

    /// <summary>The most specific pool that contains all of <paramref name="destination"/>, or null.</summary>
    public RoutedPool? PoolOf(IPNetwork destination)
    {
        foreach (var pool in _pools)
        {
            if (pool.Cidr.PrefixLength <= destination.PrefixLength && pool.Cidr.Contains(destination.BaseAddress))
            {
                return pool;
            }
        }

        return null;
    }

    public PoolEncapsulation EncapsulationOf(IPNetwork destination) => PoolOf(destination)?.Encapsulation ?? PoolEncapsulation.None;
}

/// <summary>
/// Turns a BGP-learned prefix with its best next hops into the route to program: the pool decides
/// the encapsulation, the next hop's node gives the VTEP for VXLAN, CrossSubnet is decided per next
/// hop, and several best next hops become one ECMP route.
/// </summary>
public sealed class BgpRouteBuilder(EncapsulationRoutes routes, PoolTable pools, Func<IPAddress, IPAddress?> vtepOfNode)
{
    public DesiredRoute Build(IPNetwork prefix, IReadOnlyCollection<IPAddress> bestNextHops)
    {
        if (bestNextHops.Count == 0)
        {
            throw new ArgumentException($"BGP route {prefix} has no next hop", nameof(bestNextHops));
        }

        var encapsulation = pools.EncapsulationOf(prefix);
        return routes.RemoteBlock(prefix, encapsulation, [.. bestNextHops.Select(h => new RemotePath(h, vtepOfNode(h)))]);
    }
}
