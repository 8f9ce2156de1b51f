using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tabby.Felix.Mtu;
using Tabby.Felix.Nat;
using Tabby.Felix.Netlink;
using Tabby.Felix.RouteTable;
using Tabby.Felix.Tunnels;
using Tabby.Node.Agent;
using Tabby.Node.Configuration;
using Tabby.Node.Health;

namespace Tabby.Node.Dataplane;

/// <summary>
/// Keeps the kernel in line with the cluster: local block blackholes, workload routes, VXLAN routes
/// and VTEP neighbours/FDB entries from the datastore, BGP best paths from the speaker, the pod MTU
/// file and NAT outgoing. Runs the self-healing route reconciler (proto 80) next to it.
/// </summary>
public sealed class DataplaneService(NodeContextHolder holder, ChangeFeed feed, HealthAggregator health, TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    public const string HealthName = "dataplane";
    private static readonly TimeSpan Resync = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger = loggers.CreateLogger<DataplaneService>();
    private readonly Lock _gate = new();
    private readonly Dictionary<IPNetwork, IReadOnlyList<IPAddress>> _bgpPaths = [];
    private RouteTableReconciler? _routes;
    private ClusterSnapshot? _snapshot;
    private EncapsulationRoutes? _encapsulation;
    private bool _bgpInSync;

    /// <summary>Routes the dataplane currently wants, for status output.</summary>
    public IReadOnlyDictionary<IPNetwork, IReadOnlyList<IPAddress>> BgpPaths
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<IPNetwork, IReadOnlyList<IPAddress>>(_bgpPaths);
            }
        }
    }

    /// <summary>Every route the agent wants in the kernel, who wants it and whether it is programmed.</summary>
    public IReadOnlyList<RouteTableEntry> RouteEntries()
    {
        RouteTableReconciler? routes;
        lock (_gate)
        {
            routes = _routes;
        }

        return routes?.Entries() ?? [];
    }

    /// <summary>
    /// BGP has re-learned the routes after a (re)start: routes we programmed before and nobody wants
    /// any more may go now. Until then they stay, so a restart of the agent loses no traffic.
    /// </summary>
    public void BgpInSync()
    {
        lock (_gate)
        {
            _bgpInSync = true;
            if (_routes is { KeepUnwanted: true } routes)
            {
                routes.KeepUnwanted = false;
                _logger.LogInformation("BGP in sync: routes nobody wants any more are removed from now on");
            }
        }
    }

    /// <summary>A BGP best path changed (empty next hops: withdrawn).</summary>
    public void OnBestPath(IPNetwork prefix, IReadOnlyList<IPAddress> nextHops)
    {
        lock (_gate)
        {
            if (nextHops.Count == 0)
            {
                _bgpPaths.Remove(prefix);
            }
            else
            {
                _bgpPaths[prefix] = nextHops;
            }

            ApplyBgp(prefix);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await holder.WaitAsync(stoppingToken).ConfigureAwait(false) is not { } context)
        {
            return; // start-up failed, which stops the agent
        }

        health.Register(HealthName, TimeSpan.FromSeconds(60));
        using var client = NetlinkClient.Open();
        using var monitor = NetlinkMonitor.Start(logger: _logger);
        var reconciler = new RouteTableReconciler(new NetlinkRouteKernel(client), new RouteTableOptions(), time, loggers.CreateLogger<RouteTableReconciler>());
        var subnets = LocalSubnets(context.IPv4);
        lock (_gate)
        {
            // Graceful start: what the kernel holds from before stays until BGP is back in sync.
            reconciler.KeepUnwanted = !_bgpInSync;
            _routes = reconciler;
            _encapsulation = new EncapsulationRoutes(subnets);
        }

        Task? background = null;
        var vteps = new VtepTable(client, logger: loggers.CreateLogger<VtepTable>());
        var nat = new NatOutgoingManager(new NftRunner(), loggers.CreateLogger<NatOutgoingManager>());
        var wake = feed.Subscribe();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var snapshot = await ClusterSnapshot.ReadAsync(context.Store, stoppingToken).ConfigureAwait(false);
                Apply(context, snapshot, client, vteps);
                // The reconciler starts once every source has its first desired state.
                background ??= Task.WhenAll(reconciler.RunAsync(stoppingToken), reconciler.FollowAsync(monitor, stoppingToken));
                await nat.UpdateAsync(snapshot.Pools.Select(p => new NatPool(IPNetwork.Parse(p.Spec.Cidr), p.Spec.NatOutgoing == true, p.Spec.Disabled == true))
                    .ToList(), stoppingToken).ConfigureAwait(false);
                health.Report(HealthName, new HealthReport(true, true));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "Dataplane update failed: {Reason}", e.Message);
                health.Report(HealthName, new HealthReport(true, false, e.Message));
            }

            await ChangeFeed.WaitAsync(wake, Resync, stoppingToken).ConfigureAwait(false);
        }

        if (background is not null)
        {
            await background.ConfigureAwait(false);
        }
    }

    private void Apply(NodeContext context, ClusterSnapshot snapshot, NetlinkClient client, VtepTable vteps)
    {
        var node = context.NodeName;
        EnsureForwarding(context);
        var vxlanInUse = context.Registration.VxlanTunnelAddress is not null;
        var links = client.ListLinks();
        var encapsulations = (vxlanInUse ? Encapsulations.Vxlan : Encapsulations.None)
                             | (context.Registration.IpipTunnelAddress is not null ? Encapsulations.Ipip : Encapsulations.None);
        var podMtu = new MtuDetector().PodMtu(links, encapsulations);
        if (MtuFile.Read(context.Settings.MtuFile) != podMtu)
        {
            MtuFile.Write(podMtu, context.Settings.MtuFile);
            _logger.LogInformation("Pod MTU {Mtu} written to {File}", podMtu, context.Settings.MtuFile);
        }

        if (vxlanInUse && context.IPv4 is { } address)
        {
            var mac = System.Net.NetworkInformation.PhysicalAddress.Parse(context.Registration.VxlanMac!.Replace(':', '-').ToUpperInvariant());
            new VxlanTunnel(client, _logger).Ensure(new VxlanTunnelConfig(address.Address, context.Registration.VxlanTunnelAddress, mac,
                new MtuDetector().HostMtu(links) - MtuDetector.VxlanOverhead));
            vteps.SetVteps(snapshot.RemoteVteps(node));
            vteps.Sync();
        }

        lock (_gate)
        {
            _snapshot = snapshot;
            _routes!.SetRoutes(RouteSource.LocalBlock, snapshot.LocalBlockRoutes(node));
            _routes.SetRoutes(RouteSource.Workload, snapshot.WorkloadRoutes(node));
            _routes.SetRoutes(RouteSource.Tunnel, vxlanInUse ? snapshot.VxlanRoutes(node, _encapsulation!) : []);
            foreach (var prefix in _bgpPaths.Keys.ToList())
            {
                ApplyBgp(prefix);
            }
        }
    }

    /// <summary>Called under the lock: the kernel route for one BGP prefix from the latest snapshot.</summary>
    private void ApplyBgp(IPNetwork prefix)
    {
        if (_routes is null || _snapshot is null || _encapsulation is null)
        {
            return; // applied with the first snapshot
        }

        var route = _bgpPaths.TryGetValue(prefix, out var hops) ? _snapshot.BgpRoute(prefix, hops, _encapsulation) : null;
        if (route is null)
        {
            _routes.RemoveRoute(RouteSource.Bgp, prefix);
        }
        else
        {
            _routes.SetRoute(RouteSource.Bgp, route);
        }
    }

    /// <summary>Routing pods needs forwarding on (Felix turns it on too).</summary>
    private void EnsureForwarding(NodeContext context)
    {
        void Set(string path)
        {
            try
            {
                if (File.ReadAllText(path).Trim() != "1")
                {
                    File.WriteAllText(path, "1");
                    _logger.LogInformation("Enabled forwarding ({Path})", path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning("Cannot enable forwarding ({Path}): {Reason}", path, e.Message);
            }
        }

        Set("/proc/sys/net/ipv4/ip_forward");
        if (context.IPv6 is not null)
        {
            Set("/proc/sys/net/ipv6/conf/all/forwarding");
        }
    }

    private static IReadOnlyList<LocalSubnet> LocalSubnets(Configuration.NodeAddress? nodeAddress)
    {
        var subnets = new List<LocalSubnet>();
        foreach (var nic in AddressAutodetector.ReadInterfaces())
        {
            foreach (var address in nic.Addresses.Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a.Address)))
            {
                if (!AddressAutodetector.IsExcluded(nic.Name) || (nodeAddress is not null && address.Address.Equals(nodeAddress.Address)))
                {
                    subnets.Add(new LocalSubnet(nic.Name, address.Subnet));
                }
            }
        }

        return subnets;
    }
}
