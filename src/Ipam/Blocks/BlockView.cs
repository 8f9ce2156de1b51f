using System.Globalization;
using System.Net;
using Tabby.Datastore.Resources.Calico;
using Tabby.Ipam.Addressing;

namespace Tabby.Ipam.Blocks;

/// <summary>Read-only questions about a block as stored (Calico's IPAMBlock shape).</summary>
public readonly struct BlockView
{
    public BlockView(IPAMBlock block)
    {
        Block = block;
        if (!IPNetwork.TryParse(block.Spec.Cidr, out var cidr))
        {
            throw new IpamDataException($"block {block.Name}: spec.cidr \"{block.Spec.Cidr}\" is not a CIDR");
        }

        Cidr = cidr;
    }

    public IPAMBlock Block { get; }

    public IPNetwork Cidr { get; }

    public IPAMBlockSpec Spec => Block.Spec;

    public int Size => Spec.Allocations.Count;

    public int InUse => Spec.Allocations.Count(a => a is not null);

    public int Free => Spec.Unallocated.Count;

    public bool IsEmpty => InUse == 0;

    public string? AffinityHost => Affinity.HostOf(Spec.Affinity);

    public IPAddress AddressAt(int ordinal) => AddressMath.AddressAt(Cidr, ordinal);

    public int OrdinalOf(IPAddress address) => AddressMath.OrdinalOf(Cidr, address);

    /// <summary>The attribute entry of an allocated ordinal, or null when the ordinal is free.</summary>
    public AllocationAttribute? AttributeOf(int ordinal)
    {
        var index = Spec.Allocations[ordinal];
        return index is { } i && i >= 0 && i < Spec.Attributes.Count ? Spec.Attributes[i] : null;
    }

    /// <summary>The sequence number recorded when the ordinal was allocated (0 if none recorded).</summary>
    public ulong SequenceNumberOf(int ordinal) =>
        Spec.SequenceNumberForAllocation is { } map && map.TryGetValue(ordinal.ToString(CultureInfo.InvariantCulture), out var seq)
            ? seq
            : 0;

    /// <summary>Every allocated ordinal with its attribute entry.</summary>
    public IEnumerable<(int Ordinal, IPAddress Address, AllocationAttribute? Attribute)> Allocated()
    {
        for (var ordinal = 0; ordinal < Spec.Allocations.Count; ordinal++)
        {
            if (Spec.Allocations[ordinal] is not null)
            {
                yield return (ordinal, AddressAt(ordinal), AttributeOf(ordinal));
            }
        }
    }

    /// <summary>Addresses held by <paramref name="handleId"/> in this block.</summary>
    public int CountForHandle(string handleId) =>
        Allocated().Count(a => string.Equals(a.Attribute?.HandleId, handleId, StringComparison.Ordinal));

    /// <summary>
    /// Checks the invariants every stored block must keep (DESIGN.md): one slot per address, every
    /// ordinal either allocated or in the free list exactly once, attribute indices in range.
    /// </summary>
    public IReadOnlyList<string> CheckInvariants()
    {
        var problems = new List<string>();
        var expected = AddressMath.Size(Cidr);
        if ((UInt128)Spec.Allocations.Count != expected)
        {
            problems.Add($"allocations has {Spec.Allocations.Count} entries, the block holds {expected} addresses");
        }

        var seen = new HashSet<int>();
        foreach (var ordinal in Spec.Unallocated)
        {
            if (ordinal < 0 || ordinal >= Spec.Allocations.Count)
            {
                problems.Add($"unallocated ordinal {ordinal} is outside the block");
            }
            else if (!seen.Add(ordinal))
            {
                problems.Add($"ordinal {ordinal} is in unallocated twice");
            }
            else if (Spec.Allocations[ordinal] is not null)
            {
                problems.Add($"ordinal {ordinal} is both allocated and unallocated");
            }
        }

        for (var ordinal = 0; ordinal < Spec.Allocations.Count; ordinal++)
        {
            var index = Spec.Allocations[ordinal];
            if (index is null)
            {
                if (!seen.Contains(ordinal))
                {
                    problems.Add($"ordinal {ordinal} is neither allocated nor unallocated");
                }
            }
            else if (index < 0 || index >= Spec.Attributes.Count)
            {
                problems.Add($"ordinal {ordinal} points at attribute {index}, there are {Spec.Attributes.Count}");
            }
        }

        return problems;
    }
}
