using System.Net;
using System.Net.Sockets;
using Tabby.Datastore.Resources.Calico;

namespace Tabby.Ipam.Allocation;

/// <summary>A request for addresses chosen by IPAM (Calico's AutoAssignArgs).</summary>
public sealed record AutoAssignRequest
{
    /// <summary>The node asking; blocks are claimed with affinity to it.</summary>
    public required string Host { get; init; }

    /// <summary>Release handle, e.g. <c>k8s-pod-network.&lt;containerID&gt;</c>.</summary>
    public string? HandleId { get; init; }

    /// <summary>Secondary attributes stored with each address (pod, namespace, node, type ...).</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    public int IPv4Count { get; init; }

    public int IPv6Count { get; init; }

    /// <summary>Only these pools (names or CIDRs), in this order; empty means every pool that matches.</summary>
    public IReadOnlyList<string> IPv4Pools { get; init; } = [];

    public IReadOnlyList<string> IPv6Pools { get; init; } = [];

    /// <summary>Labels of the host, for pool nodeSelectors.</summary>
    public IReadOnlyDictionary<string, string> HostLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>Labels of the workload's namespace, for pool namespaceSelectors (null: not a namespaced workload).</summary>
    public IReadOnlyDictionary<string, string>? NamespaceLabels { get; init; }

    /// <summary>What the addresses are for (<see cref="IPPoolAllowedUses"/>).</summary>
    public string Use { get; init; } = IPPoolAllowedUses.Workload;

    /// <summary>Overrides the configured per-host block limit (0: use IPAMConfig).</summary>
    public int MaxBlocksPerHost { get; init; }
}

/// <summary>Addresses handed out, each with the block it came from.</summary>
public sealed record AssignedAddress(IPAddress Address, IPNetwork Block, string Pool)
{
    public AddressFamily Family => Address.AddressFamily;
}

public sealed record AutoAssignResult(IReadOnlyList<AssignedAddress> IPv4, IReadOnlyList<AssignedAddress> IPv6)
{
    public IEnumerable<AssignedAddress> All => IPv4.Concat(IPv6);
}

/// <summary>A pinned-address request (Calico's AssignIPArgs).</summary>
public sealed record AssignIpRequest
{
    public required IPAddress Address { get; init; }

    public required string Host { get; init; }

    public string? HandleId { get; init; }

    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
}

/// <summary>What a release did, per address.</summary>
public sealed record ReleaseResult(IReadOnlyList<IPAddress> Released, IReadOnlyList<IPAddress> NotAllocated, IReadOnlyList<IPAddress> Skipped);
