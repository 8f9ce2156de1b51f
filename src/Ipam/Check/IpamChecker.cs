using System.Net;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Blocks;
using Tabby.Ipam.Gc;

namespace Tabby.Ipam.Check;

/// <summary>
/// Cross-checks every IPAM object against the others and, when given, against the workloads that
/// exist: block invariants, affinities vs blocks, handle counts vs allocations, leaked addresses,
/// addresses in use without an allocation. Read-only.
/// </summary>
public sealed class IpamChecker(IDatastore store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>A pending affinity older than this is a claim that died half-way.</summary>
    public TimeSpan PendingAffinityGrace { get; init; } = TimeSpan.FromMinutes(5);

    public async Task<IpamReport> CheckAsync(WorkloadInventory? inventory, CancellationToken cancellationToken = default)
    {
        var blocks = (await store.ListAsync(ResourceKinds.IPAMBlocks, null, cancellationToken).ConfigureAwait(false)).Items
            .Where(b => !b.Spec.Deleted).Select(b => new BlockView(b)).ToList();
        var affinities = (await store.ListAsync(ResourceKinds.BlockAffinities, null, cancellationToken).ConfigureAwait(false)).Items
            .Where(a => !a.Spec.IsDeleted).ToList();
        var handles = (await store.ListAsync(ResourceKinds.IPAMHandles, null, cancellationToken).ConfigureAwait(false)).Items
            .Where(h => !h.Spec.Deleted).ToList();
        var now = _time.GetUtcNow();
        var problems = new List<IpamProblem>();
        var leaked = new List<LeakedAddress>();

        CheckBlocks(blocks, problems);
        CheckAffinities(blocks, affinities, inventory, now, problems);
        CheckHandles(blocks, handles, problems);
        if (inventory is not null)
        {
            CheckWorkloads(blocks, inventory, problems, leaked);
        }

        return new IpamReport
        {
            CheckedAt = now,
            Blocks = blocks.Count,
            Allocations = blocks.Sum(b => b.InUse),
            Handles = handles.Count,
            InventoryChecked = inventory is not null,
            Problems = problems,
            LeakedAddresses = leaked,
        };
    }

    private static void CheckBlocks(List<BlockView> blocks, List<IpamProblem> problems)
    {
        foreach (var block in blocks)
        {
            foreach (var problem in block.CheckInvariants())
            {
                problems.Add(new IpamProblem(IpamProblemKinds.BlockInvariant, problem, block.Block.Name));
            }
        }

        // Blocks of pools with different block sizes could overlap if a pool were re-sliced.
        var ordered = blocks.OrderBy(b => b.Cidr.BaseAddress.GetAddressBytes(), ByteOrder.Instance).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i - 1].Cidr.Contains(ordered[i].Cidr.BaseAddress))
            {
                problems.Add(new IpamProblem(IpamProblemKinds.OverlappingBlocks,
                    $"blocks {ordered[i - 1].Cidr} and {ordered[i].Cidr} overlap", ordered[i].Block.Name));
            }
        }
    }

    private void CheckAffinities(List<BlockView> blocks, List<BlockAffinity> affinities, WorkloadInventory? inventory,
        DateTimeOffset now, List<IpamProblem> problems)
    {
        var blocksByCidr = blocks.ToDictionary(b => b.Cidr.ToString(), StringComparer.Ordinal);
        foreach (var affinity in affinities)
        {
            blocksByCidr.TryGetValue(affinity.Spec.Cidr, out var block);
            if (affinity.Spec.State == BlockAffinityStates.Pending)
            {
                if (affinity.Metadata.CreationTimestamp is { } created && now - created > PendingAffinityGrace)
                {
                    problems.Add(new IpamProblem(IpamProblemKinds.StalePendingAffinity,
                        $"affinity of {affinity.Spec.Node} to {affinity.Spec.Cidr} pending since {created:u}", block.Block?.Name));
                }

                continue;
            }

            if (block.Block is null)
            {
                problems.Add(new IpamProblem(IpamProblemKinds.AffinityWithoutBlock,
                    $"{affinity.Spec.Node} has a {affinity.Spec.State} affinity to {affinity.Spec.Cidr} but the block does not exist"));
            }
        }

        foreach (var block in blocks)
        {
            if (block.AffinityHost is not { } host)
            {
                continue;
            }

            var confirmed = affinities.Any(a => a.Spec.Node == host && a.Spec.Cidr == block.Cidr.ToString()
                                                && a.Spec.State != BlockAffinityStates.Pending);
            if (!confirmed && !affinities.Any(a => a.Spec.Node == host && a.Spec.Cidr == block.Cidr.ToString()))
            {
                problems.Add(new IpamProblem(IpamProblemKinds.BlockWithoutAffinity,
                    $"block {block.Cidr} is affine to {host} but {host} has no affinity object for it", block.Block.Name));
            }

            if (inventory is not null && !inventory.Nodes.Contains(host))
            {
                problems.Add(new IpamProblem(IpamProblemKinds.BlockOfDeletedNode,
                    $"block {block.Cidr} is affine to {host}, which does not exist ({block.InUse} addresses in use)", block.Block.Name));
            }
        }
    }

    private static void CheckHandles(List<BlockView> blocks, List<IPAMHandle> handles, List<IpamProblem> problems)
    {
        var actual = new Dictionary<(string Handle, string Block), int>();
        foreach (var block in blocks)
        {
            foreach (var (_, address, attribute) in block.Allocated())
            {
                if (attribute?.HandleId is not { } handle)
                {
                    continue;
                }

                var key = (handle, block.Cidr.ToString());
                actual[key] = actual.GetValueOrDefault(key) + 1;
            }
        }

        var recorded = new Dictionary<(string Handle, string Block), int>();
        foreach (var handle in handles)
        {
            foreach (var (cidr, count) in handle.Spec.Block)
            {
                recorded[(handle.Spec.HandleId, cidr)] = count;
            }

            if (!handle.Spec.Block.Keys.Any(cidr => actual.ContainsKey((handle.Spec.HandleId, cidr))))
            {
                problems.Add(new IpamProblem(IpamProblemKinds.OrphanHandle,
                    $"handle {handle.Spec.HandleId} holds no address in any block", Handle: handle.Spec.HandleId));
            }
        }

        var knownHandles = handles.Select(h => h.Spec.HandleId).ToHashSet(StringComparer.Ordinal);
        foreach (var ((handle, cidr), count) in actual)
        {
            if (!knownHandles.Contains(handle))
            {
                problems.Add(new IpamProblem(IpamProblemKinds.AllocationWithoutHandle,
                    $"{count} address(es) in {cidr} belong to handle {handle}, which does not exist", Handle: handle));
                continue;
            }

            var says = recorded.GetValueOrDefault((handle, cidr));
            if (says < count)
            {
                problems.Add(new IpamProblem(IpamProblemKinds.HandleUndercount,
                    $"handle {handle} counts {says} address(es) in {cidr}, the block has {count}", Handle: handle));
            }
        }

        foreach (var ((handle, cidr), says) in recorded)
        {
            var has = actual.GetValueOrDefault((handle, cidr));
            if (says > has && has > 0)
            {
                problems.Add(new IpamProblem(IpamProblemKinds.HandleOvercount,
                    $"handle {handle} counts {says} address(es) in {cidr}, the block has {has}", Handle: handle));
            }
        }
    }

    private static void CheckWorkloads(List<BlockView> blocks, WorkloadInventory inventory, List<IpamProblem> problems, List<LeakedAddress> leaked)
    {
        var allocated = new Dictionary<IPAddress, AllocationAttribute?>();
        foreach (var block in blocks)
        {
            foreach (var (ordinal, address, attribute) in block.Allocated())
            {
                allocated[address] = attribute;
                if (LeakRules.WhyLeaked(attribute, block.AffinityHost, inventory) is { } reason)
                {
                    problems.Add(new IpamProblem(IpamProblemKinds.LeakedAddress, $"{address} is allocated but {reason}",
                        block.Block.Name, address.ToString(), attribute?.HandleId));
                    leaked.Add(new LeakedAddress(address.ToString(), attribute?.HandleId, block.SequenceNumberOf(ordinal), reason));
                }
            }
        }

        var users = new Dictionary<IPAddress, string>();
        foreach (var pod in inventory.Pods.Values)
        {
            foreach (var address in pod.Addresses)
            {
                var who = $"{pod.Namespace}/{pod.Name}";
                if (users.TryGetValue(address, out var other))
                {
                    problems.Add(new IpamProblem(IpamProblemKinds.DuplicateUse, $"{address} is used by both {other} and {who}",
                        Address: address.ToString()));
                }

                users[address] = who;
                var inBlock = blocks.Any(b => b.Cidr.Contains(address));
                if (inBlock && !allocated.ContainsKey(address))
                {
                    problems.Add(new IpamProblem(IpamProblemKinds.InUseWithoutAllocation,
                        $"{address} is used by pod {who} but not allocated", Address: address.ToString()));
                }
            }
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y)
        {
            var length = x!.Length.CompareTo(y!.Length);
            return length != 0 ? length : x.AsSpan().SequenceCompareTo(y);
        }
    }
}
