using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tabby.Bgp.Speaker;
using Tabby.Datastore.Resources.Calico;
using Tabby.Ipam.Pools;

namespace Tabby.Node.Bgp;

/// <summary>Where a peer comes from, as <c>tabbyctl node status</c> names it.</summary>
public enum PeerType
{
    NodeMesh,
    NodePeer,
    GlobalPeer,
}

public sealed record PlannedPeer(PeerConfig Config, PeerType Type, string Source)
{
    /// <summary>BGPFilter names the BGPPeer lists, in order (the mesh has none).</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary>An eBGP session (the peer's AS differs from the AS we use towards it).</summary>
    public bool IsExternal { get; init; }

    public string TypeText => Type switch
    {
        PeerType.NodeMesh => "node-to-node mesh",
        PeerType.NodePeer => "node specific",
        _ => "global",
    };
}

/// <summary>The BGP set-up of this node: identity, listener and peers.</summary>
public sealed record BgpPlan(uint LocalAs, IPAddress RouterId, int ListenPort, IPAddress? ClusterId, IReadOnlyList<PlannedPeer> Peers,
    IReadOnlyList<string> Problems);

/// <summary>Everything the plan is computed from, as read from the datastore.</summary>
public sealed record BgpInputs(
    string NodeName,
    IReadOnlyList<CalicoNode> Nodes,
    BGPConfiguration? Global,
    BGPConfiguration? ForNode,
    IReadOnlyList<BGPPeer> Peers,
    Func<SecretKeySelector, string?> ReadSecret);

/// <summary>
/// Turns Nodes, BGPPeers and BGPConfiguration into the peers of this node's speaker, as Calico's
/// BIRD template does: a full iBGP mesh between nodes unless switched off (the side with the lower
/// address is passive: the peer with the greater address dials, so the two never race); BGPPeers
/// that select this node (global ones select every node) towards a fixed address or the nodes a
/// peer selector picks; route reflector nodes (a routeReflectorClusterID) leave the mesh and treat
/// selected peers outside their cluster as clients. Problems (an unreadable password, a bad
/// address) are reported and that peer is skipped, the rest still applies.
/// </summary>
public sealed class PeerPlanner(ISelectorMatcher selectors)
{
    public const uint DefaultAs = 64512;
    private static readonly TimeSpan ConnectRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DefaultHold = TimeSpan.FromSeconds(240);
    private static readonly TimeSpan DefaultRestartTime = TimeSpan.FromSeconds(120);

    public BgpPlan Plan(BgpInputs inputs)
    {
        var problems = new List<string>();
        var self = inputs.Nodes.FirstOrDefault(n => n.Name == inputs.NodeName)
            ?? throw new InvalidOperationException($"node {inputs.NodeName} is not registered");
        var selfV4 = AddressOf(self, AddressFamily.InterNetwork);
        var selfV6 = AddressOf(self, AddressFamily.InterNetworkV6);
        var localAs = AsOf(self, inputs);
        var clusterId = ParseClusterId(self, problems);
        var routerId = selfV4 ?? throw new InvalidOperationException($"node {inputs.NodeName} has no IPv4 address for its BGP router id");
        var listenPort = inputs.ForNode?.Spec.ListenPort ?? inputs.Global?.Spec.ListenPort ?? 179;
        var meshEnabled = inputs.Global?.Spec.NodeToNodeMeshEnabled ?? true;
        var peers = new Dictionary<IPAddress, PlannedPeer>();
        var selfLabels = Labels(self);

        void Add(PlannedPeer peer)
        {
            // An explicit BGPPeer wins over the mesh for the same address (Calico: the mesh skips it).
            if (!peers.TryGetValue(peer.Config.Address, out var existing) || existing.Type == PeerType.NodeMesh)
            {
                peers[peer.Config.Address] = peer;
            }
        }

        if (meshEnabled && clusterId is null)
        {
            var meshPassword = Password(inputs.Global?.Spec.NodeMeshPassword, inputs, "BGPConfiguration default nodeMeshPassword", problems);
            var restart = Duration(inputs.Global?.Spec.NodeMeshMaxRestartTime, "nodeMeshMaxRestartTime", problems) ?? DefaultRestartTime;
            foreach (var other in inputs.Nodes.Where(n => n.Name != inputs.NodeName && !IsReflector(n)))
            {
                foreach (var (mine, theirs) in new[] { (selfV4, AddressOf(other, AddressFamily.InterNetwork)), (selfV6, AddressOf(other, AddressFamily.InterNetworkV6)) })
                {
                    if (mine is null || theirs is null)
                    {
                        continue;
                    }

                    Add(new PlannedPeer(new PeerConfig
                    {
                        Address = theirs,
                        RemoteAs = AsOf(other, inputs),
                        Name = "Mesh_" + Sanitize(theirs),
                        Password = meshPassword,
                        Passive = Compare(theirs, mine) > 0,
                        HoldTime = DefaultHold,
                        ConnectRetryTime = ConnectRetry,
                        MaxRestartTime = restart,
                        SourceAddress = mine,
                    }, PeerType.NodeMesh, "node-to-node mesh"));
                }
            }
        }

        foreach (var resource in inputs.Peers.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var spec = resource.Spec;
            var global = string.IsNullOrEmpty(spec.Node) && string.IsNullOrEmpty(spec.NodeSelector);
            var appliesHere = global || spec.Node == inputs.NodeName
                || (!string.IsNullOrEmpty(spec.NodeSelector) && selectors.Matches(spec.NodeSelector, selfLabels));
            if (!appliesHere)
            {
                continue;
            }

            var type = global ? PeerType.GlobalPeer : PeerType.NodePeer;
            var targets = new List<(IPAddress Address, int Port, uint As, CalicoNode? Node)>();
            if (!string.IsNullOrEmpty(spec.PeerSelector))
            {
                foreach (var other in inputs.Nodes.Where(n => n.Name != inputs.NodeName && selectors.Matches(spec.PeerSelector, Labels(n))))
                {
                    foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
                    {
                        if (AddressOf(other, family) is { } address)
                        {
                            targets.Add((address, 179, AsOf(other, inputs), other));
                        }
                    }
                }
            }
            else if (TryParsePeerIp(spec.PeerIP, out var address, out var port))
            {
                if (spec.AsNumber is not { } remoteAs)
                {
                    problems.Add($"BGPPeer {resource.Name}: spec.asNumber is required with peerIP");
                    continue;
                }

                targets.Add((address, port, remoteAs, null));
            }
            else
            {
                problems.Add($"BGPPeer {resource.Name}: spec.peerIP \"{spec.PeerIP}\" is not an address (or address:port)");
                continue;
            }

            var password = Password(spec.Password, inputs, $"BGPPeer {resource.Name} password", problems);
            var keepalive = Duration(spec.KeepaliveTime, $"BGPPeer {resource.Name} keepaliveTime", problems);
            var restart = Duration(spec.MaxRestartTime, $"BGPPeer {resource.Name} maxRestartTime", problems) ?? DefaultRestartTime;
            foreach (var (address, port, remoteAs, node) in targets)
            {
                var mine = address.AddressFamily == AddressFamily.InterNetwork ? selfV4 : selfV6;
                if (mine is null)
                {
                    continue; // this node has no address of the peer's family
                }

                var rrClient = clusterId is not null && node is not null && !string.Equals(ClusterIdText(node), ClusterIdText(self), StringComparison.Ordinal);
                Add(new PlannedPeer(new PeerConfig
                {
                    Address = address,
                    Port = port,
                    RemoteAs = spec.AsNumber ?? remoteAs,
                    LocalAs = spec.LocalAsNumber,
                    Name = (node is null ? "Node_" : "Mesh_") + Sanitize(address),
                    Password = password,
                    TtlSecurityHops = spec.TtlSecurity ?? 0,
                    NextHopMode = NextHop(spec),
                    KeepaliveTime = keepalive,
                    HoldTime = keepalive is { } k ? k * 3 : DefaultHold,
                    ConnectRetryTime = ConnectRetry,
                    MaxRestartTime = restart,
                    SourceAddress = spec.SourceAddress is null or "UseNodeIP" ? mine : null,
                    AllowOwnAs = spec.NumAllowedLocalAsNumbers ?? 0,
                    RouteReflectorClient = rrClient,
                    Passive = node is not null && !rrClient && clusterId is null && Compare(address, mine) > 0,
                }, type, "BGPPeer " + resource.Name)
                {
                    Filters = spec.Filters ?? [],
                    IsExternal = (spec.AsNumber ?? remoteAs) != (spec.LocalAsNumber ?? localAs),
                });
            }
        }

        return new BgpPlan(localAs, routerId, listenPort, clusterId, peers.Values.OrderBy(p => p.Config.Address.ToString(), StringComparer.Ordinal).ToList(),
            problems);
    }

    public static IPAddress? AddressOf(CalicoNode node, AddressFamily family)
    {
        var text = family == AddressFamily.InterNetwork ? node.Spec.Bgp?.IPv4Address : node.Spec.Bgp?.IPv6Address;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address) && address.AddressFamily == family ? address : null;
    }

    private static uint AsOf(CalicoNode node, BgpInputs inputs) =>
        node.Spec.Bgp?.AsNumber ?? inputs.Global?.Spec.AsNumber ?? DefaultAs;

    private static bool IsReflector(CalicoNode node) => !string.IsNullOrEmpty(node.Spec.Bgp?.RouteReflectorClusterId);

    private static string? ClusterIdText(CalicoNode node) => node.Spec.Bgp?.RouteReflectorClusterId;

    private static IPAddress? ParseClusterId(CalicoNode self, List<string> problems)
    {
        var text = ClusterIdText(self);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (IPAddress.TryParse(text, out var id) && id.AddressFamily == AddressFamily.InterNetwork)
        {
            return id;
        }

        problems.Add($"Node {self.Name}: routeReflectorClusterID \"{text}\" is not an IPv4 address; not acting as a route reflector");
        return null;
    }

    private static IReadOnlyDictionary<string, string> Labels(CalicoNode node) =>
        node.Metadata.Labels ?? new Dictionary<string, string>();

    private static NextHopMode NextHop(BGPPeerSpec spec) =>
        spec.KeepOriginalNextHop == true ? NextHopMode.Keep : spec.NextHopMode switch
        {
            "Self" => NextHopMode.Self,
            "Keep" => NextHopMode.Keep,
            _ => NextHopMode.Auto,
        };

    private static string? Password(BgpPassword? password, BgpInputs inputs, string what, List<string> problems)
    {
        if (password?.SecretKeyRef is not { } reference)
        {
            return null;
        }

        var value = inputs.ReadSecret(reference);
        if (value is null)
        {
            problems.Add($"{what}: secret {reference.Name} key {reference.Key} cannot be read");
        }

        return value;
    }

    private static TimeSpan? Duration(string? text, string what, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (GoDuration.TryParse(text, out var value))
        {
            return value;
        }

        problems.Add($"{what}: \"{text}\" is not a duration (e.g. 90s, 2m)");
        return null;
    }

    /// <summary>Parses Calico's peerIP: <c>192.0.2.1</c>, <c>192.0.2.1:1790</c>, <c>2001:db8::1</c>, <c>[2001:db8::1]:1790</c>.</summary>
    public static bool TryParsePeerIp(string? text, out IPAddress address, out int port)
    {
        port = 179;
        address = IPAddress.None;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (IPAddress.TryParse(text, out var plain))
        {
            address = plain;
            return true;
        }

        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port > 0)
        {
            address = endpoint.Address;
            port = endpoint.Port;
            return true;
        }

        return false;
    }

    private static int Compare(IPAddress a, IPAddress b) => a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes());

    private static string Sanitize(IPAddress address) =>
        address.ToString().Replace('.', '_').Replace(':', '_').ToString(CultureInfo.InvariantCulture);
}
