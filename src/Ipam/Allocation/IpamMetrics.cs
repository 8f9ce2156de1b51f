using System.Diagnostics.Metrics;

namespace Tabby.Ipam.Allocation;

/// <summary>
/// IPAM operations and datastore write conflicts (another host changed the block, affinity or
/// handle between our read and our compare-and-swap write; the operation re-reads and retries).
/// Exported by whichever process runs the allocator (the agent, the CNI plugin, tabbyctl).
/// </summary>
public static class IpamMetrics
{
    public const string MeterName = "Tabby.Ipam";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Operations = Meter.CreateCounter<long>("tabby.ipam.operations",
        description: "IPAM operations by kind (auto_assign, assign, release, release_handle, release_affinities) and result.");

    private static readonly Counter<long> Addresses = Meter.CreateCounter<long>("tabby.ipam.addresses",
        description: "Addresses assigned and released.");

    private static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("tabby.ipam.conflicts",
        description: "Compare-and-swap conflicts on IPAM resources (block, affinity, handle), each followed by a re-read.");

    public static void Operation(string kind, bool ok) =>
        Operations.Add(1, new KeyValuePair<string, object?>("operation", kind), new KeyValuePair<string, object?>("result", ok ? "ok" : "error"));

    public static void Assigned(int count) => Addresses.Add(count, new KeyValuePair<string, object?>("change", "assigned"));

    public static void Released(int count) => Addresses.Add(count, new KeyValuePair<string, object?>("change", "released"));

    public static void Conflict(string resource) => Conflicts.Add(1, new KeyValuePair<string, object?>("resource", resource));
}
