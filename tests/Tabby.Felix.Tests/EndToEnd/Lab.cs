using System.Net;
using Tabby.Felix.Netlink;
using Tabby.Felix.RouteTable;
using Tabby.Felix.Tunnels;
using Tabby.Testing.Namespaces;

namespace Tabby.Felix.Tests.EndToEnd;

/// <summary>
/// A small cluster in namespaces. A router namespace holds the "LAN" bridge (192.0.2.0/24, nodes a
/// and b) and routes to a second subnet (198.51.100.0/24, node c) and to an outside network
/// (203.0.113.0/24, namespace "ext"). The router knows only node subnets, never pod addresses, so
/// pod traffic crossing it must be encapsulated (or NATed). Each node has one pod namespace wired
/// like Calico's CNI does it (pod default route via 169.254.1.1 onlink, proxy ARP on the host end).
/// </summary>
internal sealed class Lab : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public Lab()
    {
        Router = Own(NetworkNamespace.Create("router"));
        Router.EnableForwarding();
        Router.AddBridge("br0");
        Router.AddAddress("br0", "192.0.2.254/24");
        External = Own(NetworkNamespace.Create("ext"));
        Veth.Connect(Router, "to-ext", External, "eth0", "203.0.113.254/24", "203.0.113.10/24");
        External.AddRoute("default", "via", "203.0.113.254");
    }

    public NetworkNamespace Router { get; }

    public NetworkNamespace External { get; }

    public List<LabNode> Nodes { get; } = [];

    /// <summary>Adds a node; <paramref name="onLan"/> puts it on the bridge, else on its own routed subnet.</summary>
    public LabNode AddNode(string name, int number, bool onLan)
    {
        var ns = Own(NetworkNamespace.Create(name));
        ns.EnableForwarding();
        IPAddress nodeIp;
        IPNetwork subnet;
        if (onLan)
        {
            nodeIp = IPAddress.Parse($"192.0.2.{number}");
            subnet = IPNetwork.Parse("192.0.2.0/24");
            Veth.ConnectToBridge(Router, "br0", $"br-{name}", ns, "eth0", $"{nodeIp}/24");
            ns.AddRoute("default", "via", "192.0.2.254");
        }
        else
        {
            nodeIp = IPAddress.Parse($"198.51.100.{number}");
            subnet = IPNetwork.Parse("198.51.100.0/24");
            Veth.Connect(Router, $"to-{name}", ns, "eth0", "198.51.100.254/24", $"{nodeIp}/24");
            ns.AddRoute("default", "via", "198.51.100.254");
        }

        var block = IPNetwork.Parse($"10.65.{number}.0/26");
        var pod = Own(NetworkNamespace.Create($"pod{name}"));
        var podIp = IPAddress.Parse($"10.65.{number}.5");
        ns.Ip("link", "add", "cali0", "type", "veth", "peer", "name", "eth0", "netns", pod.Name);
        ns.Ip("link", "set", "cali0", "up");
        ns.Sysctl("net.ipv4.conf.cali0.proxy_arp", "1");
        ns.Sysctl("net.ipv4.neigh.cali0.proxy_delay", "0");
        pod.AddAddress("eth0", $"{podIp}/32");
        pod.AddRoute("169.254.1.1", "dev", "eth0", "scope", "link");
        pod.AddRoute("default", "via", "169.254.1.1", "dev", "eth0");

        var client = Own(NetlinkClient.OpenInNamespace(ns.NamespacePath));
        var node = new LabNode(name, ns, pod, client, nodeIp, subnet, block, podIp, IPAddress.Parse($"10.65.{number}.1"), VxlanTunnel.MacForNode(name));
        Nodes.Add(node);
        return node;
    }

    /// <summary>Programs every node's routes for <paramref name="encapsulation"/> (VXLAN devices and VTEPs when needed).</summary>
    public void Program(PoolEncapsulation encapsulation)
    {
        var vxlan = encapsulation.Vxlan != EncapsulationMode.Never;
        foreach (var node in Nodes)
        {
            if (vxlan)
            {
                new VxlanTunnel(node.Client).Ensure(new VxlanTunnelConfig(node.NodeIp, node.TunnelIp, node.Mac, 1450));
                var vteps = new VtepTable(node.Client);
                vteps.SetVteps(Nodes.Where(n => n != node).Select(n => new RemoteVtep(n.Name, n.TunnelIp, n.Mac, n.NodeIp)));
                vteps.Sync();
            }

            var routes = new EncapsulationRoutes([new LocalSubnet("eth0", node.Subnet)]);
            node.Reconciler.SetRoute(RouteSource.Workload, EncapsulationRoutes.Workload(node.PodIp, "cali0"));
            node.Reconciler.SetRoute(RouteSource.LocalBlock, EncapsulationRoutes.LocalBlock(node.Block));
            node.Reconciler.SetRoutes(RouteSource.Bgp, Nodes.Where(n => n != node)
                .Select(n => routes.RemoteBlock(n.Block, encapsulation, [new RemotePath(n.NodeIp, n.TunnelIp)])));
            var result = node.Reconciler.Reconcile();
            if (result.Failed > 0 || result.WaitingForInterface > 0)
            {
                throw new InvalidOperationException($"node {node.Name}: {result}\n{node.Namespace.Ip("route", "show").StandardOutput}");
            }
        }
    }

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }
}

internal sealed record LabNode(string Name, NetworkNamespace Namespace, NetworkNamespace Pod, NetlinkClient Client, IPAddress NodeIp, IPNetwork Subnet,
    IPNetwork Block, IPAddress PodIp, IPAddress TunnelIp, System.Net.NetworkInformation.PhysicalAddress Mac)
{
    public RouteTableReconciler Reconciler { get; } = new(new NetlinkRouteKernel(Client));

    /// <summary>Pings <paramref name="target"/> from this node's pod; returns the command output on failure.</summary>
    public (bool Ok, string Output) PingFromPod(IPAddress target)
    {
        var result = Pod.Run("ping", "-c", "2", "-i", "0.2", "-W", "2", target.ToString());
        return (result.Succeeded, result.ToString());
    }
}
