using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>
/// Calico's view of a node (projectcalico.org/v3 <c>Node</c>): its BGP identity and tunnel addresses.
/// On the Kubernetes datastore it is not a CRD: it is kept as <c>projectcalico.org/*</c> annotations
/// on the Kubernetes Node (see <see cref="CalicoNodeAnnotations"/>).
/// </summary>
public sealed class CalicoNode : Resource
{
    [JsonPropertyName("spec")] public CalicoNodeSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public JsonElement? Status { get; set; }
}

public sealed class CalicoNodeSpec
{
    [JsonPropertyName("bgp")] public NodeBgpSpec? Bgp { get; set; }
    [JsonPropertyName("ipv4VXLANTunnelAddr")] public string? IPv4VxlanTunnelAddr { get; set; }
    [JsonPropertyName("vxlanTunnelMACAddr")] public string? VxlanTunnelMacAddr { get; set; }
    [JsonPropertyName("ipv6VXLANTunnelAddr")] public string? IPv6VxlanTunnelAddr { get; set; }
    [JsonPropertyName("vxlanTunnelMACAddrV6")] public string? VxlanTunnelMacAddrV6 { get; set; }
    [JsonPropertyName("addresses")] public List<NodeAddress>? Addresses { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class NodeBgpSpec
{
    [JsonPropertyName("asNumber"), JsonConverter(typeof(AsNumberConverter))] public uint? AsNumber { get; set; }
    /// <summary>The node's address in CIDR form, e.g. <c>192.0.2.10/24</c>.</summary>
    [JsonPropertyName("ipv4Address")] public string? IPv4Address { get; set; }
    [JsonPropertyName("ipv6Address")] public string? IPv6Address { get; set; }
    [JsonPropertyName("ipv4IPIPTunnelAddr")] public string? IPv4IpipTunnelAddr { get; set; }
    [JsonPropertyName("routeReflectorClusterID")] public string? RouteReflectorClusterId { get; set; }
}

public sealed class NodeAddress
{
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("type")] public string? Type { get; set; }
}

/// <summary>Annotations on the Kubernetes Node that carry the Calico Node in Kubernetes mode.</summary>
public static class CalicoNodeAnnotations
{
    public const string IPv4Address = "projectcalico.org/IPv4Address";
    public const string IPv6Address = "projectcalico.org/IPv6Address";
    public const string AsNumber = "projectcalico.org/ASNumber";
    public const string IPv4IpipTunnelAddr = "projectcalico.org/IPv4IPIPTunnelAddr";
    public const string IPv4VxlanTunnelAddr = "projectcalico.org/IPv4VXLANTunnelAddr";
    public const string VxlanTunnelMacAddr = "projectcalico.org/VXLANTunnelMACAddr";
    public const string IPv6VxlanTunnelAddr = "projectcalico.org/IPv6VXLANTunnelAddr";
    public const string VxlanTunnelMacAddrV6 = "projectcalico.org/VXLANTunnelMACAddrV6";
    public const string RouteReflectorClusterId = "projectcalico.org/RouteReflectorClusterID";
}
