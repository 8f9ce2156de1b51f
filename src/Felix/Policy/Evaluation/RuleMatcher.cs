using System.Net;
using System.Net.Sockets;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Evaluation;

/// <summary>Whether one compiled rule matches a flow; mirrors, field by field, what the nftables renderer emits.</summary>
internal static class RuleMatcher
{
    public static bool Matches(CompiledRule compiled, Flow flow, Endpoint? source, Endpoint? destination, PolicyCalculator state)
    {
        var rule = compiled.Rule;
        if (rule.IpVersion is { } v && v != flow.IpVersion)
        {
            return false;
        }

        if (rule.Protocol is { } p && p != flow.Protocol)
        {
            return false;
        }

        // ICMP is IPv4's protocol 1, ICMPv6 IPv6's 58: neither matches in the other family.
        if ((rule.Protocol == Protocol.Icmp && flow.IpVersion == 6) || (rule.Protocol == Protocol.IcmpV6 && flow.IpVersion == 4))
        {
            return false;
        }

        if (rule.NotProtocol is { } np && np == flow.Protocol)
        {
            return false;
        }

        if (rule.Icmp is { } icmp && !icmp.Matches(flow.IcmpType, flow.IcmpCode))
        {
            return false;
        }

        if (rule.NotIcmp is { } notIcmp && notIcmp.Matches(flow.IcmpType, flow.IcmpCode))
        {
            return false;
        }

        // Rules about one family's nets never match the other family (nftables: ip vs ip6 matches).
        if (!FamilyPossible(compiled.Source, flow) || !FamilyPossible(compiled.Destination, flow))
        {
            return false;
        }

        return SideMatches(compiled.Source, flow.Source, flow.SourcePort, source, flow, state)
            && SideMatches(compiled.Destination, flow.Destination, flow.DestinationPort, destination, flow, state);
    }

    private static bool FamilyPossible(CompiledSide side, Flow flow)
    {
        var family = flow.IpVersion == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        return side.Match.Nets.Count == 0 || side.Match.Nets.Any(n => n.BaseAddress.AddressFamily == family);
    }

    private static bool SideMatches(CompiledSide side, IPAddress address, int port, Endpoint? endpoint, Flow flow, PolicyCalculator state)
    {
        var match = side.Match;
        if (match.Nets.Count > 0 && !match.Nets.Any(n => n.Contains(address)))
        {
            return false;
        }

        if (match.NotNets.Any(n => n.Contains(address)))
        {
            return false;
        }

        if (side.Selection is not null && !IsMember(side.Selection, endpoint, state))
        {
            return false;
        }

        if (side.NotSelection is not null && IsMember(side.NotSelection, endpoint, state))
        {
            return false;
        }

        if (side.HasPorts && !side.NumericPorts.Any(r => r.Contains(port)) && !side.NamedPorts.Any(n => NamedPortMatches(n, endpoint, port, flow, state)))
        {
            return false;
        }

        if (side.NumericNotPorts.Any(r => r.Contains(port)) || side.NamedNotPorts.Any(n => NamedPortMatches(n, endpoint, port, flow, state)))
        {
            return false;
        }

        return true;
    }

    private static bool IsMember(EndpointSelection selection, Endpoint? endpoint, PolicyCalculator state) =>
        endpoint is not null && selection.Matches(endpoint, state.NamespaceOf(endpoint));

    private static bool NamedPortMatches(NamedPortSelection selection, Endpoint? endpoint, int port, Flow flow, PolicyCalculator state) =>
        endpoint is not null
        && flow.Protocol == selection.Protocol
        && selection.Endpoints.Matches(endpoint, state.NamespaceOf(endpoint))
        && endpoint.ResolveNamedPort(selection.PortName, selection.Protocol) == port;
}
