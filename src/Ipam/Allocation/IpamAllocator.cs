using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Addressing;
using Tabby.Ipam.Blocks;
using Tabby.Ipam.Pools;

namespace Tabby.Ipam.Allocation;

/// <summary>
/// Hands out and takes back pod and tunnel addresses, with Calico's algorithm and data model
/// (see DESIGN.md): the host's affine blocks first, then new blocks claimed in two phases up to the
/// per-host limit, then (without strict affinity) free addresses borrowed from other hosts' blocks.
/// Every write is compare-and-swap on the object's revision with bounded retries; a block is only
/// ever changed as a copy that is then saved.
/// </summary>
public sealed class IpamAllocator
{
    private static readonly ResourceKind<IPAMBlock> BlockKind = ResourceKinds.IPAMBlocks;

    private readonly IDatastore _store;
    private readonly IpamOptions _options;
    private readonly ILogger _logger;
    private readonly PoolSelection _poolSelection;
    private readonly HandleStore _handles;
    private readonly BlockClaims _claims;

    public IpamAllocator(IDatastore store, ISelectorMatcher selectors, IpamOptions? options = null, TimeProvider? time = null,
        ILogger<IpamAllocator>? logger = null)
    {
        _store = store;
        _options = options ?? new IpamOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _poolSelection = new PoolSelection(selectors);
        _handles = new HandleStore(store, _options);
        _claims = new BlockClaims(store, _options, time ?? TimeProvider.System, _logger);
    }

    public IDatastore Store => _store;

    internal BlockClaims Claims => _claims;

    /// <summary>Assigns addresses chosen by IPAM. On failure nothing of this request stays allocated.</summary>
    public async Task<AutoAssignResult> AutoAssignAsync(AutoAssignRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Host);
        if (request.IPv4Count < 0 || request.IPv6Count < 0 || request.IPv4Count + request.IPv6Count == 0)
        {
            throw new IpamRequestException("request at least one IPv4 or IPv6 address (counts must not be negative)");
        }

        var config = await LoadConfigAsync(cancellationToken).ConfigureAwait(false);
        var pools = (await _store.ListAsync(ResourceKinds.IPPools, null, cancellationToken).ConfigureAwait(false)).Items;
        var assigned = new List<AssignedAddress>();
        try
        {
            var v4 = request.IPv4Count == 0 ? [] : await AssignFamilyAsync(AddressFamily.InterNetwork, request.IPv4Count, request.IPv4Pools,
                request, config, pools, assigned, cancellationToken).ConfigureAwait(false);
            var v6 = request.IPv6Count == 0 ? [] : await AssignFamilyAsync(AddressFamily.InterNetworkV6, request.IPv6Count, request.IPv6Pools,
                request, config, pools, assigned, cancellationToken).ConfigureAwait(false);
            IpamMetrics.Operation("auto_assign", ok: true);
            IpamMetrics.Assigned(v4.Count + v6.Count);
            return new AutoAssignResult(v4, v6);
        }
        catch
        {
            IpamMetrics.Operation("auto_assign", ok: false);
            if (assigned.Count > 0)
            {
                _logger.LogWarning("Assignment for {Handle} failed part-way; returning {Count} addresses", request.HandleId, assigned.Count);
                await ReleaseAsync(assigned.Select(a => new ReleaseRequest(a.Address, HandleId: request.HandleId)).ToList(), CancellationToken.None)
                    .ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Assigns one pinned address (a requested pod IP, a tunnel address given by the operator).</summary>
    public async Task<AssignedAddress> AssignIpAsync(AssignIpRequest request, CancellationToken cancellationToken = default)
    {
        var pools = (await _store.ListAsync(ResourceKinds.IPPools, null, cancellationToken).ConfigureAwait(false)).Items;
        var pool = PoolSelection.Containing(pools, request.Address)
            ?? throw new IpamRequestException($"{request.Address} is not in any IP pool");
        var cidr = AddressMath.BlockContaining(request.Address, pool.BlockPrefix);
        var blockName = ResourceNames.BlockName(cidr.ToString());
        for (var attempt = 0; attempt <= _options.MaxConflictRetries; attempt++)
        {
            var block = await _store.GetAsync(BlockKind, blockName, null, cancellationToken).ConfigureAwait(false);
            if (block is null || block.Spec.Deleted)
            {
                // Nobody has the block: claim it for this host first.
                await _claims.TryClaimAsync(cidr, request.Host, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var assignment = BlockEdits.AssignSpecific(block, request.Address, request.HandleId, request.Attributes);
            if (await SaveAssignmentAsync(block, assignment, request.HandleId, cancellationToken).ConfigureAwait(false))
            {
                IpamMetrics.Operation("assign", ok: true);
                IpamMetrics.Assigned(1);
                return new AssignedAddress(request.Address, cidr, pool.Name);
            }
        }

        IpamMetrics.Operation("assign", ok: false);
        throw Contention(blockName);
    }

    /// <summary>Releases addresses (optionally guarded by sequence number / handle) and lowers their handles' counts.</summary>
    public async Task<ReleaseResult> ReleaseAsync(IReadOnlyList<ReleaseRequest> requests, CancellationToken cancellationToken = default)
    {
        var released = new List<IPAddress>();
        var notAllocated = new List<IPAddress>();
        var skipped = new List<IPAddress>();
        var blocks = (await _store.ListAsync(BlockKind, null, cancellationToken).ConfigureAwait(false)).Items
            .Where(b => !b.Spec.Deleted)
            .Select(b => new BlockView(b))
            .ToList();
        foreach (var group in requests.GroupBy(r => blocks.FirstOrDefault(b => b.Cidr.Contains(r.Address)).Block?.Name))
        {
            if (group.Key is null)
            {
                notAllocated.AddRange(group.Select(r => r.Address));
                continue;
            }

            var result = await ReleaseInBlockAsync(group.Key, block => BlockEdits.Release(block, group.ToList()), cancellationToken)
                .ConfigureAwait(false);
            released.AddRange(result.Released);
            notAllocated.AddRange(result.NotAllocated);
            skipped.AddRange(result.Skipped);
        }

        IpamMetrics.Operation("release", ok: true);
        IpamMetrics.Released(released.Count);
        return new ReleaseResult(released, notAllocated, skipped);
    }

    /// <summary>Releases every address of a handle (CNI DEL). Releasing an unknown handle is not an error.</summary>
    public async Task<IReadOnlyList<IPAddress>> ReleaseByHandleAsync(string handleId, CancellationToken cancellationToken = default)
    {
        var handle = await _handles.GetAsync(handleId, cancellationToken).ConfigureAwait(false);
        if (handle is null)
        {
            await _handles.FinishSoftDeleteAsync(handleId, cancellationToken).ConfigureAwait(false);
            return [];
        }

        var released = new List<IPAddress>();
        foreach (var cidr in handle.Spec.Block.Keys.ToList())
        {
            var result = await ReleaseInBlockAsync(ResourceNames.BlockName(cidr), block => BlockEdits.ReleaseByHandle(block, handleId), cancellationToken)
                .ConfigureAwait(false);
            released.AddRange(result.Released);
            // The handle holds nothing in this block any more: drop the entry, including an
            // over-count left by an interrupted assignment.
            await _handles.AdjustAsync(handleId, cidr, HandleStore.ClearBlock, cancellationToken).ConfigureAwait(false);
        }

        IpamMetrics.Operation("release_handle", ok: true);
        IpamMetrics.Released(released.Count);
        return released;
    }

    /// <summary>Releases every empty block affine to <paramref name="host"/> (node removed). Returns blocks kept because not empty.</summary>
    public async Task<IReadOnlyList<string>> ReleaseHostAffinitiesAsync(string host, CancellationToken cancellationToken = default)
    {
        var kept = new List<string>();
        foreach (var affinity in await _claims.AffinitiesOfAsync(host, cancellationToken).ConfigureAwait(false))
        {
            if (!await _claims.ReleaseAsync(host, affinity.Spec.Cidr, cancellationToken).ConfigureAwait(false))
            {
                kept.Add(affinity.Spec.Cidr);
            }
        }

        return kept;
    }

    /// <summary>The handle and attributes of an assigned address, or null when it is free / in no block.</summary>
    public async Task<(IPAMBlock Block, AllocationAttribute Attribute, ulong SequenceNumber)?> GetAssignmentAsync(IPAddress address,
        CancellationToken cancellationToken = default)
    {
        var blocks = (await _store.ListAsync(BlockKind, null, cancellationToken).ConfigureAwait(false)).Items;
        foreach (var block in blocks.Where(b => !b.Spec.Deleted))
        {
            var view = new BlockView(block);
            var ordinal = view.OrdinalOf(address);
            if (ordinal >= 0)
            {
                return view.AttributeOf(ordinal) is { } attribute ? (block, attribute, view.SequenceNumberOf(ordinal)) : null;
            }
        }

        return null;
    }

    /// <summary>The cluster IPAM settings (defaults when no IPAMConfig exists).</summary>
    public async Task<IPAMConfigSpec> LoadConfigAsync(CancellationToken cancellationToken = default)
    {
        var config = await _store.GetAsync(ResourceKinds.IPAMConfigs, IPAMConfig.DefaultName, null, cancellationToken).ConfigureAwait(false);
        return config?.Spec ?? new IPAMConfigSpec();
    }

    private async Task<List<AssignedAddress>> AssignFamilyAsync(AddressFamily family, int count, IReadOnlyList<string> requestedPools,
        AutoAssignRequest request, IPAMConfigSpec config, IReadOnlyList<IPPool> allPools, List<AssignedAddress> assigned,
        CancellationToken cancellationToken)
    {
        var pools = _poolSelection.Select(allPools, family, requestedPools, request.Use, request.HostLabels, request.NamespaceLabels);
        if (pools.Count == 0)
        {
            throw new IpamExhaustedException($"no {PoolSelection.FamilyName(family)} IP pool is usable by host {request.Host} for {request.Use}");
        }

        var result = new List<AssignedAddress>();
        var remaining = count;

        // 1. Blocks this host already owns.
        var affinities = await _claims.AffinitiesOfAsync(request.Host, cancellationToken).ConfigureAwait(false);
        foreach (var affinity in affinities)
        {
            if (remaining == 0)
            {
                break;
            }

            var pool = pools.FirstOrDefault(p => IPNetwork.TryParse(affinity.Spec.Cidr, out var c) && p.Cidr.Contains(c.BaseAddress));
            if (pool is null || affinity.Spec.State == BlockAffinityStates.PendingDeletion)
            {
                continue;
            }

            // An affinity whose claim was interrupted, or whose block vanished, is completed first.
            var block = await _store.GetAsync(BlockKind, ResourceNames.BlockName(affinity.Spec.Cidr), null, cancellationToken).ConfigureAwait(false);
            if (block is null || affinity.Spec.State == BlockAffinityStates.Pending)
            {
                if (await _claims.TryClaimAsync(IPNetwork.Parse(affinity.Spec.Cidr), request.Host, cancellationToken).ConfigureAwait(false) is null)
                {
                    continue;
                }
            }

            remaining -= await AssignFromBlockAsync(ResourceNames.BlockName(affinity.Spec.Cidr), pool, remaining, request, result, assigned,
                requireHost: request.Host, cancellationToken).ConfigureAwait(false);
        }

        // 2. New blocks, up to the per-host limit.
        var maxBlocks = request.MaxBlocksPerHost > 0 ? request.MaxBlocksPerHost : config.EffectiveMaxBlocksPerHost;
        var owned = affinities.Count;
        var limitHit = false;
        var poolsFull = new HashSet<string>(StringComparer.Ordinal);
        while (remaining > 0 && config.AutoAllocateBlocks)
        {
            if (owned >= maxBlocks)
            {
                limitHit = true;
                break;
            }

            IPAMBlock? claimed = null;
            IpamPool? from = null;
            foreach (var pool in pools.Where(p => !poolsFull.Contains(p.Name)))
            {
                claimed = await _claims.ClaimNextAsync(pool, request.Host, cancellationToken).ConfigureAwait(false);
                if (claimed is not null)
                {
                    from = pool;
                    break;
                }

                poolsFull.Add(pool.Name);
            }

            if (claimed is null)
            {
                break;
            }

            owned++;
            remaining -= await AssignFromBlockAsync(claimed.Name, from!, remaining, request, result, assigned, requireHost: request.Host,
                cancellationToken).ConfigureAwait(false);
        }

        // 3. Borrow from other hosts' blocks unless affinity is strict.
        if (remaining > 0 && !config.StrictAffinity)
        {
            var blocks = (await _store.ListAsync(BlockKind, null, cancellationToken).ConfigureAwait(false)).Items
                .Where(b => !b.Spec.Deleted && !Affinity.IsHost(b.Spec.Affinity, request.Host))
                .OrderBy(b => b.Name, StringComparer.Ordinal)
                .ToList();
            var random = new Random(StableHash.Seed(request.Host));
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(blocks));
            foreach (var block in blocks)
            {
                if (remaining == 0)
                {
                    break;
                }

                var view = new BlockView(block);
                var pool = pools.FirstOrDefault(p => p.Cidr.Contains(view.Cidr.BaseAddress));
                if (pool is null || view.Free == 0)
                {
                    continue;
                }

                remaining -= await AssignFromBlockAsync(block.Name, pool, remaining, request, result, assigned, requireHost: null, cancellationToken)
                    .ConfigureAwait(false);
            }
        }

        if (remaining > 0)
        {
            var names = string.Join(", ", pools.Select(p => $"{p.Name} ({p.Cidr})"));
            throw new IpamExhaustedException(limitHit && poolsFull.Count < pools.Count
                ? $"cannot allocate new block due to per host block limit ({maxBlocks}) for host {request.Host}; pools: {names}"
                : $"no free {PoolSelection.FamilyName(family)} address left in pool(s) {names} for host {request.Host}"
                  + (config.StrictAffinity ? " (strictAffinity: borrowing disabled)" : ""));
        }

        return result;
    }

    /// <summary>Takes up to <paramref name="count"/> addresses from one block; returns how many it got.</summary>
    private async Task<int> AssignFromBlockAsync(string blockName, IpamPool pool, int count, AutoAssignRequest request,
        List<AssignedAddress> result, List<AssignedAddress> assigned, string? requireHost, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= _options.MaxConflictRetries; attempt++)
        {
            var block = await _store.GetAsync(BlockKind, blockName, null, cancellationToken).ConfigureAwait(false);
            if (block is null || block.Spec.Deleted || (requireHost is not null && !Affinity.IsHost(block.Spec.Affinity, requireHost)))
            {
                return 0;
            }

            var assignment = BlockEdits.Assign(block, count, request.HandleId, request.Attributes);
            if (assignment is null)
            {
                return 0;
            }

            if (await SaveAssignmentAsync(block, assignment, request.HandleId, cancellationToken).ConfigureAwait(false))
            {
                var cidr = new BlockView(block).Cidr;
                var addresses = assignment.Addresses.Select(a => new AssignedAddress(a, cidr, pool.Name)).ToList();
                result.AddRange(addresses);
                assigned.AddRange(addresses);
                return addresses.Count;
            }
        }

        throw Contention(blockName);
    }

    /// <summary>
    /// Raises the handle count, then saves the block at the revision read; on a conflict lowers the
    /// count again and returns false so the caller re-reads.
    /// </summary>
    private async Task<bool> SaveAssignmentAsync(IPAMBlock original, BlockAssignment assignment, string? handleId, CancellationToken cancellationToken)
    {
        var cidr = original.Spec.Cidr;
        if (handleId is not null)
        {
            await _handles.AdjustAsync(handleId, cidr, assignment.Addresses.Count, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await _store.UpdateAsync(BlockKind, assignment.Updated, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is ResourceConflictException or ResourceNotFoundException)
        {
            IpamMetrics.Conflict("block");
            // The block was not written: take the count back. (After any other failure the write may
            // have happened, so the count stays: too high is harmless, too low would leak.)
            if (handleId is not null)
            {
                await _handles.AdjustAsync(handleId, cidr, -assignment.Addresses.Count, CancellationToken.None).ConfigureAwait(false);
            }

            return false;
        }
    }

    private async Task<BlockRelease> ReleaseInBlockAsync(string blockName, Func<IPAMBlock, BlockRelease> release, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= _options.MaxConflictRetries; attempt++)
        {
            var block = await _store.GetAsync(BlockKind, blockName, null, cancellationToken).ConfigureAwait(false);
            if (block is null || block.Spec.Deleted)
            {
                return new BlockRelease(null, [], [], [], new Dictionary<string, int>());
            }

            var result = release(block);
            if (result.Updated is null)
            {
                return result;
            }

            try
            {
                await _store.UpdateAsync(BlockKind, result.Updated, cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceConflictException)
            {
                IpamMetrics.Conflict("block");
                continue;
            }

            foreach (var (handle, released) in result.ReleasedPerHandle)
            {
                await _handles.AdjustAsync(handle, block.Spec.Cidr, -released, cancellationToken).ConfigureAwait(false);
            }

            return result;
        }

        throw Contention(blockName);
    }

    private static IpamContentionException Contention(string what) =>
        new($"Max retries hit - excessive concurrent IPAM requests (block {what})");
}
