using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>Fields shared by Calico NetworkPolicy and GlobalNetworkPolicy specs.</summary>
public abstract class PolicySpecBase
{
    /// <summary>Absent means the <c>default</c> tier.</summary>
    [JsonPropertyName("tier")] public string? Tier { get; set; }
    /// <summary>Lower first; absent = after every ordered policy; ties broken by name.</summary>
    [JsonPropertyName("order")] public double? Order { get; set; }
    [JsonPropertyName("selector")] public string? Selector { get; set; }
    /// <summary>Ingress, Egress.</summary>
    [JsonPropertyName("types")] public List<string>? Types { get; set; }
    [JsonPropertyName("ingress")] public List<PolicyRule>? Ingress { get; set; }
    [JsonPropertyName("egress")] public List<PolicyRule>? Egress { get; set; }
    [JsonPropertyName("serviceAccountSelector")] public string? ServiceAccountSelector { get; set; }
    [JsonPropertyName("performanceHints")] public List<string>? PerformanceHints { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class PolicyRule
{
    /// <summary>Allow, Deny, Log, Pass.</summary>
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    /// <summary>4 or 6.</summary>
    [JsonPropertyName("ipVersion")] public int? IpVersion { get; set; }
    /// <summary>Name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite) or number 1-255.</summary>
    [JsonPropertyName("protocol")] public IntOrString? Protocol { get; set; }
    [JsonPropertyName("notProtocol")] public IntOrString? NotProtocol { get; set; }
    [JsonPropertyName("icmp")] public IcmpFields? Icmp { get; set; }
    [JsonPropertyName("notICMP")] public IcmpFields? NotIcmp { get; set; }
    [JsonPropertyName("source")] public EntityRule? Source { get; set; }
    [JsonPropertyName("destination")] public EntityRule? Destination { get; set; }
    [JsonPropertyName("http")] public JsonElement? Http { get; set; }
    [JsonPropertyName("metadata")] public RuleMetadata? Metadata { get; set; }
}

public sealed class IcmpFields
{
    [JsonPropertyName("type")] public int? Type { get; set; }
    [JsonPropertyName("code")] public int? Code { get; set; }
}

public sealed class EntityRule
{
    [JsonPropertyName("nets")] public List<string>? Nets { get; set; }
    [JsonPropertyName("notNets")] public List<string>? NotNets { get; set; }
    [JsonPropertyName("selector")] public string? Selector { get; set; }
    [JsonPropertyName("notSelector")] public string? NotSelector { get; set; }
    [JsonPropertyName("namespaceSelector")] public string? NamespaceSelector { get; set; }
    /// <summary>Port numbers, ranges <c>"8000:9000"</c> or named ports.</summary>
    [JsonPropertyName("ports")] public List<IntOrString>? Ports { get; set; }
    [JsonPropertyName("notPorts")] public List<IntOrString>? NotPorts { get; set; }
    [JsonPropertyName("serviceAccounts")] public ServiceAccountMatch? ServiceAccounts { get; set; }
    [JsonPropertyName("services")] public ServiceMatch? Services { get; set; }
}

public sealed class ServiceAccountMatch
{
    [JsonPropertyName("names")] public List<string>? Names { get; set; }
    [JsonPropertyName("selector")] public string? Selector { get; set; }
}

public sealed class ServiceMatch
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
}

public sealed class RuleMetadata
{
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

public static class PolicyActions
{
    public const string Allow = "Allow";
    public const string Deny = "Deny";
    public const string Log = "Log";
    public const string Pass = "Pass";
    public static readonly IReadOnlyList<string> All = [Allow, Deny, Log, Pass];
}
