using System.Net;

namespace Tabby.Cni.Addressing;

/// <summary>What one ADD asks IPAM for.</summary>
public sealed record AddressRequest
{
    public required string Node { get; init; }

    public required string HandleId { get; init; }

    /// <summary>Stored with each address: pod, namespace, node (Calico's attribute keys).</summary>
    public required IReadOnlyDictionary<string, string> Attributes { get; init; }

    public bool IPv4 { get; init; } = true;

    public bool IPv6 { get; init; }

    public IReadOnlyList<string> IPv4Pools { get; init; } = [];

    public IReadOnlyList<string> IPv6Pools { get; init; } = [];

    /// <summary>Pinned addresses (annotation ipAddrs, CNI_ARGS IP, runtimeConfig.ips): used instead of automatic assignment.</summary>
    public IReadOnlyList<IPAddress> Pinned { get; init; } = [];

    public IReadOnlyDictionary<string, string> NodeLabels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string>? NamespaceLabels { get; init; }
}
