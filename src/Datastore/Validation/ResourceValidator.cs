using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;

namespace Tabby.Datastore.Validation;

/// <summary>
/// Checks resources before they are written (tabbyctl apply, the agent's own writes). Every error
/// names the field by its JSON path. Rules come from Calico's validation (calico-compat.md).
/// Cross-object rules (overlapping pools) are in <see cref="ValidatePoolAgainst"/>.
/// </summary>
public static class ResourceValidator
{
    public const int MaxRulesPerDirection = 1024;
    private static readonly string[] LogSeverities = ["Trace", "Debug", "Info", "Warning", "Error", "Fatal"];
    private static readonly string[] PolicyTypes = ["Ingress", "Egress"];
    private static readonly string[] ProtocolNames = ["TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite"];

    public static IReadOnlyList<FieldError> Validate(Resource resource)
    {
        var c = new FieldChecks();
        var kind = ResourceKinds.For(resource.GetType());
        if (resource is not IPAMHandle)
        {
            c.Name("metadata.name", resource.Metadata.Name);
        }
        else
        {
            c.Required("metadata.name", resource.Metadata.Name);
        }

        if (kind.Namespaced)
        {
            c.Name("metadata.namespace", resource.Metadata.Namespace);
        }

        switch (resource)
        {
            case IPPool pool: IPPoolRules(c, pool); break;
            case IPAMBlock block: BlockRules(c, block); break;
            case BlockAffinity affinity: AffinityRules(c, affinity); break;
            case IPAMHandle handle: HandleRules(c, handle); break;
            case IPAMConfig config: IpamConfigRules(c, config); break;
            case BGPConfiguration bgp: BgpConfigurationRules(c, bgp); break;
            case BGPPeer peer: BgpPeerRules(c, peer); break;
            case BGPFilter filter: BgpFilterRules(c, filter); break;
            case CalicoNode node: CalicoNodeRules(c, node); break;
            case CalicoNetworkPolicy policy: PolicyRules(c, policy.Spec); break;
            case GlobalNetworkPolicy policy:
                PolicyRules(c, policy.Spec);
                c.Selector("spec.namespaceSelector", policy.Spec.NamespaceSelector);
                break;
            case Tier tier: c.OneOf("spec.defaultAction", tier.Spec.DefaultAction, ["Deny", "Pass"]); break;
            case KubeNetworkPolicy k8sPolicy: KubeNetworkPolicyRules(c, k8sPolicy); break;
        }

        return c.Errors;
    }

    /// <summary>Throws <see cref="Store.ResourceInvalidException"/> listing every problem.</summary>
    public static void EnsureValid(Resource resource)
    {
        var errors = Validate(resource);
        if (errors.Count > 0)
        {
            var kind = ResourceKinds.For(resource.GetType());
            throw new Store.ResourceInvalidException($"{kind.Kind} \"{resource.Metadata.Name}\"", errors);
        }
    }

    /// <summary>A pool may not overlap another pool (except itself, by name).</summary>
    public static IReadOnlyList<FieldError> ValidatePoolAgainst(IPPool candidate, IEnumerable<IPPool> existing)
    {
        var c = new FieldChecks();
        if (!IPNetwork.TryParse(candidate.Spec.Cidr, out var mine))
        {
            return c.Errors;
        }

        foreach (var other in existing)
        {
            if (other.Name == candidate.Name || !IPNetwork.TryParse(other.Spec.Cidr, out var theirs) ||
                mine.BaseAddress.AddressFamily != theirs.BaseAddress.AddressFamily)
            {
                continue;
            }

            if (mine.Contains(theirs.BaseAddress) || theirs.Contains(mine.BaseAddress))
            {
                c.Add("spec.cidr", $"{candidate.Spec.Cidr} overlaps IPPool \"{other.Name}\" ({other.Spec.Cidr})");
            }
        }

        return c.Errors;
    }

    private static void IPPoolRules(FieldChecks c, IPPool pool)
    {
        var s = pool.Spec;
        var network = c.Cidr("spec.cidr", s.Cidr);
        var v6 = network?.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        if (s.BlockSize is { } size && network is { } n)
        {
            var (min, max) = v6 ? (116, 128) : (20, 32);
            if (size < min || size > max)
            {
                c.Add("spec.blockSize", $"{size} is out of range {min}-{max} for an IPv{(v6 ? 6 : 4)} pool");
            }
            else if (size < n.PrefixLength)
            {
                c.Add("spec.blockSize", $"blocks of /{size} do not fit in the /{n.PrefixLength} pool; use a block size of at least {n.PrefixLength}");
            }
        }

        c.OneOf("spec.ipipMode", s.IpipMode, EncapsulationModes.All);
        c.OneOf("spec.vxlanMode", s.VxlanMode, EncapsulationModes.All);
        var ipip = s.IpipMode is { } im && im != EncapsulationModes.Never;
        var vxlan = s.VxlanMode is { } vm && vm != EncapsulationModes.Never;
        if (ipip && vxlan)
        {
            c.Add("spec.vxlanMode", "IPIP and VXLAN cannot both be enabled on one pool (ipipMode or vxlanMode must be Never)");
        }

        if (ipip && v6)
        {
            c.Add("spec.ipipMode", "IPIP is not supported on IPv6 pools");
        }

        c.Selector("spec.nodeSelector", s.NodeSelector);
        c.Selector("spec.namespaceSelector", s.NamespaceSelector);
        foreach (var (use, i) in (s.AllowedUses ?? []).Select((u, i) => (u, i)))
        {
            c.OneOf($"spec.allowedUses[{i}]", use, IPPoolAllowedUses.All);
        }

        if (s.AllowedUses is { Count: > 1 } uses && uses.Contains(IPPoolAllowedUses.LoadBalancer))
        {
            c.Add("spec.allowedUses", "LoadBalancer cannot be combined with other uses");
        }

        c.OneOf("spec.assignmentMode", s.AssignmentMode, ["Automatic", "Manual"]);
    }

    private static void BlockRules(FieldChecks c, IPAMBlock block)
    {
        var s = block.Spec;
        var network = c.Cidr("spec.cidr", s.Cidr);
        if (network is { } n)
        {
            var bits = (n.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) - n.PrefixLength;
            if (bits > 16)
            {
                c.Add("spec.cidr", $"a /{n.PrefixLength} block is larger than any pool block size allows");
            }
            else if (s.Allocations.Count != 1 << bits)
            {
                c.Add("spec.allocations", $"has {s.Allocations.Count} entries; a /{n.PrefixLength} block has {1 << bits} addresses");
            }

            if (block.Name != ResourceNames.BlockName(n.ToString()))
            {
                c.Add("metadata.name", $"must be {ResourceNames.BlockName(n.ToString())} for block {n}");
            }
        }

        if (s.Affinity is { } affinity && !affinity.StartsWith("host:", StringComparison.Ordinal) && !affinity.StartsWith("virtual:", StringComparison.Ordinal))
        {
            c.Add("spec.affinity", $"\"{affinity}\" must be host:<node> or virtual:<name>");
        }

        for (var i = 0; i < s.Allocations.Count; i++)
        {
            if (s.Allocations[i] is { } a && (a < 0 || a >= s.Attributes.Count))
            {
                c.Add($"spec.allocations[{i}]", $"refers to attribute {a}, but there are {s.Attributes.Count}");
            }
        }

        var seen = new HashSet<int>();
        for (var i = 0; i < s.Unallocated.Count; i++)
        {
            var ordinal = s.Unallocated[i];
            if (ordinal < 0 || ordinal >= s.Allocations.Count)
            {
                c.Add($"spec.unallocated[{i}]", $"ordinal {ordinal} is outside the block");
            }
            else if (!seen.Add(ordinal))
            {
                c.Add($"spec.unallocated[{i}]", $"ordinal {ordinal} is listed twice");
            }
            else if (s.Allocations[ordinal] is not null)
            {
                c.Add($"spec.unallocated[{i}]", $"ordinal {ordinal} is allocated");
            }
        }
    }

    private static void AffinityRules(FieldChecks c, BlockAffinity affinity)
    {
        var s = affinity.Spec;
        c.OneOf("spec.state", s.State, BlockAffinityStates.All, required: true);
        c.Required("spec.node", s.Node);
        c.Cidr("spec.cidr", s.Cidr);
        c.OneOf("spec.deleted", s.Deleted, ["true", "false"], required: true);
        c.OneOf("spec.type", s.Type, ["host", "virtual"]);
    }

    private static void HandleRules(FieldChecks c, IPAMHandle handle)
    {
        c.Required("spec.handleID", handle.Spec.HandleId);
        foreach (var (cidr, count) in handle.Spec.Block)
        {
            c.Cidr($"spec.block[{cidr}]", cidr);
            c.Range($"spec.block[{cidr}]", count, 0, 65536);
        }
    }

    private static void IpamConfigRules(FieldChecks c, IPAMConfig config)
    {
        if (config.Name != IPAMConfig.DefaultName)
        {
            c.Add("metadata.name", "must be \"default\" (there is one IPAM configuration)");
        }

        c.Range("spec.maxBlocksPerHost", config.Spec.MaxBlocksPerHost, 0, int.MaxValue);
        c.Range("spec.ipCooldownSeconds", config.Spec.IpCooldownSeconds, 0, 1200);
    }

    private static void BgpConfigurationRules(FieldChecks c, BGPConfiguration config)
    {
        var s = config.Spec;
        if (config.Name != BGPConfiguration.DefaultName && !config.Name.StartsWith(BGPConfiguration.NodePrefix, StringComparison.Ordinal))
        {
            c.Add("metadata.name", "must be \"default\" or \"node.<node name>\"");
        }

        c.AsNumber("spec.asNumber", s.AsNumber);
        c.Range("spec.listenPort", s.ListenPort, 1, 65535);
        c.OneOf("spec.bindMode", s.BindMode, ["None", "NodeIP"]);
        c.OneOf("spec.logSeverityScreen", s.LogSeverityScreen, LogSeverities);
        foreach (var (list, field) in new[] { (s.ServiceClusterIPs, "serviceClusterIPs"), (s.ServiceExternalIPs, "serviceExternalIPs"), (s.ServiceLoadBalancerIPs, "serviceLoadBalancerIPs") })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                c.Cidr($"spec.{field}[{i}].cidr", list![i].Cidr);
            }
        }

        var names = new HashSet<string>();
        for (var i = 0; i < (s.Communities?.Count ?? 0); i++)
        {
            var community = s.Communities![i];
            c.Required($"spec.communities[{i}].name", community.Name);
            c.Community($"spec.communities[{i}].value", community.Value);
            names.Add(community.Name);
        }

        for (var i = 0; i < (s.PrefixAdvertisements?.Count ?? 0); i++)
        {
            var advertisement = s.PrefixAdvertisements![i];
            c.Cidr($"spec.prefixAdvertisements[{i}].cidr", advertisement.Cidr);
            for (var j = 0; j < (advertisement.Communities?.Count ?? 0); j++)
            {
                var value = advertisement.Communities![j];
                if (!names.Contains(value) && !FieldChecks.IsCommunity(value))
                {
                    c.Add($"spec.prefixAdvertisements[{i}].communities[{j}]", $"\"{value}\" is neither a community defined in spec.communities nor a community value");
                }
            }
        }

        SecretRef(c, "spec.nodeMeshPassword", s.NodeMeshPassword);
        c.Duration("spec.nodeMeshMaxRestartTime", s.NodeMeshMaxRestartTime);
    }

    private static void BgpPeerRules(FieldChecks c, BGPPeer peer)
    {
        var s = peer.Spec;
        if (!string.IsNullOrEmpty(s.Node) && !string.IsNullOrEmpty(s.NodeSelector))
        {
            c.Add("spec.nodeSelector", "node and nodeSelector cannot both be set");
        }

        if (!string.IsNullOrEmpty(s.PeerIP) && !string.IsNullOrEmpty(s.PeerSelector))
        {
            c.Add("spec.peerSelector", "peerIP and peerSelector cannot both be set");
        }

        if (string.IsNullOrEmpty(s.PeerIP) && string.IsNullOrEmpty(s.PeerSelector))
        {
            c.Add("spec.peerIP", "either peerIP or peerSelector is required");
        }

        if (!string.IsNullOrEmpty(s.PeerIP))
        {
            if (!TryParsePeerIP(s.PeerIP, out _, out _))
            {
                c.Add("spec.peerIP", $"\"{s.PeerIP}\" is not an IP address, IP:port or [IPv6]:port");
            }

            if (s.AsNumber is null)
            {
                c.Add("spec.asNumber", "is required when peerIP is set");
            }
        }

        c.AsNumber("spec.asNumber", s.AsNumber);
        c.AsNumber("spec.localASNumber", s.LocalAsNumber);
        c.Selector("spec.nodeSelector", s.NodeSelector);
        c.Selector("spec.peerSelector", s.PeerSelector);
        c.OneOf("spec.nextHopMode", s.NextHopMode, NextHopModes.All);
        if (s.KeepOriginalNextHop == true && s.NextHopMode is { } mode && mode != NextHopModes.Keep)
        {
            c.Add("spec.keepOriginalNextHop", $"contradicts nextHopMode {mode}");
        }

        c.Duration("spec.maxRestartTime", s.MaxRestartTime);
        c.Duration("spec.keepaliveTime", s.KeepaliveTime);
        c.OneOf("spec.sourceAddress", s.SourceAddress, ["UseNodeIP", "None"]);
        c.Range("spec.ttlSecurity", s.TtlSecurity, 0, 255);
        c.Range("spec.numAllowedLocalASNumbers", s.NumAllowedLocalAsNumbers, 0, 10);
        SecretRef(c, "spec.password", s.Password);
        for (var i = 0; i < (s.Filters?.Count ?? 0); i++)
        {
            c.Name($"spec.filters[{i}]", s.Filters![i]);
        }
    }

    /// <summary>Calico's peerIP forms: <c>192.0.2.1</c>, <c>192.0.2.1:1179</c>, <c>2001:db8::1</c>, <c>[2001:db8::1]:1179</c>.</summary>
    public static bool TryParsePeerIP(string text, out IPAddress address, out int? port)
    {
        port = null;
        if (IPAddress.TryParse(text, out address!) && !text.Contains('[', StringComparison.Ordinal) &&
            (address.AddressFamily == AddressFamily.InterNetworkV6 || !text.Contains(':', StringComparison.Ordinal)))
        {
            return true;
        }

        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port is > 0 and <= 65535 &&
            (text.StartsWith('[') || endpoint.AddressFamily == AddressFamily.InterNetwork))
        {
            address = endpoint.Address;
            port = endpoint.Port;
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    private static void BgpFilterRules(FieldChecks c, BGPFilter filter)
    {
        var s = filter.Spec;
        foreach (var (rules, field, v6) in new[] { (s.ExportV4, "exportV4", false), (s.ImportV4, "importV4", false), (s.ExportV6, "exportV6", true), (s.ImportV6, "importV6", true) })
        {
            for (var i = 0; i < (rules?.Count ?? 0); i++)
            {
                var rule = rules![i];
                var at = $"spec.{field}[{i}]";
                c.OneOf($"{at}.action", rule.Action, ["Accept", "Reject"], required: true);
                var network = c.Cidr($"{at}.cidr", rule.Cidr, required: false);
                if (network is { } n && (n.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6) != v6)
                {
                    c.Add($"{at}.cidr", $"{rule.Cidr} is not an IPv{(v6 ? 6 : 4)} prefix");
                }

                if (!string.IsNullOrEmpty(rule.Cidr) && string.IsNullOrEmpty(rule.MatchOperator))
                {
                    c.Add($"{at}.matchOperator", "is required with cidr");
                }

                c.OneOf($"{at}.matchOperator", rule.MatchOperator, ["Equal", "NotEqual", "In", "NotIn"]);
                var maxLength = v6 ? 128 : 32;
                c.Range($"{at}.prefixLength.min", rule.PrefixLength?.Min, 0, maxLength);
                c.Range($"{at}.prefixLength.max", rule.PrefixLength?.Max, 0, maxLength);
                if (rule.PrefixLength is { Min: { } min, Max: { } max } && min > max)
                {
                    c.Add($"{at}.prefixLength", $"min {min} is greater than max {max}");
                }

                c.OneOf($"{at}.source", rule.Source, ["RemotePeers"]);
                c.OneOf($"{at}.peerType", rule.PeerType, ["eBGP", "iBGP"]);
                for (var j = 0; j < (rule.Communities?.Values?.Count ?? 0); j++)
                {
                    c.Community($"{at}.communities.values[{j}]", rule.Communities!.Values![j]);
                }

                for (var j = 0; j < (rule.Operations?.Count ?? 0); j++)
                {
                    var op = rule.Operations![j];
                    var set = (op.AddCommunity is null ? 0 : 1) + (op.PrependAsPath is null ? 0 : 1) + (op.SetPriority is null ? 0 : 1);
                    if (set != 1)
                    {
                        c.Add($"{at}.operations[{j}]", "exactly one of addCommunity, prependASPath, setPriority must be set");
                    }

                    if (op.AddCommunity is { } add)
                    {
                        c.Community($"{at}.operations[{j}].addCommunity.value", add.Value);
                    }
                }
            }
        }
    }

    private static void CalicoNodeRules(FieldChecks c, CalicoNode node)
    {
        var bgp = node.Spec.Bgp;
        if (bgp is not null)
        {
            NodeAddressCidr(c, "spec.bgp.ipv4Address", bgp.IPv4Address, AddressFamily.InterNetwork);
            NodeAddressCidr(c, "spec.bgp.ipv6Address", bgp.IPv6Address, AddressFamily.InterNetworkV6);
            c.AsNumber("spec.bgp.asNumber", bgp.AsNumber);
            c.Address("spec.bgp.ipv4IPIPTunnelAddr", bgp.IPv4IpipTunnelAddr, required: false);
        }

        c.Address("spec.ipv4VXLANTunnelAddr", node.Spec.IPv4VxlanTunnelAddr, required: false);
        c.Address("spec.ipv6VXLANTunnelAddr", node.Spec.IPv6VxlanTunnelAddr, required: false);
        foreach (var (mac, field) in new[] { (node.Spec.VxlanTunnelMacAddr, "spec.vxlanTunnelMACAddr"), (node.Spec.VxlanTunnelMacAddrV6, "spec.vxlanTunnelMACAddrV6") })
        {
            if (!string.IsNullOrEmpty(mac) && !System.Net.NetworkInformation.PhysicalAddress.TryParse(mac, out _))
            {
                c.Add(field, $"\"{mac}\" is not a MAC address");
            }
        }
    }

    /// <summary>Node BGP addresses are an address with its prefix length, e.g. 192.0.2.10/24 (host bits allowed).</summary>
    private static void NodeAddressCidr(FieldChecks c, string field, string? value, AddressFamily family)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var parts = value.Split('/');
        if (!IPAddress.TryParse(parts[0], out var address) || address.AddressFamily != family ||
            (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ||
                p > (family == AddressFamily.InterNetwork ? 32 : 128))) || parts.Length > 2)
        {
            c.Add(field, $"\"{value}\" is not an IPv{(family == AddressFamily.InterNetwork ? 4 : 6)} address with prefix length");
        }
    }

    private static void PolicyRules(FieldChecks c, PolicySpecBase s)
    {
        c.Selector("spec.selector", s.Selector);
        c.Selector("spec.serviceAccountSelector", s.ServiceAccountSelector);
        for (var i = 0; i < (s.Types?.Count ?? 0); i++)
        {
            c.OneOf($"spec.types[{i}]", s.Types![i], PolicyTypes);
        }

        foreach (var (rules, field) in new[] { (s.Ingress, "ingress"), (s.Egress, "egress") })
        {
            if (rules is { Count: > MaxRulesPerDirection })
            {
                c.Add($"spec.{field}", $"has {rules.Count} rules; at most {MaxRulesPerDirection} are allowed");
            }

            for (var i = 0; i < (rules?.Count ?? 0); i++)
            {
                var rule = rules![i];
                var at = $"spec.{field}[{i}]";
                c.OneOf($"{at}.action", rule.Action, PolicyActions.All, required: true);
                if (rule.IpVersion is { } version && version is not (4 or 6))
                {
                    c.Add($"{at}.ipVersion", $"{version} must be 4 or 6");
                }

                Protocol(c, $"{at}.protocol", rule.Protocol);
                Protocol(c, $"{at}.notProtocol", rule.NotProtocol);
                var isIcmp = rule.Protocol is { IsInt: false } p && p.StringValue is "ICMP" or "ICMPv6" || rule.Protocol is { IsInt: true, IntValue: 1 or 58 };
                if ((rule.Icmp is not null || rule.NotIcmp is not null) && !isIcmp)
                {
                    c.Add($"{at}.icmp", "icmp matches need protocol ICMP or ICMPv6");
                }

                c.Range($"{at}.icmp.type", rule.Icmp?.Type, 0, 254);
                c.Range($"{at}.icmp.code", rule.Icmp?.Code, 0, 255);
                Entity(c, $"{at}.source", rule.Source, rule.Protocol);
                Entity(c, $"{at}.destination", rule.Destination, rule.Protocol);
            }
        }
    }

    private static void Protocol(FieldChecks c, string field, IntOrString? protocol)
    {
        if (protocol is not { } p)
        {
            return;
        }

        if (p.IsInt ? p.IntValue is < 1 or > 255 : !ProtocolNames.Contains(p.StringValue!) &&
            !(int.TryParse(p.StringValue, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 255))
        {
            c.Add(field, $"\"{p}\" is not a protocol ({string.Join(", ", ProtocolNames)} or 1-255)");
        }
    }

    private static void Entity(FieldChecks c, string at, EntityRule? entity, IntOrString? protocol)
    {
        if (entity is null)
        {
            return;
        }

        for (var i = 0; i < (entity.Nets?.Count ?? 0); i++)
        {
            c.Cidr($"{at}.nets[{i}]", entity.Nets![i]);
        }

        for (var i = 0; i < (entity.NotNets?.Count ?? 0); i++)
        {
            c.Cidr($"{at}.notNets[{i}]", entity.NotNets![i]);
        }

        c.Selector($"{at}.selector", entity.Selector);
        c.Selector($"{at}.notSelector", entity.NotSelector);
        c.Selector($"{at}.namespaceSelector", entity.NamespaceSelector);
        c.Selector($"{at}.serviceAccounts.selector", entity.ServiceAccounts?.Selector);
        var hasPorts = entity.Ports is { Count: > 0 } || entity.NotPorts is { Count: > 0 };
        if (hasPorts && !(protocol is { } p && (p.IsInt ? p.IntValue is 6 or 17 or 132 : p.StringValue is "TCP" or "UDP" or "SCTP" or "UDPLite")))
        {
            c.Add($"{at}.ports", "ports need protocol TCP, UDP, SCTP or UDPLite");
        }

        foreach (var (ports, name) in new[] { (entity.Ports, "ports"), (entity.NotPorts, "notPorts") })
        {
            for (var i = 0; i < (ports?.Count ?? 0); i++)
            {
                Port(c, $"{at}.{name}[{i}]", ports![i]);
            }
        }
    }

    /// <summary>A port: 1-65535, a range "a:b" with a &lt;= b, or a named port.</summary>
    private static void Port(FieldChecks c, string field, IntOrString port)
    {
        if (port.IsInt)
        {
            c.Range(field, port.IntValue, 0, 65535);
            return;
        }

        var text = port.StringValue!;
        var parts = text.Split(':');
        if (parts.Length == 2)
        {
            if (!ushort.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first) ||
                !ushort.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last) || first > last)
            {
                c.Add(field, $"\"{text}\" is not a port range first:last with first <= last <= 65535");
            }
        }
        else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            c.Range(field, number, 0, 65535);
        }
        else if (text.Length is 0 or > 15 || !text.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '-'))
        {
            c.Add(field, $"\"{text}\" is not a port, a range or a named port (lower-case, at most 15 characters)");
        }
    }

    private static void SecretRef(FieldChecks c, string field, BgpPassword? password)
    {
        if (password is null)
        {
            return;
        }

        if (password.SecretKeyRef is null)
        {
            c.Add($"{field}.secretKeyRef", "is required");
            return;
        }

        c.Name($"{field}.secretKeyRef.name", password.SecretKeyRef.Name);
        c.Required($"{field}.secretKeyRef.key", password.SecretKeyRef.Key);
    }

    private static void KubeNetworkPolicyRules(FieldChecks c, KubeNetworkPolicy policy)
    {
        for (var i = 0; i < (policy.Spec.PolicyTypes?.Count ?? 0); i++)
        {
            c.OneOf($"spec.policyTypes[{i}]", policy.Spec.PolicyTypes![i], PolicyTypes);
        }

        var peers = (policy.Spec.Ingress ?? []).SelectMany((r, i) => (r.From ?? []).Select((p, j) => ($"spec.ingress[{i}].from[{j}]", p)))
            .Concat((policy.Spec.Egress ?? []).SelectMany((r, i) => (r.To ?? []).Select((p, j) => ($"spec.egress[{i}].to[{j}]", p))));
        foreach (var (at, peer) in peers)
        {
            if (peer.IpBlock is { } block)
            {
                c.Cidr($"{at}.ipBlock.cidr", block.Cidr);
                for (var k = 0; k < (block.Except?.Count ?? 0); k++)
                {
                    c.Cidr($"{at}.ipBlock.except[{k}]", block.Except![k]);
                }
            }
        }
    }

    internal static string Format(IReadOnlyList<FieldError> errors) =>
        string.Join("; ", errors.Select(e => e.ToString()));
}
