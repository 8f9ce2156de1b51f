using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>
/// One block of a pool and its allocations (Calico <c>IPAMBlock</c>). Name: the CIDR with '.', ':'
/// and '/' replaced by '-' (see <see cref="ResourceNames.BlockName"/>).
/// </summary>
public sealed class IPAMBlock : Resource
{
    [JsonPropertyName("spec")] public IPAMBlockSpec Spec { get; set; } = new();
}

public sealed class IPAMBlockSpec
{
    [JsonPropertyName("cidr")] public string Cidr { get; set; } = "";
    /// <summary><c>host:&lt;node&gt;</c>, <c>virtual:&lt;name&gt;</c>, or null for a block with no owner.</summary>
    [JsonPropertyName("affinity")] public string? Affinity { get; set; }
    [JsonPropertyName("affinityClaimTime")] public DateTimeOffset? AffinityClaimTime { get; set; }
    /// <summary>Index = ordinal in the block; value = index into <see cref="Attributes"/>; null = free.</summary>
    [JsonPropertyName("allocations")] public List<int?> Allocations { get; set; } = [];
    /// <summary>Free ordinals, FIFO: allocate from the head, release to the tail.</summary>
    [JsonPropertyName("unallocated")] public List<int> Unallocated { get; set; } = [];
    [JsonPropertyName("attributes")] public List<AllocationAttribute> Attributes { get; set; } = [];
    /// <summary>Incremented by every write of the block.</summary>
    [JsonPropertyName("sequenceNumber")] public ulong SequenceNumber { get; set; }
    /// <summary>Ordinal (as a decimal string) to the sequence number at which it was allocated.</summary>
    [JsonPropertyName("sequenceNumberForAllocation")] public Dictionary<string, ulong>? SequenceNumberForAllocation { get; set; }
    [JsonPropertyName("deleted")] public bool Deleted { get; set; }
    /// <summary>Legacy field of old Calico blocks (all affinities strict).</summary>
    [JsonPropertyName("strictAffinity")] public bool? StrictAffinity { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Who owns an allocation: the handle it is released by and descriptive attributes.</summary>
public sealed class AllocationAttribute
{
    [JsonPropertyName("handle_id")] public string? HandleId { get; set; }
    /// <summary>Keys: pod, namespace, node, type (ipipTunnelAddress, vxlanTunnelAddress), timestamp.</summary>
    [JsonPropertyName("secondary")] public Dictionary<string, string>? Secondary { get; set; }
    [JsonPropertyName("alternateOwnerAttrs")] public Dictionary<string, string>? AlternateOwnerAttrs { get; set; }
    [JsonPropertyName("releasedAt")] public DateTimeOffset? ReleasedAt { get; set; }
}

/// <summary>Keys of <see cref="AllocationAttribute.Secondary"/> Calico writes.</summary>
public static class AllocationAttributeKeys
{
    public const string Pod = "pod";
    public const string Namespace = "namespace";
    public const string Node = "node";
    public const string Type = "type";
    public const string Timestamp = "timestamp";
    public const string IpipTunnelAddress = "ipipTunnelAddress";
    public const string VxlanTunnelAddress = "vxlanTunnelAddress";
}
