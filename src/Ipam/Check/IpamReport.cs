using System.Text.Json.Serialization;

namespace Tabby.Ipam.Check;

/// <summary>The result of <c>tabbyctl ipam check</c>, also written as a JSON report file.</summary>
public sealed record IpamReport
{
    [JsonPropertyName("checkedAt")] public DateTimeOffset CheckedAt { get; init; }
    [JsonPropertyName("blocks")] public int Blocks { get; init; }
    [JsonPropertyName("allocations")] public int Allocations { get; init; }
    [JsonPropertyName("handles")] public int Handles { get; init; }
    [JsonPropertyName("inventoryChecked")] public bool InventoryChecked { get; init; }
    [JsonPropertyName("problems")] public IReadOnlyList<IpamProblem> Problems { get; init; } = [];

    /// <summary>Addresses judged leaked, for <c>ipam release --from-report</c>.</summary>
    [JsonPropertyName("leakedAddresses")] public IReadOnlyList<LeakedAddress> LeakedAddresses { get; init; } = [];
}

/// <summary>One finding. <see cref="Kind"/> is one of <see cref="IpamProblemKinds"/>.</summary>
public sealed record IpamProblem(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("block")] string? Block = null,
    [property: JsonPropertyName("address")] string? Address = null,
    [property: JsonPropertyName("handle")] string? Handle = null);

/// <summary>A leaked address with what is needed to release it safely (sequence number and handle).</summary>
public sealed record LeakedAddress(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("handle")] string? Handle,
    [property: JsonPropertyName("sequenceNumber")] ulong SequenceNumber,
    [property: JsonPropertyName("reason")] string Reason);

public static class IpamProblemKinds
{
    public const string BlockInvariant = "BlockInvariant";
    public const string OverlappingBlocks = "OverlappingBlocks";
    public const string AffinityWithoutBlock = "AffinityWithoutBlock";
    public const string BlockWithoutAffinity = "BlockWithoutAffinity";
    public const string StalePendingAffinity = "StalePendingAffinity";
    public const string BlockOfDeletedNode = "BlockOfDeletedNode";
    public const string HandleUndercount = "HandleUndercount";
    public const string HandleOvercount = "HandleOvercount";
    public const string AllocationWithoutHandle = "AllocationWithoutHandle";
    public const string OrphanHandle = "OrphanHandle";
    public const string LeakedAddress = "LeakedAddress";
    public const string InUseWithoutAllocation = "InUseWithoutAllocation";
    public const string DuplicateUse = "DuplicateUse";
}

[JsonSerializable(typeof(IpamReport))]
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
public sealed partial class IpamReportJsonContext : JsonSerializerContext;
