using System.Net;
using Microsoft.Extensions.Logging;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Addressing;
using Tabby.Ipam.Blocks;
using Tabby.Ipam.Pools;

namespace Tabby.Ipam.Allocation;

/// <summary>
/// Claims and releases block affinities in Calico's two phases. Claim: a <c>pending</c>
/// BlockAffinity, then the IPAMBlock with <c>affinity: host:NODE</c> (a block that already exists
/// with another owner is a lost race: undo and try the next), then <c>confirmed</c>. Release:
/// <c>pendingDeletion</c>, delete the block only if empty, then delete the affinity. Every step is
/// safe to repeat, so a claim interrupted at any point is finished by the next attempt of the same
/// node (block order is deterministic per node) or cleaned up by the garbage collector.
/// </summary>
internal sealed class BlockClaims(IDatastore store, IpamOptions options, TimeProvider time, ILogger logger)
{
    private static readonly ResourceKind<BlockAffinity> AffinityKind = ResourceKinds.BlockAffinities;
    private static readonly ResourceKind<IPAMBlock> BlockKind = ResourceKinds.IPAMBlocks;

    /// <summary>Every live affinity of a node (any state).</summary>
    public async Task<IReadOnlyList<BlockAffinity>> AffinitiesOfAsync(string host, CancellationToken cancellationToken)
    {
        var all = await store.ListAsync(AffinityKind, null, cancellationToken).ConfigureAwait(false);
        return all.Items.Where(a => a.Spec.Node == host && !a.Spec.IsDeleted && a.Spec.Type is null or "host").ToList();
    }

    /// <summary>
    /// Claims the first free block of <paramref name="pool"/> in this host's deterministic order;
    /// null when every block of the pool is taken.
    /// </summary>
    public async Task<IPAMBlock?> ClaimNextAsync(IpamPool pool, string host, CancellationToken cancellationToken)
    {
        var existing = (await store.ListAsync(BlockKind, null, cancellationToken).ConfigureAwait(false)).Items
            .Select(b => b.Spec.Cidr)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var candidate in BlockOrder(pool, host))
        {
            if (existing.Contains(candidate.ToString()))
            {
                continue;
            }

            var claimed = await TryClaimAsync(candidate, host, cancellationToken).ConfigureAwait(false);
            if (claimed is not null)
            {
                return claimed;
            }
        }

        return null;
    }

    /// <summary>
    /// Claims one block CIDR for <paramref name="host"/>. Returns the block, or null when another
    /// node owns it (our pending affinity is removed again).
    /// </summary>
    public async Task<IPAMBlock?> TryClaimAsync(IPNetwork cidr, string host, CancellationToken cancellationToken)
    {
        var affinityName = ResourceNames.AffinityName(host, cidr.ToString());

        // Phase 1: pending affinity (or our own from an interrupted claim).
        var affinity = await store.GetAsync(AffinityKind, affinityName, null, cancellationToken).ConfigureAwait(false);
        if (affinity is { Spec.State: BlockAffinityStates.PendingDeletion })
        {
            return null;
        }

        if (affinity is null)
        {
            try
            {
                affinity = await store.CreateAsync(AffinityKind, new BlockAffinity
                {
                    Metadata = new ObjectMeta { Name = affinityName },
                    Spec = new BlockAffinitySpec { State = BlockAffinityStates.Pending, Node = host, Cidr = cidr.ToString(), Type = "host" },
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceAlreadyExistsException)
            {
                return null; // a concurrent claim of our own node; let it finish
            }
        }

        // Phase 2: the block itself.
        var block = await store.GetAsync(BlockKind, ResourceNames.BlockName(cidr.ToString()), null, cancellationToken).ConfigureAwait(false);
        if (block is null)
        {
            try
            {
                block = await store.CreateAsync(BlockKind, BlockEdits.NewBlock(cidr, Affinity.ForHost(host), time.GetUtcNow()), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (ResourceAlreadyExistsException)
            {
                block = await store.GetAsync(BlockKind, ResourceNames.BlockName(cidr.ToString()), null, cancellationToken).ConfigureAwait(false);
            }
        }

        if (block is null || block.Spec.Deleted || !Affinity.IsHost(block.Spec.Affinity, host))
        {
            logger.LogDebug("Block {Cidr} went to {Owner} first; withdrawing the pending claim of {Host}", cidr, block?.Spec.Affinity, host);
            await DeleteAffinityAsync(affinityName, cancellationToken).ConfigureAwait(false);
            return null;
        }

        // Phase 3: confirm.
        await SetStateAsync(affinityName, BlockAffinityStates.Confirmed, from: null, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Claimed block {Cidr} for {Host}", cidr, host);
        return block;
    }

    /// <summary>
    /// Releases a node's affinity to a block: pendingDeletion, delete the block if it is empty, delete
    /// the affinity. A block that still holds addresses keeps its affinity (state back to confirmed)
    /// and false is returned.
    /// </summary>
    public async Task<bool> ReleaseAsync(string host, string cidr, CancellationToken cancellationToken)
    {
        var affinityName = ResourceNames.AffinityName(host, cidr);
        if (!await SetStateAsync(affinityName, BlockAffinityStates.PendingDeletion, from: null, cancellationToken).ConfigureAwait(false))
        {
            return true; // no affinity: nothing to release
        }

        var blockName = ResourceNames.BlockName(cidr);
        for (var attempt = 0; attempt <= options.MaxConflictRetries; attempt++)
        {
            var block = await store.GetAsync(BlockKind, blockName, null, cancellationToken).ConfigureAwait(false);
            if (block is null)
            {
                break;
            }

            if (!Affinity.IsHost(block.Spec.Affinity, host) && !block.Spec.Deleted)
            {
                break; // not ours (any more): only the affinity object goes
            }

            if (!new BlockView(block).IsEmpty)
            {
                await SetStateAsync(affinityName, BlockAffinityStates.Confirmed, from: BlockAffinityStates.PendingDeletion, cancellationToken)
                    .ConfigureAwait(false);
                return false;
            }

            try
            {
                // Soft delete: mark at the revision we checked empty, then delete with the UID.
                var marked = block.Spec.Deleted ? block : await store.UpdateAsync(BlockKind, BlockEdits.MarkDeleted(block), cancellationToken).ConfigureAwait(false);
                await store.DeleteAsync(BlockKind, blockName, null, new DeleteOptions { Uid = marked.Metadata.Uid, ResourceVersion = marked.ResourceVersion },
                    cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (ResourceConflictException)
            {
                IpamMetrics.Conflict("block");
                // An address was assigned after we looked; look again.
            }
            catch (ResourceNotFoundException)
            {
                break;
            }
        }

        await DeleteAffinityAsync(affinityName, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Released block {Cidr} of {Host}", cidr, host);
        return true;
    }

    /// <summary>Moves an affinity to <paramref name="state"/>; false when the affinity does not exist.</summary>
    public async Task<bool> SetStateAsync(string affinityName, string state, string? from, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= options.MaxConflictRetries; attempt++)
        {
            var affinity = await store.GetAsync(AffinityKind, affinityName, null, cancellationToken).ConfigureAwait(false);
            if (affinity is null || affinity.Spec.IsDeleted)
            {
                return false;
            }

            if (affinity.Spec.State == state || (from is not null && affinity.Spec.State != from))
            {
                return true;
            }

            affinity.Spec.State = state;
            try
            {
                await store.UpdateAsync(AffinityKind, affinity, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (ResourceConflictException)
            {
                IpamMetrics.Conflict("affinity");
            }
        }

        throw new IpamContentionException($"Max retries hit - excessive concurrent IPAM requests (affinity {affinityName})");
    }

    public async Task DeleteAffinityAsync(string affinityName, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= options.MaxConflictRetries; attempt++)
        {
            var affinity = await store.GetAsync(AffinityKind, affinityName, null, cancellationToken).ConfigureAwait(false);
            if (affinity is null)
            {
                return;
            }

            try
            {
                if (!affinity.Spec.IsDeleted)
                {
                    affinity.Spec.IsDeleted = true;
                    affinity = await store.UpdateAsync(AffinityKind, affinity, cancellationToken).ConfigureAwait(false);
                }

                await store.DeleteAsync(AffinityKind, affinityName, null, new DeleteOptions { Uid = affinity.Metadata.Uid }, cancellationToken)
                    .ConfigureAwait(false);
                return;
            }
            catch (ResourceConflictException)
            {
                IpamMetrics.Conflict("affinity");
            }
            catch (ResourceNotFoundException)
            {
                return;
            }
        }

        throw new IpamContentionException($"Max retries hit - excessive concurrent IPAM requests (affinity {affinityName})");
    }

    /// <summary>
    /// The blocks of a pool in this host's order: start at a block chosen by a stable hash of the
    /// host name and walk the pool from there, wrapping around.
    /// </summary>
    public static IEnumerable<IPNetwork> BlockOrder(IpamPool pool, string host)
    {
        var count = AddressMath.BlockCount(pool.Cidr, pool.BlockPrefix);
        var start = StableHash.Of(host) % count;
        for (UInt128 i = 0; i < count; i++)
        {
            yield return AddressMath.BlockAt(pool.Cidr, pool.BlockPrefix, (start + i) % count);
        }
    }
}
