using System.Globalization;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Nftables;

/// <summary>
/// How policy is rendered into nftables. Tabby owns one table (<see cref="TableName"/> in the
/// <c>inet</c> family, so IPv4 and IPv6 are one transaction) and touches nothing else.
/// </summary>
public sealed record NftablesPolicyOptions
{
    public string TableName { get; init; } = "tabby-policy";

    /// <summary>Host-side names of workload interfaces start with one of these; traffic from or to an
    /// interface with such a prefix that is not a known endpoint is dropped (like Calico's <c>cali+</c>).</summary>
    public IReadOnlyList<string> WorkloadInterfacePrefixes { get; init; } = ["cali", "tabby"];

    /// <summary>
    /// IP versions the cluster uses (Felix's IPv6Support): rules and sets are rendered for these
    /// only. A single-stack cluster halves its selector rules and sets with <c>[4]</c>; traffic of
    /// a family left out is then only subject to rules that match no address.
    /// </summary>
    public IReadOnlyList<int> IpVersions { get; init; } = [4, 6];

    /// <summary>Packet mark bit set by a policy chain that allowed the packet.</summary>
    public uint AcceptMark { get; init; } = 0x10000;

    /// <summary>Packet mark bit set by a policy chain that passed the packet to the next tier.</summary>
    public uint PassMark { get; init; } = 0x20000;

    /// <summary>
    /// Inbound host ports always accepted before any Tabby drop on the host (Felix's
    /// FailsafeInboundHostPorts): SSH, BGP, etcd, the Kubernetes API, DNS and DHCP.
    /// </summary>
    public IReadOnlyList<FailsafePort> FailsafeInbound { get; init; } = FailsafePort.DefaultInbound;

    /// <summary>Outbound host ports always accepted (Felix's FailsafeOutboundHostPorts).</summary>
    public IReadOnlyList<FailsafePort> FailsafeOutbound { get; init; } = FailsafePort.DefaultOutbound;

    /// <summary>What happens to traffic from a workload to this host after the workload's egress
    /// policy allowed it (Felix's DefaultEndpointToHostAction): Allow, or Deny.</summary>
    public PolicyAction EndpointToHostAction { get; init; } = PolicyAction.Allow;

    /// <summary>Prefix of log lines from Log rules (kernel log, <c>nft monitor trace</c>).</summary>
    public string LogPrefix { get; init; } = "tabby-policy";

    /// <summary>
    /// Send applies as nftables netlink messages when the runner can (<see cref="INftNetlinkRunner"/>):
    /// nft first fetches every chain and set of the table, which at 10k policies costs more than a
    /// small change itself, and parses the script text, which costs a third of a full apply.
    /// What the encoder does not know goes through nft.
    /// </summary>
    public bool ApplyViaNetlink { get; init; } = true;

    public void Validate()
    {
        if (TableName.Length is 0 or > 64 || !TableName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new PolicyValidationException("tableName", $"\"{TableName}\" is not a valid nftables table name");
        }

        if (AcceptMark == 0 || PassMark == 0 || (AcceptMark & PassMark) != 0 || !IsSingleBit(AcceptMark) || !IsSingleBit(PassMark))
        {
            throw new PolicyValidationException("marks", "AcceptMark and PassMark must be two different single bits");
        }

        foreach (var prefix in WorkloadInterfacePrefixes)
        {
            if (prefix.Length is 0 or > 14 || prefix.Any(c => c is '"' or '*' or ' ' or '\\'))
            {
                throw new PolicyValidationException("workloadInterfacePrefixes", $"\"{prefix}\" is not an interface name prefix");
            }
        }

        if (IpVersions.Count == 0 || IpVersions.Any(v => v is not (4 or 6)))
        {
            throw new PolicyValidationException("ipVersions", "must list 4, 6 or both");
        }

        if (EndpointToHostAction is not (PolicyAction.Allow or PolicyAction.Deny))
        {
            throw new PolicyValidationException("endpointToHostAction", "must be Allow or Deny");
        }
    }

    private static bool IsSingleBit(uint value) => (value & (value - 1)) == 0;

    internal string Hex(uint value) => "0x" + value.ToString("x8", CultureInfo.InvariantCulture);
}

/// <summary>A protocol and port (or range) for failsafe rules, written <c>tcp:22</c> or <c>tcp:2379-2380</c>.</summary>
public sealed record FailsafePort(Protocol Protocol, ushort First, ushort Last)
{
    public static readonly IReadOnlyList<FailsafePort> DefaultInbound =
        [Parse("tcp:22"), Parse("tcp:179"), Parse("tcp:2379-2380"), Parse("tcp:6443"), Parse("udp:53"), Parse("udp:67"), Parse("udp:68")];

    public static readonly IReadOnlyList<FailsafePort> DefaultOutbound =
        [Parse("tcp:22"), Parse("tcp:179"), Parse("tcp:2379-2380"), Parse("tcp:6443"), Parse("udp:53"), Parse("udp:67"), Parse("udp:68")];

    public static FailsafePort Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new PolicyValidationException("failsafe", $"\"{text}\" is not protocol:port");
        }

        var protocol = Protocol.Parse(text[..colon], "failsafe");
        if (!protocol.HasPorts)
        {
            throw new PolicyValidationException("failsafe", $"{protocol} has no ports");
        }

        var range = PortMatch.Parse(text[(colon + 1)..].Replace('-', ':'), "failsafe");
        return range.IsNamed ? throw new PolicyValidationException("failsafe", $"\"{text}\" needs a numeric port") : new FailsafePort(protocol, range.First, range.Last);
    }

    public string NftPorts => First == Last ? First.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");
}
