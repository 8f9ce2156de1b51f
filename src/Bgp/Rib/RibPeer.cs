using System.Net;

namespace Tabby.Bgp.Rib;

/// <summary>
/// Where a path came from, as the decision process and export rules need it: one instance per
/// peer (shared by all its paths, so a path costs one reference), plus one for local routes.
/// </summary>
public sealed class RibPeer
{
    public RibPeer(string name, IPAddress address, uint remoteAs, uint routerId, bool isInternal, bool isRouteReflectorClient = false, bool isLocal = false)
    {
        Name = name;
        Address = address;
        RemoteAs = remoteAs;
        RouterId = routerId;
        IsInternal = isInternal;
        IsRouteReflectorClient = isRouteReflectorClient;
        IsLocal = isLocal;
    }

    /// <summary>The source of originated routes.</summary>
    public static RibPeer Local(uint localAs, uint routerId) => new("local", IPAddress.Any, localAs, routerId, isInternal: true, isLocal: true);

    public string Name { get; }

    public IPAddress Address { get; }

    public uint RemoteAs { get; }

    /// <summary>The peer's BGP identifier in host order (set when the session comes up).</summary>
    public uint RouterId { get; set; }

    /// <summary>iBGP: same AS (RFC 4271 section 1.1).</summary>
    public bool IsInternal { get; }

    /// <summary>A route-reflector client of ours (RFC 4456 section 5).</summary>
    public bool IsRouteReflectorClient { get; }

    public bool IsLocal { get; }

    public override string ToString() => IsLocal ? "local" : $"{Name} ({Address} AS {RemoteAs})";
}
