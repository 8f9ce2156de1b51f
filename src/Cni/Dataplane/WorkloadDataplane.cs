using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tabby.Cni.Spec;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Addresses;
using Tabby.Felix.Netlink.Links;
using Tabby.Felix.Netlink.Neighbors;
using Tabby.Felix.Netlink.Routes;

namespace Tabby.Cni.Dataplane;

/// <summary>What ADD created: the host end and the container end of the veth.</summary>
public sealed record WorkloadInterfaces(string HostName, string HostMac, string ContainerName, string ContainerMac, int Mtu);

/// <summary>
/// Plumbs a workload into the host the way Calico does (shared/reference/calico-compat.md): a veth
/// pair, container end named CNI_IFNAME inside the pod's namespace with the pod's /32 and /128 and
/// default routes via the fixed gateways of <see cref="WorkloadLink"/>; host end named cali+hash with
/// proxy ARP/NDP sysctls; per address a <c>&lt;ip&gt;/32 dev caliX scope link proto 80</c> route and a
/// permanent neighbour entry. The plugin runs in the host's namespace; the pod's is reached with a
/// netlink socket opened inside it.
/// </summary>
public sealed class WorkloadDataplane(ILogger logger)
{
    /// <summary>Creates and configures the pair. On failure everything created is removed before the exception leaves.</summary>
    public WorkloadInterfaces Setup(string netNs, string ifName, string hostVeth, int mtu, IReadOnlyList<IPAddress> addresses)
    {
        using var netns = NamespaceFile.Open(netNs);
        using var host = NetlinkClient.Open();
        using var pod = OpenPod(netNs);

        // A retried ADD, or a pod re-created under the same name, finds leftovers: start clean.
        if (pod.GetLink(ifName) is { } stale)
        {
            // Only a veth can be ours (an earlier ADD of this container); anything else belongs to
            // someone else and is never touched.
            if (stale.Kind != "veth")
            {
                throw new CniException(CniErrorCode.DataplaneFailure,
                    $"{ifName} already exists in {netNs} and is a {stale.Kind ?? "device"} Tabby did not create; choose another CNI_IFNAME");
            }

            logger.LogWarning("{Interface} already exists in {NetNs}; replacing it", ifName, netNs);
            Run($"delete stale {ifName} in {netNs}", () => pod.DeleteLink(stale.Index));
        }

        if (host.GetLink(hostVeth) is { } staleHost)
        {
            if (staleHost.Kind != "veth")
            {
                throw new CniException(CniErrorCode.DataplaneFailure, $"host interface {hostVeth} exists and is a {staleHost.Kind ?? "device"}, not a workload veth");
            }

            logger.LogWarning("host interface {Veth} already exists (old sandbox of the same pod); replacing it", hostVeth);
            Run($"delete stale {hostVeth}", () => host.DeleteLink(staleHost.Index));
        }

        Run($"create veth {hostVeth} / {ifName}", () => host.CreateVeth(new VethSpec(hostVeth, ifName) { Mtu = mtu, PeerNamespaceFd = netns.Descriptor }));
        try
        {
            var hostLink = host.GetLink(hostVeth) ?? throw new CniException(CniErrorCode.DataplaneFailure, $"{hostVeth} vanished right after it was created");
            var containerLink = pod.GetLink(ifName) ?? throw new CniException(CniErrorCode.DataplaneFailure, $"{ifName} is not in {netNs} after creating the pair");
            var hasV4 = addresses.Any(a => a.AddressFamily == AddressFamily.InterNetwork);
            var hasV6 = addresses.Any(a => a.AddressFamily == AddressFamily.InterNetworkV6);

            // Host end: the fixed MAC and the sysctls before the link is up (no SLAAC, no RA).
            Run($"set {hostVeth} address", () => host.SetLinkAddress(hostLink.Index, WorkloadLink.HostMac));
            InterfaceSysctls.ConfigureIPv4(hostVeth);
            if (hasV6)
            {
                InterfaceSysctls.ConfigureIPv6(hostVeth);
            }

            Run($"set {hostVeth} up", () => host.SetLinkUp(hostLink.Index));

            // Container end: addresses, the gateway neighbours, routes.
            Run($"set {ifName} up", () => pod.SetLinkUp(containerLink.Index));
            foreach (var address in addresses)
            {
                var cidr = CidrAddress.Host(address);
                Run($"add {cidr} to {ifName}", () => pod.ReplaceAddress(new InterfaceAddress(containerLink.Index, address, cidr.PrefixLength)
                {
                    // The address is the pod's alone (IPAM says so): no duplicate address detection delay.
                    Flags = address.AddressFamily == AddressFamily.InterNetworkV6 ? AddressCodec.NoDad : 0,
                }));
            }

            if (hasV4)
            {
                Run($"neighbour {WorkloadLink.IPv4Gateway} in {netNs}", () => pod.ReplaceNeighbor(new Neighbor(containerLink.Index, WorkloadLink.IPv4Gateway) { LinkLayerAddress = WorkloadLink.HostMac }));
                Run($"route {WorkloadLink.IPv4Gateway}/32 in {netNs}", () => pod.ReplaceRoute(new Route(new IPNetwork(WorkloadLink.IPv4Gateway, 32)) { InterfaceIndex = containerLink.Index, Scope = Scope.Link }));
                Run($"default route in {netNs}", () => pod.ReplaceRoute(new Route(WorkloadLink.IPv4Default) { Gateway = WorkloadLink.IPv4Gateway, InterfaceIndex = containerLink.Index }));
            }

            if (hasV6)
            {
                Run($"neighbour {WorkloadLink.IPv6Gateway} in {netNs}", () => pod.ReplaceNeighbor(new Neighbor(containerLink.Index, WorkloadLink.IPv6Gateway) { LinkLayerAddress = WorkloadLink.HostMac }));
                Run($"IPv6 default route in {netNs}", () => pod.ReplaceRoute(new Route(WorkloadLink.IPv6Default) { Gateway = WorkloadLink.IPv6Gateway, InterfaceIndex = containerLink.Index }));
            }

            // Host routes and neighbours towards the pod (what Felix programs too, so the pod is
            // reachable before Felix has seen it).
            foreach (var address in addresses)
            {
                var cidr = CidrAddress.Host(address);
                Run($"neighbour {address} on {hostVeth}", () => host.ReplaceNeighbor(new Neighbor(hostLink.Index, address) { LinkLayerAddress = containerLink.HardwareAddress }));
                Run($"route {cidr} dev {hostVeth}", () => host.ReplaceRoute(HostRoute(address, hostLink.Index)));
            }

            return new WorkloadInterfaces(hostVeth, WorkloadLink.Format(WorkloadLink.HostMac), ifName, WorkloadLink.Format(containerLink.HardwareAddress), mtu);
        }
        catch
        {
            TryDelete(host, hostVeth);
            throw;
        }
    }

    /// <summary>
    /// Removes the container end (the kernel removes its peer, and the routes and neighbours on it).
    /// True when something was removed; a missing namespace or interface is not an error (DEL is idempotent).
    /// </summary>
    public bool Teardown(string netNs, string ifName, string hostVeth)
    {
        var removed = false;
        if (NamespaceFile.Exists(netNs))
        {
            using var pod = OpenPodOrNull(netNs);
            if (pod?.GetLink(ifName) is { Kind: "veth" } link)
            {
                Run($"delete {ifName} in {netNs}", () => pod.DeleteLink(link.Index));
                logger.LogInformation("Deleted {Interface} in {NetNs}", ifName, netNs);
                removed = true;
            }
        }

        // Without the namespace the pair is already gone (destroying a namespace destroys its veth
        // ends and their peers). The host end is looked up by name only to report it.
        using var host = NetlinkClient.Open();
        if (!removed && host.GetLink(hostVeth) is { Kind: "veth" })
        {
            logger.LogInformation("{Veth} still exists but its container end is not in {NetNs}; left for its own sandbox", hostVeth, netNs);
        }

        return removed;
    }

    /// <summary>CHECK: everything <see cref="Setup"/> creates is present. Returns the problems found (empty: fine).</summary>
    public List<string> Verify(string netNs, string ifName, string hostVeth, IReadOnlyList<IPAddress> addresses)
    {
        var problems = new List<string>();
        using var pod = OpenPod(netNs);
        using var host = NetlinkClient.Open();
        var containerLink = pod.GetLink(ifName);
        if (containerLink is null)
        {
            problems.Add($"{ifName} does not exist in {netNs}");
        }
        else
        {
            if (!containerLink.IsUp)
            {
                problems.Add($"{ifName} in {netNs} is down");
            }

            var present = pod.ListAddresses(Felix.Netlink.Wire.Family.Unspecified, containerLink.Index);
            foreach (var address in addresses)
            {
                var cidr = CidrAddress.Host(address);
                if (!present.Any(a => a.Address.Equals(address) && a.PrefixLength == cidr.PrefixLength))
                {
                    problems.Add($"{ifName} in {netNs} lacks {cidr}");
                }
            }

            CheckDefaultRoute(pod, containerLink.Index, AddressFamily.InterNetwork, addresses, problems);
            CheckDefaultRoute(pod, containerLink.Index, AddressFamily.InterNetworkV6, addresses, problems);
        }

        var hostLink = host.GetLink(hostVeth);
        if (hostLink is null)
        {
            problems.Add($"host interface {hostVeth} does not exist");
            return problems;
        }

        if (!hostLink.IsUp)
        {
            problems.Add($"host interface {hostVeth} is down");
        }

        if (InterfaceSysctls.Read($"ipv4/conf/{hostVeth}/proxy_arp") != 1)
        {
            problems.Add($"net.ipv4.conf.{hostVeth}.proxy_arp is not 1");
        }

        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var wanted = addresses.Where(a => a.AddressFamily == family).ToList();
            if (wanted.Count == 0)
            {
                continue;
            }

            var routes = host.ListRoutes(family == AddressFamily.InterNetwork ? Felix.Netlink.Wire.Family.Inet : Felix.Netlink.Wire.Family.Inet6,
                RouteTables.Main, RouteProtocol.Felix);
            foreach (var address in wanted)
            {
                var expected = HostRoute(address, hostLink.Index);
                if (!routes.Any(r => r.Destination.Equals(expected.Destination) && r.InterfaceIndex == hostLink.Index))
                {
                    problems.Add($"host route {expected.Destination} dev {hostVeth} proto 80 is missing");
                }
            }
        }

        return problems;
    }

    private static void CheckDefaultRoute(NetlinkClient pod, int index, AddressFamily family, IReadOnlyList<IPAddress> addresses, List<string> problems)
    {
        if (!addresses.Any(a => a.AddressFamily == family))
        {
            return;
        }

        var (destination, gateway, familyByte) = family == AddressFamily.InterNetwork
            ? (WorkloadLink.IPv4Default, WorkloadLink.IPv4Gateway, Felix.Netlink.Wire.Family.Inet)
            : (WorkloadLink.IPv6Default, WorkloadLink.IPv6Gateway, Felix.Netlink.Wire.Family.Inet6);
        var routes = pod.ListRoutes(familyByte, RouteTables.Main);
        if (!routes.Any(r => r.Destination.Equals(destination) && gateway.Equals(r.Gateway) && r.InterfaceIndex == index))
        {
            problems.Add($"the default route via {gateway} is missing in the container");
        }
    }

    private static Route HostRoute(IPAddress address, int index) =>
        new(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
        {
            InterfaceIndex = index,
            Scope = Scope.Link,
            Protocol = RouteProtocol.Felix,
        };

    private static NetlinkClient OpenPod(string netNs)
    {
        try
        {
            return NetlinkClient.OpenInNamespace(netNs);
        }
        catch (NetlinkException e) when (e.Errno is Errno.ENOENT)
        {
            throw new CniException(CniErrorCode.ContainerUnknown, $"the network namespace {netNs} does not exist", e.Message, e);
        }
        catch (NetlinkException e)
        {
            throw new CniException(CniErrorCode.DataplaneFailure, $"cannot enter the network namespace {netNs}", e.Message, e);
        }
    }

    private NetlinkClient? OpenPodOrNull(string netNs)
    {
        try
        {
            return NetlinkClient.OpenInNamespace(netNs);
        }
        catch (NetlinkException e)
        {
            logger.LogInformation("Network namespace {NetNs} cannot be entered ({Error}); nothing to remove there", netNs, e.Message);
            return null;
        }
    }

    private void TryDelete(NetlinkClient host, string hostVeth)
    {
        try
        {
            if (host.GetLink(hostVeth) is { } link)
            {
                host.DeleteLink(link.Index);
            }
        }
        catch (NetlinkException e)
        {
            logger.LogError("Could not remove {Veth} after a failed ADD: {Error}", hostVeth, e.Message);
        }
    }

    private static void Run(string what, Action action)
    {
        try
        {
            action();
        }
        catch (NetlinkException e)
        {
            throw new CniException(CniErrorCode.DataplaneFailure, $"{what} failed: {e.Errno}", e.Message, e);
        }
    }
}
