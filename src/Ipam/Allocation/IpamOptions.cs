namespace Tabby.Ipam.Allocation;

public sealed record IpamOptions
{
    /// <summary>Compare-and-swap retries per object before giving up (Calico: 100).</summary>
    public int MaxConflictRetries { get; init; } = 100;
}
