using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>Calico namespaced <c>NetworkPolicy</c> (not the networking.k8s.io one).</summary>
public sealed class CalicoNetworkPolicy : Resource
{
    [JsonPropertyName("spec")] public NetworkPolicySpec Spec { get; set; } = new();
}

public sealed class NetworkPolicySpec : PolicySpecBase
{
}

/// <summary>Calico cluster-wide <c>GlobalNetworkPolicy</c>.</summary>
public sealed class GlobalNetworkPolicy : Resource
{
    [JsonPropertyName("spec")] public GlobalNetworkPolicySpec Spec { get; set; } = new();
}

public sealed class GlobalNetworkPolicySpec : PolicySpecBase
{
    [JsonPropertyName("namespaceSelector")] public string? NamespaceSelector { get; set; }
    [JsonPropertyName("doNotTrack")] public bool? DoNotTrack { get; set; }
    [JsonPropertyName("preDNAT")] public bool? PreDnat { get; set; }
    [JsonPropertyName("applyOnForward")] public bool? ApplyOnForward { get; set; }
}

/// <summary>A policy tier (Calico <c>Tier</c>): policies are evaluated tier by tier in order.</summary>
public sealed class Tier : Resource
{
    [JsonPropertyName("spec")] public TierSpec Spec { get; set; } = new();
}

public sealed class TierSpec
{
    [JsonPropertyName("order")] public double? Order { get; set; }
    /// <summary>Deny or Pass: what happens to traffic no policy of the tier decided.</summary>
    [JsonPropertyName("defaultAction")] public string? DefaultAction { get; set; }
}
