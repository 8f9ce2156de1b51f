using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;

namespace Tabby.Ipam.Allocation;

/// <summary>
/// IPAMHandle bookkeeping: which blocks hold how many addresses of a handle. The count is raised
/// before a block is written and lowered after, so a crash in between leaves the handle counting
/// too much (harmless: release by handle then finds fewer) and never too little (a leak).
/// </summary>
internal sealed class HandleStore(IDatastore store, IpamOptions options)
{
    private static readonly ResourceKind<IPAMHandle> Kind = ResourceKinds.IPAMHandles;

    /// <summary>A delta that removes the block's entry whatever its count.</summary>
    public const int ClearBlock = int.MinValue;

    public async Task<IPAMHandle?> GetAsync(string handleId, CancellationToken cancellationToken)
    {
        var handle = await store.GetAsync(Kind, HandleNames.ObjectName(handleId), null, cancellationToken).ConfigureAwait(false);
        return handle is { Spec.Deleted: false } ? handle : null;
    }

    /// <summary>Completes a soft delete interrupted between marking and deleting.</summary>
    public async Task FinishSoftDeleteAsync(string handleId, CancellationToken cancellationToken)
    {
        var handle = await store.GetAsync(Kind, HandleNames.ObjectName(handleId), null, cancellationToken).ConfigureAwait(false);
        if (handle is { Spec.Deleted: true })
        {
            try
            {
                await store.DeleteAsync(Kind, handle.Name, null, new DeleteOptions { Uid = handle.Metadata.Uid }, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (ResourceNotFoundException)
            {
            }
            catch (ResourceConflictException)
            {
                IpamMetrics.Conflict("handle");
                // Re-created meanwhile: the new owner keeps it.
            }
        }
    }

    /// <summary>Adds <paramref name="delta"/> (may be negative) to the handle's count for a block.</summary>
    public async Task AdjustAsync(string handleId, string blockCidr, int delta, CancellationToken cancellationToken)
    {
        var name = HandleNames.ObjectName(handleId);
        for (var attempt = 0; attempt <= options.MaxConflictRetries; attempt++)
        {
            var handle = await store.GetAsync(Kind, name, null, cancellationToken).ConfigureAwait(false);
            try
            {
                if (handle is { Spec.Deleted: true })
                {
                    // A soft delete was interrupted between its two steps: finish it, then start afresh.
                    await store.DeleteAsync(Kind, name, null, new DeleteOptions { Uid = handle.Metadata.Uid }, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (handle is null)
                {
                    if (delta <= 0)
                    {
                        return;
                    }

                    await store.CreateAsync(Kind, new IPAMHandle
                    {
                        Metadata = new ObjectMeta { Name = name },
                        Spec = new IPAMHandleSpec { HandleId = handleId, Block = new() { [blockCidr] = delta } },
                    }, cancellationToken).ConfigureAwait(false);
                    return;
                }

                var count = delta == ClearBlock ? 0 : handle.Spec.Block.GetValueOrDefault(blockCidr) + delta;
                if (count > 0)
                {
                    handle.Spec.Block[blockCidr] = count;
                }
                else
                {
                    handle.Spec.Block.Remove(blockCidr);
                }

                if (handle.Spec.Block.Count == 0)
                {
                    await DeleteAsync(handle, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await store.UpdateAsync(Kind, handle, cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (ResourceConflictException)
            {
                IpamMetrics.Conflict("handle");
            }
            catch (ResourceAlreadyExistsException)
            {
            }
            catch (ResourceNotFoundException)
            {
            }
        }

        throw new IpamContentionException($"Max retries hit - excessive concurrent IPAM requests (handle {handleId})");
    }

    /// <summary>Soft delete (mark, then delete with the UID precondition), as Calico does on Kubernetes.</summary>
    private async Task DeleteAsync(IPAMHandle handle, CancellationToken cancellationToken)
    {
        handle.Spec.Deleted = true;
        var marked = await store.UpdateAsync(Kind, handle, cancellationToken).ConfigureAwait(false);
        try
        {
            await store.DeleteAsync(Kind, marked.Name, null,
                new DeleteOptions { Uid = marked.Metadata.Uid, ResourceVersion = marked.ResourceVersion }, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceConflictException)
        {
            IpamMetrics.Conflict("handle");
            // Someone re-used the handle after our mark; they own it now.
        }
        catch (ResourceNotFoundException)
        {
        }
    }
}
