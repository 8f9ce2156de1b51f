using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>
/// A node's claim on a block (Calico <c>BlockAffinity</c>). Name <c>&lt;node&gt;-&lt;cidr dashed&gt;</c>
/// (see <see cref="ResourceNames.AffinityName"/>).
/// </summary>
public sealed class BlockAffinity : Resource
{
    [JsonPropertyName("spec")] public BlockAffinitySpec Spec { get; set; } = new();
}

public sealed class BlockAffinitySpec
{
    /// <summary><see cref="BlockAffinityStates"/>: pending, confirmed, pendingDeletion.</summary>
    [JsonPropertyName("state")] public string State { get; set; } = BlockAffinityStates.Pending;
    [JsonPropertyName("node")] public string Node { get; set; } = "";
    [JsonPropertyName("cidr")] public string Cidr { get; set; } = "";
    /// <summary>A string in crd.projectcalico.org/v1: "true" or "false" (use <see cref="IsDeleted"/>).</summary>
    [JsonPropertyName("deleted")] public string Deleted { get; set; } = "false";
    /// <summary><c>host</c> or <c>virtual</c>; absent means host.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    [JsonIgnore]
    public bool IsDeleted
    {
        get => string.Equals(Deleted, "true", StringComparison.OrdinalIgnoreCase);
        set => Deleted = value ? "true" : "false";
    }
}

public static class BlockAffinityStates
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string PendingDeletion = "pendingDeletion";
    public static readonly IReadOnlyList<string> All = [Pending, Confirmed, PendingDeletion];
}
