using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Tabby.Node.Configuration;

/// <summary>An interface as autodetection sees it.</summary>
public sealed record HostInterface(string Name, int Index, bool IsUp, IReadOnlyList<NodeAddress> Addresses);

/// <summary>
/// Finds the node's address by calico-node's methods. Interfaces that are never the node's own
/// (container veths, tunnels, bridges of other runtimes, loopback) are skipped by first-found, as
/// calico-node does.
/// </summary>
public static partial class AddressAutodetector
{
    /// <summary>Reads the interfaces of the network namespace the calling thread is in.</summary>
    public static IReadOnlyList<HostInterface> ReadInterfaces()
    {
        var result = new List<HostInterface>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            var properties = nic.GetIPProperties();
            var index = nic.Supports(NetworkInterfaceComponent.IPv4) ? properties.GetIPv4Properties()?.Index ?? 0 : 0;
            var addresses = properties.UnicastAddresses
                .Select(a => new NodeAddress(a.Address, a.PrefixLength))
                .ToList();
            result.Add(new HostInterface(nic.Name, index, nic.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown, addresses));
        }

        return result.OrderBy(i => i.Index).ThenBy(i => i.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Applies <paramref name="method"/> to <paramref name="interfaces"/>. Returns null with a reason when
    /// nothing qualifies. <paramref name="route"/> answers can-reach (the source the kernel picks).
    /// </summary>
    public static NodeAddress? Detect(AutodetectionMethod method, AddressFamily family, IReadOnlyList<HostInterface> interfaces,
        Func<string, AddressFamily, IPAddress?> route, out string? reason)
    {
        reason = null;
        IEnumerable<(HostInterface Nic, NodeAddress Address)> Candidates(Func<HostInterface, bool> keep) =>
            interfaces.Where(i => i.IsUp && keep(i))
                .SelectMany(i => i.Addresses.Where(a => Usable(a.Address, family)).Select(a => (i, a)));

        switch (method)
        {
            case AutodetectionMethod.FirstFound:
                return First(Candidates(i => !IsExcluded(i.Name)), "no up interface with a usable address", out reason);
            case AutodetectionMethod.Interface m:
                return First(Candidates(i => m.Patterns.Any(p => p.IsMatch(i.Name))), "no up interface matches " + Describe(m.Patterns), out reason);
            case AutodetectionMethod.SkipInterface m:
                return First(Candidates(i => !IsExcluded(i.Name) && !m.Patterns.Any(p => p.IsMatch(i.Name))),
                    "every usable interface is skipped by " + Describe(m.Patterns), out reason);
            case AutodetectionMethod.Cidr m:
                return First(Candidates(_ => true).Where(c => m.Ranges.Any(r => r.Contains(c.Address.Address))),
                    "no address inside " + string.Join(", ", m.Ranges), out reason);
            case AutodetectionMethod.CanReach m:
                var source = route(m.Destination, family);
                if (source is null)
                {
                    reason = $"{m.Destination} is not reachable (no route)";
                    return null;
                }

                return First(Candidates(_ => true).Where(c => c.Address.Address.Equals(source)),
                    $"the source address {source} towards {m.Destination} is on no up interface", out reason);
            default:
                reason = $"{method.GetType().Name} needs the Kubernetes node object";
                return null;
        }
    }

    /// <summary>
    /// The source address the kernel would use towards <paramref name="destination"/>: a UDP socket
    /// is connected (which sends nothing) and its local address read back.
    /// </summary>
    public static IPAddress? SourceAddressTowards(string destination, AddressFamily family)
    {
        try
        {
            var target = IPAddress.TryParse(destination, out var literal)
                ? literal
                : Dns.GetHostAddresses(destination).FirstOrDefault(a => a.AddressFamily == family);
            if (target is null || target.AddressFamily != family)
            {
                return null;
            }

            using var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(target, 53));
            return ((IPEndPoint)socket.LocalEndPoint!).Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static NodeAddress? First(IEnumerable<(HostInterface Nic, NodeAddress Address)> candidates, string whyNot, out string? reason)
    {
        foreach (var (_, address) in candidates)
        {
            reason = null;
            return address;
        }

        reason = whyNot;
        return null;
    }

    private static bool Usable(IPAddress address, AddressFamily family) =>
        address.AddressFamily == family && !IPAddress.IsLoopback(address) && !address.IsIPv6LinkLocal
        && !(family == AddressFamily.InterNetwork && address.GetAddressBytes() is [169, 254, ..]);

    /// <summary>Interfaces calico-node never takes its address from.</summary>
    public static bool IsExcluded(string name) => DefaultExclusions().IsMatch(name);

    private static string Describe(IReadOnlyList<Regex> patterns) => string.Join(", ", patterns.Select(p => p.ToString()));

    [GeneratedRegex("^(lo|docker.*|cbr.*|dummy.*|virbr.*|lxcbr.*|veth.*|cali.*|tunl.*|flannel.*|kube-ipvs.*|cni.*|vxlan\\.calico|vxlan-v6\\.calico|wireguard\\.cali|wg-v6\\.cali|nodelocaldns.*|tabby.*)$")]
    private static partial Regex DefaultExclusions();
}
