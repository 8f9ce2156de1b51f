using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Conversion;

/// <summary>
/// networking.k8s.io/v1 NetworkPolicy to the policy model, with Kubernetes semantics:
/// <list type="bullet">
/// <item>policyTypes missing: Ingress, plus Egress when the spec has egress rules.</item>
/// <item>A covered direction with no rules denies everything (the pod is isolated); a rule with
/// no peers matches every peer, a rule with no ports every port.</item>
/// <item>Peers of a rule are ORed (one model rule per peer); a peer with podSelector and
/// namespaceSelector ANDs them; podSelector alone means the policy's namespace; ipBlock matches
/// its CIDR minus the except CIDRs.</item>
/// <item>Ports are ORed; ports of different protocols become separate rules (protocol default TCP);
/// endPort makes a range; a string port is a named port resolved on each endpoint.</item>
/// </list>
/// Like Calico, the result sits in tier <c>default</c> with order 1000.
/// </summary>
public static class KubernetesPolicyConverter
{
    /// <summary>Calico gives every Kubernetes NetworkPolicy this order in the default tier.</summary>
    public const double Order = 1000;

    public static Model.Policy Convert(KubeNetworkPolicy resource)
    {
        var spec = resource.Spec;
        if (string.IsNullOrEmpty(resource.Namespace))
        {
            throw new PolicyValidationException("metadata.namespace", "a NetworkPolicy needs a namespace");
        }

        var types = PolicyTypes.None;
        if (spec.PolicyTypes is { Count: > 0 } listed)
        {
            for (var i = 0; i < listed.Count; i++)
            {
                types |= listed[i] switch
                {
                    "Ingress" => PolicyTypes.Ingress,
                    "Egress" => PolicyTypes.Egress,
                    _ => throw new PolicyValidationException($"spec.policyTypes[{i}]", $"\"{listed[i]}\" is not Ingress or Egress"),
                };
            }
        }
        else
        {
            types = PolicyTypes.Ingress | (spec.Egress is { Count: > 0 } ? PolicyTypes.Egress : PolicyTypes.None);
        }

        var ingress = new List<Rule>();
        for (var i = 0; i < (spec.Ingress?.Count ?? 0); i++)
        {
            var rule = spec.Ingress![i];
            AddRules(ingress, Direction.Ingress, rule.From, rule.Ports, $"spec.ingress[{i}]", "from");
        }

        var egress = new List<Rule>();
        for (var i = 0; i < (spec.Egress?.Count ?? 0); i++)
        {
            var rule = spec.Egress![i];
            AddRules(egress, Direction.Egress, rule.To, rule.Ports, $"spec.egress[{i}]", "to");
        }

        return new Model.Policy
        {
            Kind = PolicyKind.KubernetesNetworkPolicy,
            Name = resource.Name,
            Namespace = resource.Namespace,
            Tier = Tier.Default.Name,
            Order = Order,
            Selector = LabelSelectorConverter.Convert(spec.PodSelector, "spec.podSelector"),
            Types = types,
            // Rules of a direction the policy does not cover are ignored, as Kubernetes does.
            Ingress = (types & PolicyTypes.Ingress) != 0 ? ingress : [],
            Egress = (types & PolicyTypes.Egress) != 0 ? egress : [],
        }.Validated();
    }

    private static void AddRules(List<Rule> rules, Direction direction, List<KubeNetworkPolicyPeer>? peers,
        List<KubeNetworkPolicyPort>? ports, string field, string peersName)
    {
        var peerMatches = peers is { Count: > 0 }
            ? peers.Select((p, j) => (Match: ConvertPeer(p, $"{field}.{peersName}[{j}]"), Origin: $"{field[5..]}.{peersName}[{j}]")).ToList()
            : [(Match: EntityMatch.Any, Origin: field[5..])];

        // Pod/namespace peers of one rule only differ in who they select: one rule with their
        // union (one set lookup) instead of one rule per peer. ipBlock peers stay separate.
        var selectorPeers = peerMatches.Select((p, j) => (p.Match, Index: j)).Where(p => p.Match.Nets.Count == 0 && p.Match.SelectsEndpoints).ToList();
        if (selectorPeers.Count > 1)
        {
            var merged = (Match: new EntityMatch { AnyOf = [.. selectorPeers.Select(p => p.Match)] },
                Origin: $"{field[5..]}.{peersName}[{string.Join(",", selectorPeers.Select(p => p.Index))}]");
            peerMatches = [merged, .. peerMatches.Where(p => p.Match.Nets.Count > 0 || !p.Match.SelectsEndpoints)];
        }

        var portGroups = ConvertPorts(ports, $"{field}.ports");
        foreach (var (peer, origin) in peerMatches)
        {
            foreach (var (protocol, portList) in portGroups)
            {
                var portsMatch = new EntityMatch { Ports = portList };
                rules.Add(new Rule
                {
                    Action = PolicyAction.Allow,
                    Protocol = protocol,
                    Source = direction == Direction.Ingress ? peer : EntityMatch.Any,
                    Destination = direction == Direction.Ingress ? portsMatch : peer with { Ports = portList },
                    Origin = protocol is null ? origin : $"{origin} {protocol}",
                });
            }
        }
    }

    private static EntityMatch ConvertPeer(KubeNetworkPolicyPeer peer, string field)
    {
        if (peer.IpBlock is { } block)
        {
            if (peer.PodSelector is not null || peer.NamespaceSelector is not null)
            {
                throw new PolicyValidationException(field, "ipBlock cannot be combined with podSelector or namespaceSelector");
            }

            var cidr = NetParser.Parse(block.Cidr, $"{field}.ipBlock.cidr");
            var except = NetParser.ParseAll(block.Except, $"{field}.ipBlock.except");
            for (var i = 0; i < except.Count; i++)
            {
                if (except[i].BaseAddress.AddressFamily != cidr.BaseAddress.AddressFamily || except[i].PrefixLength < cidr.PrefixLength
                    || !cidr.Contains(except[i].BaseAddress))
                {
                    throw new PolicyValidationException($"{field}.ipBlock.except[{i}]", $"{except[i]} is not inside {cidr}");
                }
            }

            return new EntityMatch { Nets = [cidr], NotNets = except };
        }

        if (peer.PodSelector is null && peer.NamespaceSelector is null)
        {
            throw new PolicyValidationException(field, "a peer needs podSelector, namespaceSelector or ipBlock");
        }

        return new EntityMatch
        {
            // podSelector alone: pods of the policy's namespace (the compiler scopes it);
            // namespaceSelector alone: every pod of the matching namespaces; both: AND.
            Selector = peer.PodSelector is null ? null : LabelSelectorConverter.Convert(peer.PodSelector, $"{field}.podSelector"),
            NamespaceSelector = peer.NamespaceSelector is null ? null : LabelSelectorConverter.Convert(peer.NamespaceSelector, $"{field}.namespaceSelector"),
        };
    }

    /// <summary>Groups ports by protocol; a group with an empty list means every port of the protocol.
    /// No ports at all: one group without protocol (every protocol, every port).</summary>
    private static List<(Protocol? Protocol, IReadOnlyList<PortMatch> Ports)> ConvertPorts(List<KubeNetworkPolicyPort>? ports, string field)
    {
        if (ports is not { Count: > 0 })
        {
            return [(null, [])];
        }

        var groups = new List<(Protocol Protocol, List<PortMatch>? Ports)>();
        for (var i = 0; i < ports.Count; i++)
        {
            var p = ports[i];
            var at = $"{field}[{i}]";
            var protocol = p.Protocol is null ? Protocol.Tcp : p.Protocol switch
            {
                "TCP" => Protocol.Tcp,
                "UDP" => Protocol.Udp,
                "SCTP" => Protocol.Sctp,
                _ => throw new PolicyValidationException($"{at}.protocol", $"\"{p.Protocol}\" is not TCP, UDP or SCTP"),
            };
            PortMatch? match = null;
            if (p.Port is { } port)
            {
                if (port.IsInt)
                {
                    if (port.IntValue is < 1 or > 65535)
                    {
                        throw new PolicyValidationException($"{at}.port", $"{port.IntValue} is outside 1-65535");
                    }

                    match = p.EndPort is { } end
                        ? end < port.IntValue
                            ? throw new PolicyValidationException($"{at}.endPort", $"{end} is below port {port.IntValue}")
                            : PortMatch.Range(port.IntValue, end, $"{at}.endPort")
                        : PortMatch.Single(port.IntValue, $"{at}.port");
                }
                else
                {
                    if (p.EndPort is not null)
                    {
                        throw new PolicyValidationException($"{at}.endPort", "endPort needs a numeric port");
                    }

                    match = PortMatch.Named(port.StringValue!, $"{at}.port");
                }
            }
            else if (p.EndPort is not null)
            {
                throw new PolicyValidationException($"{at}.endPort", "endPort needs port");
            }

            var index = groups.FindIndex(g => g.Protocol == protocol);
            if (index < 0)
            {
                groups.Add((protocol, match is null ? null : [match]));
            }
            else if (groups[index].Ports is { } list)
            {
                if (match is null)
                {
                    groups[index] = (protocol, null); // "every port" absorbs the listed ones
                }
                else
                {
                    list.Add(match);
                }
            }
        }

        return [.. groups.Select(g => ((Protocol?)g.Protocol, (IReadOnlyList<PortMatch>)(g.Ports ?? [])))];
    }
}
