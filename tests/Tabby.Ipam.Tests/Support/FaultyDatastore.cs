using Tabby.Datastore.Resources;
using Tabby.Datastore.Store;

namespace Tabby.Ipam.Tests.Support;

/// <summary>How an injected write failure looks to the caller.</summary>
public enum FaultMode
{
    /// <summary>The write never reached the store.</summary>
    BeforeWrite,

    /// <summary>The write happened but the caller saw an error (a timeout after commit).</summary>
    AfterWrite,

    /// <summary>The write was refused as a compare-and-swap conflict.</summary>
    Conflict,
}

/// <summary>
/// Wraps a real store and fails the N-th write (create, update or delete) in the chosen way, so a
/// test can interrupt an IPAM operation at every step.
/// </summary>
public sealed class FaultyDatastore(IDatastore inner) : IDatastore
{
    private int _writes;
    private int _failAt = -1;
    private FaultMode _mode;

    /// <summary>Writes seen since the last <see cref="FailAt"/> / <see cref="Reset"/>.</summary>
    public int Writes => _writes;

    public string Description => "faulty " + inner.Description;

    public void FailAt(int write, FaultMode mode)
    {
        _writes = 0;
        _failAt = write;
        _mode = mode;
    }

    public void Reset()
    {
        _writes = 0;
        _failAt = -1;
    }

    public Task<T?> GetAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null, CancellationToken cancellationToken = default)
        where T : Resource => inner.GetAsync(kind, name, @namespace, cancellationToken);

    public Task<ResourceList<T>> ListAsync<T>(ResourceKind<T> kind, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : Resource => inner.ListAsync(kind, options, cancellationToken);

    public Task<T> CreateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource =>
        WriteAsync(kind, resource.Name, () => inner.CreateAsync(kind, resource, cancellationToken));

    public Task<T> UpdateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource =>
        WriteAsync(kind, resource.Name, () => inner.UpdateAsync(kind, resource, cancellationToken));

    public Task<T> DeleteAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null, DeleteOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource =>
        WriteAsync(kind, name, () => inner.DeleteAsync(kind, name, @namespace, options, cancellationToken));

    public IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceKind<T> kind, WatchOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource => inner.WatchAsync(kind, options, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async Task<T> WriteAsync<T>(ResourceKind kind, string name, Func<Task<T>> write)
    {
        var n = Interlocked.Increment(ref _writes);
        if (n != _failAt)
        {
            return await write();
        }

        switch (_mode)
        {
            case FaultMode.BeforeWrite:
                throw new DatastoreUnavailableException($"injected failure before write {n} ({kind.Kind} {name})");
            case FaultMode.Conflict:
                throw new ResourceConflictException(kind, name, null, $"injected conflict at write {n}");
            default:
                await write();
                throw new DatastoreUnavailableException($"injected failure after write {n} ({kind.Kind} {name})");
        }
    }
}
