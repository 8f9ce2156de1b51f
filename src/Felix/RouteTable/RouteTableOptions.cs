using Tabby.Felix.Netlink.Routes;

namespace Tabby.Felix.RouteTable;

public sealed record RouteTableOptions
{
    /// <summary>The routing table to program (main by default).</summary>
    public uint Table { get; init; } = RouteTables.Main;

    /// <summary>Routes carrying this protocol are ours; every other route is left alone (Felix uses 80).</summary>
    public byte Protocol { get; init; } = RouteProtocol.Felix;

    /// <summary>Full re-read of the kernel to repair drift nobody told us about (Felix: 90 s).</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>First retry delay after a failed change; doubles per failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>What one reconcile pass did.</summary>
public sealed record ReconcileResult(int Added, int Replaced, int Deleted, int Failed, int WaitingForInterface, bool Resynced, DateTimeOffset? NextRetry)
{
    public int Changes => Added + Replaced + Deleted;
}
