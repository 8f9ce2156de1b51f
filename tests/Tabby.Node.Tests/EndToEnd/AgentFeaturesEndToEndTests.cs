using System.Net;
using Tabby.Common.Status;
using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Pools;
using Tabby.Node.Dataplane;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Namespaces;
using Tabby.Testing.Xunit;
using Xunit;
using Xunit.Abstractions;

namespace Tabby.Node.Tests.EndToEnd;

/// <summary>
/// One real tabby-node in a namespace with a BIRD top-of-rack router and two pods, on the embedded
/// datastore: the readiness probe over HTTP follows the BGP peers; service CIDRs are advertised
/// with the prefixAdvertisements communities and a BGPFilter keeps one from the ToR (checked in
/// BIRD's table); network policy is enforced with real packets and follows policy updates; the
/// agent fills in its CalicoNodeStatus and lists its RIB and FIB on the status socket.
/// </summary>
public sealed class AgentFeaturesEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(90);

    [RootFact]
    public async Task ProbesServiceAdvertisementFiltersPolicyAndNodeStatus()
    {
        using var tor = NetworkNamespace.Create("tor");
        var scratch = tor.ScratchDirectory;
        var dataDir = Path.Combine(scratch, "datastore");
        Directory.CreateDirectory(dataDir);
        using var node = NetworkNamespace.Create("node1");
        using var podA = NetworkNamespace.Create("poda");
        using var podB = NetworkNamespace.Create("podb");
        tor.AddBridge("br0");
        tor.AddAddress("br0", "192.0.2.254/24");
        Veth.ConnectToBridge(tor, "br0", "n1", node, "eth0", "192.0.2.1/24");
        await node.WaitReachableAsync("192.0.2.254");

        await using var bird = await BirdDaemon.StartAsync(tor, """
            router id 192.0.2.254;
            protocol device {}
            protocol bgp node1 { local 192.0.2.254 as 65000; neighbor 192.0.2.1 as 64512; connect delay time 1; connect retry time 2; ipv4 { import all; export none; }; }
            """, output);

        // Only a peer nobody answers at first: not ready.
        AssignedAddress[] pods;
        await using (var store = new EmbeddedDatastore(dataDir))
        {
            await store.CreateAsync(ResourceKinds.BGPConfigurations, new BGPConfiguration
            {
                Metadata = new ObjectMeta { Name = "default" },
                Spec = new BGPConfigurationSpec
                {
                    AsNumber = 64512,
                    ServiceClusterIPs = [new ServiceCidrBlock { Cidr = "198.51.100.0/24" }],
                    ServiceExternalIPs = [new ServiceCidrBlock { Cidr = "203.0.113.0/24" }],
                    Communities = [new Community { Name = "services", Value = "65000:100" }],
                    PrefixAdvertisements = [new PrefixAdvertisement { Cidr = "198.51.100.0/24", Communities = ["services", "65000:1:2"] }],
                },
            });
            await store.CreateAsync(ResourceKinds.BGPFilters, new BGPFilter
            {
                Metadata = new ObjectMeta { Name = "no-external-ips" },
                Spec = new BGPFilterSpec { ExportV4 = [new BGPFilterRule { Action = "Reject", Cidr = "203.0.113.0/24", MatchOperator = "Equal" }] },
            });
            await store.CreateAsync(ResourceKinds.BGPPeers, new BGPPeer
            {
                Metadata = new ObjectMeta { Name = "ghost" },
                Spec = new BGPPeerSpec { PeerIP = "192.0.2.253", AsNumber = 65001 },
            });
            await store.CreateAsync(ResourceKinds.CalicoNodeStatuses, new CalicoNodeStatus
            {
                Metadata = new ObjectMeta { Name = "node1" },
                Spec = new CalicoNodeStatusSpec { Node = "node1", Classes = ["Agent", "BGP", "Routes"], UpdatePeriodSeconds = 1 },
            });
        }

        await using var agent = AgentProcess.Start(node, "node1", "192.0.2.1/24", dataDir, scratch, output);
        await Wait.UntilAsync(async () => (await TryProbeAsync(agent, "/readiness")).Body.Contains("192.0.2.253", StringComparison.Ordinal), Converge,
            "readiness to name the peer that is down", () => Task.FromResult(agent.Log()));
        Assert.Equal(503, (await agent.ProbeAsync("/readiness")).Status);
        Assert.Equal(204, (await agent.ProbeAsync("/liveness")).Status); // Felix answers 204 when healthy

        // The real ToR replaces the ghost: ready, and the ToR's table shows what we advertise.
        await using (var store = new EmbeddedDatastore(dataDir))
        {
            await store.DeleteAsync(ResourceKinds.BGPPeers, "ghost");
            await store.CreateAsync(ResourceKinds.BGPPeers, new BGPPeer
            {
                Metadata = new ObjectMeta { Name = "tor" },
                Spec = new BGPPeerSpec { PeerIP = "192.0.2.254", AsNumber = 65000, Filters = ["no-external-ips"] },
            });
            var assigned = await new IpamAllocator(store, CalicoSelectorMatcher.Instance).AutoAssignAsync(new AutoAssignRequest
            {
                Host = "node1", HandleId = "k8s-pod-network.e2e-pods", IPv4Count = 2,
            });
            pods = [.. assigned.IPv4];
        }

        await bird.WaitEstablishedAsync("node1", Converge);
        await Wait.UntilAsync(async () => (await TryProbeAsync(agent, "/readiness")).Status == 204, Converge, "readiness once the ToR is up", () => Task.FromResult(agent.Log()));
        await Wait.UntilAsync(async () => (await bird.ShowRouteAsync("198.51.100.0/24")).Contains("198.51.100.0/24", StringComparison.Ordinal), Converge,
            "the service cluster IP range at the ToR", () => bird.ShowRouteAsync());
        var service = await bird.ShowRouteAsync("198.51.100.0/24", "all");
        Assert.Contains("(65000,100)", service, StringComparison.Ordinal);
        Assert.Contains("(65000, 1, 2)", service, StringComparison.Ordinal);
        var block = pods[0].Block.ToString();
        await Wait.UntilAsync(async () => (await bird.ShowRouteAsync(block)).Contains(block, StringComparison.Ordinal), Converge,
            "the node's block at the ToR", () => bird.ShowRouteAsync());
        Assert.DoesNotContain("203.0.113.0/24", await bird.ShowRouteAsync(), StringComparison.Ordinal); // the BGPFilter rejects it

        // Two pods (veths named like Calico's), recorded as the CNI plugin records them.
        var (a, b) = (pods[0].Address, pods[1].Address);
        Plumb(node, podA, "calia0", a);
        Plumb(node, podB, "calib0", b);
        await using (var store = new EmbeddedDatastore(dataDir))
        {
            await store.CreateAsync(ResourceKinds.Namespaces, new KubeNamespace { Metadata = new ObjectMeta { Name = "shop" } });
            await store.CreateAsync(ResourceKinds.Pods, PodOf("a", "calia0", a));
            await store.CreateAsync(ResourceKinds.Pods, PodOf("b", "calib0", b));
        }

        await Wait.UntilAsync(() => podA.Ping(b.ToString()), Converge, "pod a to reach pod b without policy", agent.Log);

        // b admits only app=c: a is cut off (b can still reach a, which no policy isolates).
        await using (var store = new EmbeddedDatastore(dataDir))
        {
            await store.CreateAsync(ResourceKinds.KubeNetworkPolicies, OnlyFrom("c"));
        }

        await Wait.UntilAsync(() => !podA.Ping(b.ToString()), Converge, "the policy to cut a off from b", agent.Log);
        Assert.True(podB.Ping(a.ToString()));

        // The policy now admits a: traffic flows again without restarting anything.
        await using (var store = new EmbeddedDatastore(dataDir))
        {
            var policy = (await store.GetAsync(ResourceKinds.KubeNetworkPolicies, "b-ingress", "shop"))!;
            policy.Spec.Ingress![0].From![0].PodSelector!.MatchLabels!["app"] = "a";
            await store.UpdateAsync(ResourceKinds.KubeNetworkPolicies, policy);
        }

        await Wait.UntilAsync(() => podA.Ping(b.ToString()), Converge, "the updated policy to admit a", agent.Log);

        // Status: the RIB and FIB on the socket, and the CalicoNodeStatus for remote readers.
        var routes = (await StatusClient.ReadRoutesAsync(agent.StatusSocket, CancellationToken.None))!;
        Assert.Contains(routes.Routes, r => r is { Type: "RIB", SourceType: "Local", Best: true } && r.Destination == block);
        Assert.Contains(routes.Routes, r => r is { Type: "FIB", SourceType: "Direct", Programmed: true, Interface: "calia0" } && r.Destination == a + "/32");
        Assert.Contains(routes.Routes, r => r is { Type: "FIB", SourceType: "Static", Programmed: true } && r.Destination == block);
        // Prometheus metrics (served on the health port too; labels sorted by name): sessions, route
        // programming, policy applies, build.
        var metrics = (await agent.ProbeAsync("/metrics")).Body;
        output.WriteLine(metrics);
        Assert.Contains("tabby_bgp_peer_established{peer=\"192.0.2.254\",peer_type=\"global\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("tabby_bgp_peer_prefixes{kind=\"advertised\",peer=\"192.0.2.254\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("tabby_bgp_peer_messages_total{direction=\"in\",peer=\"192.0.2.254\",type=\"update\"}", metrics, StringComparison.Ordinal);
        Assert.Matches(@"tabby_routes_changes_total\{op=""add""\} [1-9]", metrics);
        Assert.Contains("tabby_routes_program_duration_seconds_count", metrics, StringComparison.Ordinal);
        Assert.Matches(@"tabby_policy_applies_total\{kind=""incremental"",result=""ok""\} [1-9]", metrics);
        Assert.Contains("tabby_policy_apply_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("tabby_build_info{", metrics, StringComparison.Ordinal);

        await Wait.UntilAsync(async () =>
        {
            await using var store = new EmbeddedDatastore(dataDir);
            var status = (await store.GetAsync(ResourceKinds.CalicoNodeStatuses, "node1"))?.Status;
            return status?.Bgp is { NumberEstablishedV4: 1, NumberNotEstablishedV4: 0 } bgp
                && bgp.PeersV4!.Single().PeerIP == "192.0.2.254" && bgp.PeersV4!.Single().Type == "GlobalPeer"
                && status.Agent?.BirdV4?.State == "Ready"
                && status.Routes?.RoutesV4?.Any(r => r.Type == "FIB" && r.Destination == b + "/32" && r.Interface == "calib0") == true;
        }, Converge, "the CalicoNodeStatus to report the peer and the routes", () => Task.FromResult(agent.Log()));
    }

    private static async Task<(int Status, string Body)> TryProbeAsync(AgentProcess agent, string path)
    {
        try
        {
            return await agent.ProbeAsync(path);
        }
        catch (HttpRequestException)
        {
            return (0, ""); // not listening yet
        }
    }

    /// <summary>A pod's veth: the address as /32 on eth0, default route via 169.254.1.1, which the host side answers.</summary>
    private static void Plumb(NetworkNamespace node, NetworkNamespace pod, string hostSide, IPAddress address)
    {
        Veth.Connect(node, hostSide, pod, "eth0");
        pod.AddAddress("eth0", address + "/32");
        pod.Ip("route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        pod.Ip("route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
        node.Ip("addr", "add", "169.254.1.1/32", "dev", hostSide);
    }

    private static Pod PodOf(string app, string hostSide, IPAddress address) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = app, Namespace = "shop", Labels = new() { ["app"] = app },
            Annotations = new() { [ClusterSnapshot.InterfaceAnnotation] = hostSide },
        },
        Spec = new PodSpec { NodeName = "node1" },
        Status = new PodStatus { Phase = "Running", PodIP = address.ToString(), PodIPs = [new PodIPEntry { Ip = address.ToString() }] },
    };

    private static KubeNetworkPolicy OnlyFrom(string app) => new()
    {
        Metadata = new ObjectMeta { Name = "b-ingress", Namespace = "shop" },
        Spec = new KubeNetworkPolicySpec
        {
            PodSelector = new LabelSelectorSpec { MatchLabels = new() { ["app"] = "b" } },
            PolicyTypes = ["Ingress"],
            Ingress = [new KubeNetworkPolicyIngressRule { From = [new KubeNetworkPolicyPeer { PodSelector = new LabelSelectorSpec { MatchLabels = new() { ["app"] = app } } }] }],
        },
    };
}
