using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Blocks;

namespace Tabby.Ipam.Gc;

public sealed record IpamGcOptions
{
    /// <summary>How long an allocation must look leaked, in every run, before it is released (Calico: 15 min).</summary>
    public TimeSpan LeakGracePeriod { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How old a pending affinity must be before it counts as an interrupted claim.</summary>
    public TimeSpan PendingAffinityGracePeriod { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>What one garbage collection pass did.</summary>
public sealed record GcPassResult(
    IReadOnlyList<IPAddress> Released,
    int Suspects,
    IReadOnlyList<string> PendingAffinitiesResolved,
    IReadOnlyList<string> NodesCleaned);

/// <summary>
/// Finds and frees what IPAM leaked, conservatively. An allocation whose pod or node is gone becomes
/// a suspect; it is released only when it is still a suspect after the grace period, re-checked
/// against a fresh inventory and a fresh read of its block just before the release, and the
/// release is guarded by the sequence number and handle seen (so an address re-used meanwhile is
/// never freed). Pending affinities left by interrupted claims are completed or removed, and the
/// empty blocks of deleted nodes are released.
/// </summary>
public sealed class IpamGarbageCollector
{
    private readonly IpamAllocator _ipam;
    private readonly Func<CancellationToken, Task<WorkloadInventory>> _inventory;
    private readonly IpamGcOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<(string Address, string? Handle, ulong Sequence), DateTimeOffset> _suspects = [];

    public IpamGarbageCollector(IpamAllocator ipam, Func<CancellationToken, Task<WorkloadInventory>> inventory,
        IpamGcOptions? options = null, TimeProvider? time = null, ILogger<IpamGarbageCollector>? logger = null)
    {
        _ipam = ipam;
        _inventory = inventory;
        _options = options ?? new IpamGcOptions();
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public async Task<GcPassResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var store = _ipam.Store;
        var inventory = await _inventory(cancellationToken).ConfigureAwait(false);
        var blocks = (await store.ListAsync(ResourceKinds.IPAMBlocks, null, cancellationToken).ConfigureAwait(false)).Items
            .Where(b => !b.Spec.Deleted).Select(b => new BlockView(b)).ToList();
        if (inventory.Nodes.Count == 0 && blocks.Any(b => b.AffinityHost is not null))
        {
            // An empty node list next to owned blocks is a broken inventory, not a dead cluster.
            _logger.LogWarning("IPAM GC skipped: the inventory lists no nodes while {Blocks} blocks have owners", blocks.Count);
            return new GcPassResult([], _suspects.Count, [], []);
        }

        var now = _time.GetUtcNow();
        var due = new List<(string Address, string? Handle, ulong Sequence)>();
        var seen = new HashSet<(string, string?, ulong)>();
        foreach (var block in blocks)
        {
            foreach (var (ordinal, address, attribute) in block.Allocated())
            {
                if (LeakRules.WhyLeaked(attribute, block.AffinityHost, inventory) is not { } reason)
                {
                    continue;
                }

                var key = (address.ToString(), attribute?.HandleId, block.SequenceNumberOf(ordinal));
                seen.Add(key);
                if (!_suspects.TryGetValue(key, out var since))
                {
                    _suspects[key] = now;
                    _logger.LogInformation("IPAM GC: {Address} (handle {Handle}) looks leaked: {Reason}", address, attribute?.HandleId, reason);
                }
                else if (now - since >= _options.LeakGracePeriod)
                {
                    due.Add(key);
                }
            }
        }

        foreach (var key in _suspects.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _suspects.Remove(key); // its owner came back, or it was released
        }

        var released = await ReleaseDueAsync(due, cancellationToken).ConfigureAwait(false);
        var pending = await ResolvePendingAffinitiesAsync(now, cancellationToken).ConfigureAwait(false);
        var cleaned = await ReleaseDeletedNodesBlocksAsync(inventory, cancellationToken).ConfigureAwait(false);
        return new GcPassResult(released, _suspects.Count, pending, cleaned);
    }

    private async Task<List<IPAddress>> ReleaseDueAsync(List<(string Address, string? Handle, ulong Sequence)> due, CancellationToken cancellationToken)
    {
        var released = new List<IPAddress>();
        if (due.Count == 0)
        {
            return released;
        }

        // Re-check against a fresh inventory and fresh blocks just before releasing.
        var inventory = await _inventory(cancellationToken).ConfigureAwait(false);
        foreach (var (text, handle, sequence) in due)
        {
            var address = IPAddress.Parse(text);
            var current = await _ipam.GetAssignmentAsync(address, cancellationToken).ConfigureAwait(false);
            if (current is not { } assignment || assignment.SequenceNumber != sequence
                || !string.Equals(assignment.Attribute.HandleId, handle, StringComparison.Ordinal)
                || LeakRules.WhyLeaked(assignment.Attribute, Affinity.HostOf(assignment.Block.Spec.Affinity), inventory) is null)
            {
                _suspects.Remove((text, handle, sequence));
                continue;
            }

            var result = await _ipam.ReleaseAsync([new ReleaseRequest(address, sequence, handle)], cancellationToken).ConfigureAwait(false);
            released.AddRange(result.Released);
            _suspects.Remove((text, handle, sequence));
            _logger.LogWarning("IPAM GC released leaked address {Address} (handle {Handle})", address, handle);
        }

        return released;
    }

    private async Task<List<string>> ResolvePendingAffinitiesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var store = _ipam.Store;
        var resolved = new List<string>();
        var claims = _ipam.Claims;
        foreach (var affinity in (await store.ListAsync(ResourceKinds.BlockAffinities, null, cancellationToken).ConfigureAwait(false)).Items)
        {
            if (affinity.Spec.State != BlockAffinityStates.Pending || affinity.Spec.IsDeleted
                || affinity.Metadata.CreationTimestamp is not { } created || now - created < _options.PendingAffinityGracePeriod)
            {
                continue;
            }

            var block = await store.GetAsync(ResourceKinds.IPAMBlocks, ResourceNames.BlockName(affinity.Spec.Cidr), null, cancellationToken)
                .ConfigureAwait(false);
            if (block is { Spec.Deleted: false } && Affinity.IsHost(block.Spec.Affinity, affinity.Spec.Node))
            {
                await claims.SetStateAsync(affinity.Name, BlockAffinityStates.Confirmed, BlockAffinityStates.Pending, cancellationToken)
                    .ConfigureAwait(false);
            }
            else
            {
                await claims.DeleteAffinityAsync(affinity.Name, cancellationToken).ConfigureAwait(false);
            }

            resolved.Add(affinity.Name);
        }

        return resolved;
    }

    private async Task<List<string>> ReleaseDeletedNodesBlocksAsync(WorkloadInventory inventory, CancellationToken cancellationToken)
    {
        var cleaned = new List<string>();
        var affinities = (await _ipam.Store.ListAsync(ResourceKinds.BlockAffinities, null, cancellationToken).ConfigureAwait(false)).Items;
        foreach (var node in affinities.Select(a => a.Spec.Node).Distinct(StringComparer.Ordinal).Where(n => !inventory.Nodes.Contains(n)))
        {
            var kept = await _ipam.ReleaseHostAffinitiesAsync(node, cancellationToken).ConfigureAwait(false);
            if (kept.Count == 0)
            {
                cleaned.Add(node);
            }
        }

        return cleaned;
    }
}
