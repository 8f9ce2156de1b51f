using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;

namespace Tabby.Ipam.Blocks;

/// <summary>
/// Deep copies of blocks. Block logic never edits a block read from the store: it edits a copy, and
/// only the copy that was saved successfully replaces what the caller knows (see DESIGN.md).
/// </summary>
internal static class BlockCopy
{
    public static IPAMBlock Clone(IPAMBlock block) => new()
    {
        ApiVersion = block.ApiVersion,
        Kind = block.Kind,
        Metadata = CloneMeta(block.Metadata),
        Extra = block.Extra is null ? null : new(block.Extra),
        Spec = new IPAMBlockSpec
        {
            Cidr = block.Spec.Cidr,
            Affinity = block.Spec.Affinity,
            AffinityClaimTime = block.Spec.AffinityClaimTime,
            Allocations = [.. block.Spec.Allocations],
            Unallocated = [.. block.Spec.Unallocated],
            Attributes = block.Spec.Attributes.Select(CloneAttribute).ToList(),
            SequenceNumber = block.Spec.SequenceNumber,
            SequenceNumberForAllocation = block.Spec.SequenceNumberForAllocation is null
                ? null
                : new(block.Spec.SequenceNumberForAllocation, StringComparer.Ordinal),
            Deleted = block.Spec.Deleted,
            StrictAffinity = block.Spec.StrictAffinity,
            Extra = block.Spec.Extra is null ? null : new(block.Spec.Extra),
        },
    };

    public static AllocationAttribute CloneAttribute(AllocationAttribute attribute) => new()
    {
        HandleId = attribute.HandleId,
        Secondary = attribute.Secondary is null ? null : new(attribute.Secondary, StringComparer.Ordinal),
        AlternateOwnerAttrs = attribute.AlternateOwnerAttrs is null ? null : new(attribute.AlternateOwnerAttrs, StringComparer.Ordinal),
        ReleasedAt = attribute.ReleasedAt,
    };

    private static ObjectMeta CloneMeta(ObjectMeta meta) => new()
    {
        Name = meta.Name,
        GenerateName = meta.GenerateName,
        Namespace = meta.Namespace,
        Uid = meta.Uid,
        ResourceVersion = meta.ResourceVersion,
        Generation = meta.Generation,
        CreationTimestamp = meta.CreationTimestamp,
        DeletionTimestamp = meta.DeletionTimestamp,
        Labels = meta.Labels is null ? null : new(meta.Labels, StringComparer.Ordinal),
        Annotations = meta.Annotations is null ? null : new(meta.Annotations, StringComparer.Ordinal),
        Finalizers = meta.Finalizers is null ? null : [.. meta.Finalizers],
        OwnerReferences = meta.OwnerReferences,
        Extra = meta.Extra is null ? null : new(meta.Extra),
    };
}
