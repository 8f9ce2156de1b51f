using System.Net;
using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Datastore.Resources.Calico;
using Community = Tabby.Bgp.Wire.Attributes.Community;
using Tabby.Datastore.Resources.Kubernetes;

namespace Tabby.Node.Bgp;

/// <summary>A prefix the node originates, with its attributes and why it is advertised.</summary>
public sealed record Advertisement(BgpPrefix Prefix, RouteAttributes Attributes, string Reason);

/// <summary>What advertisements are computed from, as read from the datastore.</summary>
public sealed record AdvertisementInputs(
    string NodeName,
    IReadOnlyList<IPNetwork> Blocks,
    BGPConfiguration? Global,
    BGPConfiguration? ForNode,
    IReadOnlyList<Service> Services,
    IReadOnlyList<Pod> Pods);

/// <summary>
/// The prefixes a node originates, as Calico's BIRD template exports them: the node's confirmed
/// blocks; the service CIDRs of BGPConfiguration (serviceClusterIPs, serviceExternalIPs,
/// serviceLoadBalancerIPs) from every node; and, for services with externalTrafficPolicy Local,
/// the single service addresses inside those CIDRs from the nodes that run one of the service's
/// pods (so traffic only lands where an endpoint is). Every advertisement carries the
/// communities of each prefixAdvertisements entry whose CIDR covers it.
/// </summary>
public static class AdvertisementPlanner
{
    public static IReadOnlyList<Advertisement> Plan(AdvertisementInputs inputs, List<string> problems)
    {
        var global = inputs.Global?.Spec;
        var forNode = inputs.ForNode?.Spec;
        var named = forNode?.Communities ?? global?.Communities ?? [];
        var tagging = Tagging(forNode?.PrefixAdvertisements ?? global?.PrefixAdvertisements ?? [], named, problems);
        var wanted = new Dictionary<BgpPrefix, string>();
        foreach (var block in inputs.Blocks)
        {
            wanted.TryAdd(BgpPrefix.Parse(block.ToString()), "block");
        }

        // Service ranges are cluster-wide settings: only the default BGPConfiguration has them.
        var ranges = new List<(IPNetwork Cidr, string Kind)>();
        AddRanges(ranges, global?.ServiceClusterIPs, "serviceClusterIPs", problems);
        AddRanges(ranges, global?.ServiceExternalIPs, "serviceExternalIPs", problems);
        AddRanges(ranges, global?.ServiceLoadBalancerIPs, "serviceLoadBalancerIPs", problems);
        foreach (var (cidr, kind) in ranges)
        {
            wanted.TryAdd(BgpPrefix.Parse(cidr.ToString()), kind);
        }

        foreach (var service in inputs.Services)
        {
            if (service.Spec.ExternalTrafficPolicy != "Local" || !HasLocalEndpoint(service, inputs))
            {
                continue;
            }

            foreach (var (address, kind) in Addresses(service))
            {
                if (ranges.Any(r => r.Kind == kind && r.Cidr.Contains(address)))
                {
                    wanted.TryAdd(BgpPrefix.Parse(new IPNetwork(address, address.GetAddressBytes().Length * 8).ToString()),
                        $"service {service.Namespace}/{service.Name}");
                }
            }
        }

        return wanted.Select(w => new Advertisement(w.Key, Attributes(w.Key, tagging), w.Value))
            .OrderBy(a => a.Prefix.ToString(), StringComparer.Ordinal)
            .ToList();
    }

    private static RouteAttributes Attributes(BgpPrefix prefix, IReadOnlyList<(IPNetwork Cidr, CommunityValue Community)> tagging)
    {
        var network = prefix.ToIPNetwork();
        var standard = new List<Community>();
        var large = new List<LargeCommunity>();
        foreach (var (cidr, community) in tagging)
        {
            if (!cidr.Contains(network.BaseAddress) || cidr.PrefixLength > network.PrefixLength)
            {
                continue;
            }

            if (community.Standard is { } s && !standard.Contains(s))
            {
                standard.Add(s);
            }
            else if (community.Large is { } l && !large.Contains(l))
            {
                large.Add(l);
            }
        }

        return standard.Count == 0 && large.Count == 0 ? RouteAttributes.Default : new RouteAttributes { Communities = standard, LargeCommunities = large };
    }

    private static List<(IPNetwork, CommunityValue)> Tagging(IReadOnlyList<PrefixAdvertisement> entries, IReadOnlyList<Datastore.Resources.Calico.Community> named,
        List<string> problems)
    {
        var result = new List<(IPNetwork, CommunityValue)>();
        for (var i = 0; i < entries.Count; i++)
        {
            var where = $"BGPConfiguration prefixAdvertisements[{i}]";
            if (!IPNetwork.TryParse(entries[i].Cidr, out var cidr))
            {
                problems.Add($"{where}.cidr: \"{entries[i].Cidr}\" is not a CIDR");
                continue;
            }

            foreach (var text in entries[i].Communities ?? [])
            {
                try
                {
                    result.Add((cidr, CommunityValue.Resolve(text, named, $"{where}.communities")));
                }
                catch (FormatException e)
                {
                    problems.Add(e.Message);
                }
            }
        }

        return result;
    }

    private static void AddRanges(List<(IPNetwork, string)> ranges, List<ServiceCidrBlock>? blocks, string field, List<string> problems)
    {
        for (var i = 0; i < (blocks?.Count ?? 0); i++)
        {
            if (IPNetwork.TryParse(blocks![i].Cidr, out var cidr))
            {
                ranges.Add((cidr, field));
            }
            else
            {
                problems.Add($"BGPConfiguration default {field}[{i}].cidr: \"{blocks[i].Cidr}\" is not a CIDR");
            }
        }
    }

    private static IEnumerable<(IPAddress Address, string Kind)> Addresses(Service service)
    {
        foreach (var text in (service.Spec.ClusterIPs ?? []).Append(service.Spec.ClusterIP))
        {
            if (IPAddress.TryParse(text, out var address))
            {
                yield return (address, "serviceClusterIPs");
            }
        }

        foreach (var text in service.Spec.ExternalIPs ?? [])
        {
            if (IPAddress.TryParse(text, out var address))
            {
                yield return (address, "serviceExternalIPs");
            }
        }

        foreach (var text in (service.Status?.LoadBalancer?.Ingress ?? []).Select(i => i.Ip).Append(service.Spec.LoadBalancerIP))
        {
            if (IPAddress.TryParse(text, out var address))
            {
                yield return (address, "serviceLoadBalancerIPs");
            }
        }
    }

    /// <summary>A running pod of the service (its selector matches the pod's labels) on this node.</summary>
    private static bool HasLocalEndpoint(Service service, AdvertisementInputs inputs)
    {
        if (service.Spec.Selector is not { Count: > 0 } selector)
        {
            return false;
        }

        return inputs.Pods.Any(pod => pod.Spec.NodeName == inputs.NodeName && pod.Namespace == service.Namespace
            && pod.Status?.Phase is null or "Running"
            && selector.All(s => pod.Metadata.Labels?.GetValueOrDefault(s.Key) == s.Value));
    }
}
