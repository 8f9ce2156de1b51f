using System.Net;
using System.Net.NetworkInformation;

namespace Tabby.Cni.Dataplane;

/// <summary>
/// Calico's addressing of a workload link: the host end has the fixed MAC ee:ee:ee:ee:ee:ee; the pod
/// reaches everything through gateways that exist nowhere — 169.254.1.1 (answered by the host end's
/// proxy ARP) and fe80::ecee:eeff:feee:eeee (the host end's own EUI-64 link-local address) — pinned
/// by permanent neighbour entries so no resolution is needed before the first packet.
/// </summary>
public static class WorkloadLink
{
    public static readonly PhysicalAddress HostMac = PhysicalAddress.Parse("EE-EE-EE-EE-EE-EE");

    public static readonly IPAddress IPv4Gateway = IPAddress.Parse("169.254.1.1");

    public static readonly IPAddress IPv6Gateway = IPAddress.Parse("fe80::ecee:eeff:feee:eeee");

    public static readonly IPNetwork IPv4Default = IPNetwork.Parse("0.0.0.0/0");

    public static readonly IPNetwork IPv6Default = IPNetwork.Parse("::/0");

    /// <summary>ee:ee:ee:ee:ee:ee as CNI results write MACs (lower case, colons).</summary>
    public static string Format(PhysicalAddress? mac) =>
        mac is null ? "" : string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
