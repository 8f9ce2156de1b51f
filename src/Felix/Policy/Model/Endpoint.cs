using System.Net;

namespace Tabby.Felix.Policy.Model;

/// <summary>
/// A workload endpoint (a pod's interface). Local endpoints have an <see cref="InterfaceName"/> on
/// this node and get per-endpoint chains; remote ones only contribute addresses to selector sets.
/// </summary>
public sealed record Endpoint
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public string ServiceAccount { get; init; } = "default";

    /// <summary>Labels of the service account, for <c>serviceAccounts.selector</c>.</summary>
    public IReadOnlyDictionary<string, string> ServiceAccountLabels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];

    public IReadOnlyList<NamedPort> NamedPorts { get; init; } = [];

    /// <summary>Host-side interface of a local endpoint (e.g. <c>cali1234</c>); null for a remote endpoint.</summary>
    public string? InterfaceName { get; init; }

    public string Key => $"{Namespace}/{Name}";

    public bool IsLocal => InterfaceName is not null;

    /// <summary>The port number a named port resolves to for <paramref name="protocol"/>, if the endpoint has it.</summary>
    public int? ResolveNamedPort(string name, Protocol protocol)
    {
        foreach (var p in NamedPorts)
        {
            if (p.Protocol == protocol && string.Equals(p.Name, name, StringComparison.Ordinal))
            {
                return p.Port;
            }
        }

        return null;
    }

    public void Validate()
    {
        PolicyNames.ValidateName(Namespace, "metadata.namespace");
        PolicyNames.ValidateName(Name, "metadata.name");
        if (InterfaceName is { } ifname && (ifname.Length is 0 or > 15 || ifname.Any(c => c is '"' or '/' or ' ' or '\\')))
        {
            throw new PolicyValidationException("interfaceName", $"\"{ifname}\" is not a valid Linux interface name");
        }
    }
}
