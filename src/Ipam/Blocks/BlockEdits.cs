using System.Globalization;
using System.Net;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Ipam.Addressing;

namespace Tabby.Ipam.Blocks;

/// <summary>What an assignment changed: the edited copy to save and the addresses it holds.</summary>
public sealed record BlockAssignment(IPAMBlock Updated, IReadOnlyList<IPAddress> Addresses);

/// <summary>One address to release, optionally guarded by the sequence number and handle it was allocated with.</summary>
public sealed record ReleaseRequest(IPAddress Address, ulong? SequenceNumber = null, string? HandleId = null);

/// <summary>What a release changed: the edited copy to save (null when nothing changed) and per-handle counts.</summary>
public sealed record BlockRelease(
    IPAMBlock? Updated,
    IReadOnlyList<IPAddress> Released,
    IReadOnlyList<IPAddress> NotAllocated,
    IReadOnlyList<IPAddress> Skipped,
    IReadOnlyDictionary<string, int> ReleasedPerHandle);

/// <summary>
/// Pure block logic on Calico's IPAMBlock shape. Every function takes a block as read from the
/// store, leaves it untouched, and returns an edited copy with the sequence number advanced; the
/// caller saves the copy with compare-and-swap and discards it when the save fails.
/// </summary>
public static class BlockEdits
{
    /// <summary>An empty block: every ordinal free, in ascending order (FIFO head first).</summary>
    public static IPAMBlock NewBlock(IPNetwork cidr, string? affinity, DateTimeOffset now)
    {
        var size = AddressMath.Size(cidr);
        if (size > 1u << 20)
        {
            throw new IpamRequestException($"block {cidr} is too large ({size} addresses)");
        }

        var count = (int)size;
        return new IPAMBlock
        {
            Metadata = new ObjectMeta { Name = ResourceNames.BlockName(cidr.ToString()) },
            Spec = new IPAMBlockSpec
            {
                Cidr = cidr.ToString(),
                Affinity = affinity,
                AffinityClaimTime = affinity is null ? null : now,
                Allocations = Enumerable.Repeat<int?>(null, count).ToList(),
                Unallocated = Enumerable.Range(0, count).ToList(),
                Attributes = [],
                SequenceNumber = 0,
                SequenceNumberForAllocation = [],
            },
        };
    }

    /// <summary>
    /// Takes up to <paramref name="count"/> free addresses from the head of the free list. Returns null
    /// when the block has no free address.
    /// </summary>
    public static BlockAssignment? Assign(IPAMBlock block, int count, string? handleId, IReadOnlyDictionary<string, string>? attributes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var view = new BlockView(block);
        if (view.Free == 0)
        {
            return null;
        }

        var updated = BlockCopy.Clone(block);
        var spec = updated.Spec;
        var sequence = Advance(spec);
        var attributeIndex = FindOrAddAttribute(spec, handleId, attributes);
        var taken = Math.Min(count, spec.Unallocated.Count);
        var addresses = new List<IPAddress>(taken);
        for (var i = 0; i < taken; i++)
        {
            var ordinal = spec.Unallocated[i];
            spec.Allocations[ordinal] = attributeIndex;
            spec.SequenceNumberForAllocation![Key(ordinal)] = sequence;
            addresses.Add(view.AddressAt(ordinal));
        }

        spec.Unallocated.RemoveRange(0, taken);
        return new BlockAssignment(updated, addresses);
    }

    /// <summary>Assigns one pinned address; throws <see cref="AddressInUseException"/> when it is taken.</summary>
    public static BlockAssignment AssignSpecific(IPAMBlock block, IPAddress address, string? handleId,
        IReadOnlyDictionary<string, string>? attributes)
    {
        var view = new BlockView(block);
        var ordinal = view.OrdinalOf(address);
        if (ordinal < 0)
        {
            throw new IpamRequestException($"{address} is not in block {view.Cidr}");
        }

        if (block.Spec.Allocations[ordinal] is not null)
        {
            var owner = view.AttributeOf(ordinal)?.HandleId ?? "(no handle)";
            throw new AddressInUseException($"{address} is already assigned (handle {owner})");
        }

        var updated = BlockCopy.Clone(block);
        var spec = updated.Spec;
        var sequence = Advance(spec);
        spec.Allocations[ordinal] = FindOrAddAttribute(spec, handleId, attributes);
        spec.SequenceNumberForAllocation![Key(ordinal)] = sequence;
        spec.Unallocated.Remove(ordinal);
        return new BlockAssignment(updated, [address]);
    }

    /// <summary>
    /// Frees addresses, each appended to the tail of the free list so reuse is delayed. An address
    /// whose recorded sequence number or handle differs from the request is skipped: it was
    /// released and handed to someone else since the caller looked (protects the new owner).
    /// </summary>
    public static BlockRelease Release(IPAMBlock block, IReadOnlyList<ReleaseRequest> requests)
    {
        var view = new BlockView(block);
        var updated = BlockCopy.Clone(block);
        var spec = updated.Spec;
        var released = new List<IPAddress>();
        var notAllocated = new List<IPAddress>();
        var skipped = new List<IPAddress>();
        var perHandle = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            var ordinal = view.OrdinalOf(request.Address);
            if (ordinal < 0)
            {
                throw new IpamRequestException($"{request.Address} is not in block {view.Cidr}");
            }

            if (spec.Allocations[ordinal] is not { } attributeIndex)
            {
                notAllocated.Add(request.Address);
                continue;
            }

            var attribute = spec.Attributes[attributeIndex];
            if ((request.SequenceNumber is { } expected && view.SequenceNumberOf(ordinal) != expected)
                || (request.HandleId is not null && !string.Equals(request.HandleId, attribute.HandleId, StringComparison.Ordinal)))
            {
                skipped.Add(request.Address);
                continue;
            }

            FreeOrdinal(spec, ordinal);
            released.Add(request.Address);
            if (attribute.HandleId is { } handle)
            {
                perHandle[handle] = perHandle.GetValueOrDefault(handle) + 1;
            }
        }

        if (released.Count == 0)
        {
            return new BlockRelease(null, released, notAllocated, skipped, perHandle);
        }

        Advance(spec);
        CompactAttributes(spec);
        return new BlockRelease(updated, released, notAllocated, skipped, perHandle);
    }

    /// <summary>Frees every address of a handle in this block.</summary>
    public static BlockRelease ReleaseByHandle(IPAMBlock block, string handleId)
    {
        var view = new BlockView(block);
        var requests = view.Allocated()
            .Where(a => string.Equals(a.Attribute?.HandleId, handleId, StringComparison.Ordinal))
            .Select(a => new ReleaseRequest(a.Address, HandleId: handleId))
            .ToList();
        return Release(block, requests);
    }

    /// <summary>A copy with a new affinity (claim, or hand-over of an orphaned block).</summary>
    public static IPAMBlock WithAffinity(IPAMBlock block, string? affinity, DateTimeOffset now)
    {
        var updated = BlockCopy.Clone(block);
        updated.Spec.Affinity = affinity;
        updated.Spec.AffinityClaimTime = affinity is null ? null : now;
        Advance(updated.Spec);
        return updated;
    }

    /// <summary>A copy marked deleted: the first half of Calico's soft delete.</summary>
    public static IPAMBlock MarkDeleted(IPAMBlock block)
    {
        var updated = BlockCopy.Clone(block);
        updated.Spec.Deleted = true;
        Advance(updated.Spec);
        return updated;
    }

    private static ulong Advance(IPAMBlockSpec spec)
    {
        spec.SequenceNumber++;
        spec.SequenceNumberForAllocation ??= [];
        return spec.SequenceNumber;
    }

    private static void FreeOrdinal(IPAMBlockSpec spec, int ordinal)
    {
        spec.Allocations[ordinal] = null;
        spec.Unallocated.Add(ordinal);
        spec.SequenceNumberForAllocation?.Remove(Key(ordinal));
    }

    private static int FindOrAddAttribute(IPAMBlockSpec spec, string? handleId, IReadOnlyDictionary<string, string>? attributes)
    {
        for (var i = 0; i < spec.Attributes.Count; i++)
        {
            var existing = spec.Attributes[i];
            if (string.Equals(existing.HandleId, handleId, StringComparison.Ordinal)
                && existing.ReleasedAt is null
                && SameSecondary(existing.Secondary, attributes))
            {
                return i;
            }
        }

        spec.Attributes.Add(new AllocationAttribute
        {
            HandleId = handleId,
            Secondary = attributes is null || attributes.Count == 0 ? null : new Dictionary<string, string>(attributes, StringComparer.Ordinal),
        });
        return spec.Attributes.Count - 1;
    }

    private static bool SameSecondary(Dictionary<string, string>? stored, IReadOnlyDictionary<string, string>? requested)
    {
        var storedCount = stored?.Count ?? 0;
        var requestedCount = requested?.Count ?? 0;
        if (storedCount != requestedCount)
        {
            return false;
        }

        return storedCount == 0 || requested!.All(kv => stored!.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    /// <summary>Drops attribute entries no allocation points at and renumbers the rest.</summary>
    private static void CompactAttributes(IPAMBlockSpec spec)
    {
        var used = new bool[spec.Attributes.Count];
        foreach (var index in spec.Allocations)
        {
            if (index is { } i)
            {
                used[i] = true;
            }
        }

        if (used.All(u => u))
        {
            return;
        }

        var remap = new int[used.Length];
        var kept = new List<AllocationAttribute>();
        for (var i = 0; i < used.Length; i++)
        {
            remap[i] = used[i] ? kept.Count : -1;
            if (used[i])
            {
                kept.Add(spec.Attributes[i]);
            }
        }

        for (var ordinal = 0; ordinal < spec.Allocations.Count; ordinal++)
        {
            if (spec.Allocations[ordinal] is { } i)
            {
                spec.Allocations[ordinal] = remap[i];
            }
        }

        spec.Attributes = kept;
    }

    private static string Key(int ordinal) => ordinal.ToString(CultureInfo.InvariantCulture);
}
