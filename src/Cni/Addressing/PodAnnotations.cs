using System.Net;
using System.Text.Json;
using Tabby.Cni.Spec;

namespace Tabby.Cni.Addressing;

/// <summary>
/// Calico's per-pod (and per-namespace) addressing annotations, values being JSON lists of strings:
/// <c>cni.projectcalico.org/ipAddrs</c> (at most one address per family, taken as is),
/// <c>cni.projectcalico.org/ipv4pools</c> and <c>/ipv6pools</c> (pool names or CIDRs to allocate
/// from). A pod's annotation wins over its namespace's.
/// </summary>
public sealed record PodAnnotations(IReadOnlyList<IPAddress> IpAddrs, IReadOnlyList<string>? IPv4Pools, IReadOnlyList<string>? IPv6Pools)
{
    public const string IpAddrsKey = "cni.projectcalico.org/ipAddrs";
    public const string IpAddrsNoIpamKey = "cni.projectcalico.org/ipAddrsNoIpam";
    public const string IPv4PoolsKey = "cni.projectcalico.org/ipv4pools";
    public const string IPv6PoolsKey = "cni.projectcalico.org/ipv6pools";

    /// <summary>What Tabby writes back on the pod (as Calico does).</summary>
    public const string PodIpKey = "cni.projectcalico.org/podIP";
    public const string PodIpsKey = "cni.projectcalico.org/podIPs";
    public const string ContainerIdKey = "cni.projectcalico.org/containerID";

    public static readonly PodAnnotations None = new([], null, null);

    public static PodAnnotations Parse(IReadOnlyDictionary<string, string>? pod, IReadOnlyDictionary<string, string>? ns)
    {
        if (pod?.ContainsKey(IpAddrsNoIpamKey) == true)
        {
            throw new CniException(CniErrorCode.UnsupportedField, $"annotation {IpAddrsNoIpamKey} is not supported: every pod address comes from IPAM");
        }

        var addresses = Strings(pod, IpAddrsKey)?.Select(text => IPAddress.TryParse(text, out var a)
            ? a
            : throw new CniException(CniErrorCode.InvalidNetworkConfig, $"annotation {IpAddrsKey}: \"{text}\" is not an IP address")).ToList() ?? [];
        if (addresses.Count(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) > 1
            || addresses.Count(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) > 1)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"annotation {IpAddrsKey} may name at most one IPv4 and one IPv6 address");
        }

        var v4 = Strings(pod, IPv4PoolsKey) ?? Strings(ns, IPv4PoolsKey);
        var v6 = Strings(pod, IPv6PoolsKey) ?? Strings(ns, IPv6PoolsKey);
        if (addresses.Count > 0 && (Strings(pod, IPv4PoolsKey) is not null || Strings(pod, IPv6PoolsKey) is not null))
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"annotation {IpAddrsKey} cannot be combined with {IPv4PoolsKey} / {IPv6PoolsKey}");
        }

        return new PodAnnotations(addresses, v4, v6);
    }

    private static List<string>? Strings(IReadOnlyDictionary<string, string>? annotations, string key)
    {
        if (annotations is null || !annotations.TryGetValue(key, out var text))
        {
            return null;
        }

        try
        {
            var list = JsonSerializer.Deserialize(text, AnnotationJsonContext.Default.ListString);
            if (list is null || list.Any(string.IsNullOrWhiteSpace))
            {
                throw new CniException(CniErrorCode.InvalidNetworkConfig, $"annotation {key} must be a JSON list of non-empty strings");
            }

            return list;
        }
        catch (JsonException e)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"annotation {key} must be a JSON list of strings, e.g. [\"198.18.0.10\"]", e.Message);
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
internal sealed partial class AnnotationJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
