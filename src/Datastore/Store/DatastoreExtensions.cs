using Tabby.Datastore.Resources;

namespace Tabby.Datastore.Store;

/// <summary>Typed conveniences over <see cref="IDatastore"/>.</summary>
public static class DatastoreExtensions
{
    /// <summary>How many times <see cref="MutateAsync{T}"/> re-reads after a conflict before giving up.</summary>
    public const int DefaultMaxConflictRetries = 100;

    public static Task<T?> GetAsync<T>(this IDatastore store, string name, string? @namespace = null,
        CancellationToken cancellationToken = default) where T : Resource =>
        store.GetAsync(ResourceKinds.For<T>(), name, @namespace, cancellationToken);

    public static Task<ResourceList<T>> ListAsync<T>(this IDatastore store, ListOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource =>
        store.ListAsync(ResourceKinds.For<T>(), options, cancellationToken);

    public static Task<T> CreateAsync<T>(this IDatastore store, T resource, CancellationToken cancellationToken = default)
        where T : Resource => store.CreateAsync(ResourceKinds.For<T>(), resource, cancellationToken);

    public static Task<T> UpdateAsync<T>(this IDatastore store, T resource, CancellationToken cancellationToken = default)
        where T : Resource => store.UpdateAsync(ResourceKinds.For<T>(), resource, cancellationToken);

    public static Task<T> DeleteAsync<T>(this IDatastore store, string name, string? @namespace = null,
        DeleteOptions? options = null, CancellationToken cancellationToken = default) where T : Resource =>
        store.DeleteAsync(ResourceKinds.For<T>(), name, @namespace, options, cancellationToken);

    /// <summary>
    /// Read-modify-write with compare-and-swap: reads the object, applies <paramref name="mutate"/>
    /// to a fresh copy (return false to leave it unchanged) and writes it at the revision read; on a
    /// conflict reads again and re-applies. <paramref name="mutate"/> must be free of side effects
    /// because it may run several times.
    /// </summary>
    public static async Task<T> MutateAsync<T>(this IDatastore store, ResourceKind<T> kind, string name, string? @namespace,
        Func<T, bool> mutate, int maxRetries = DefaultMaxConflictRetries, CancellationToken cancellationToken = default)
        where T : Resource
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await store.GetAsync(kind, name, @namespace, cancellationToken).ConfigureAwait(false)
                ?? throw new ResourceNotFoundException(kind, name, @namespace);
            if (!mutate(current))
            {
                return current;
            }

            try
            {
                return await store.UpdateAsync(kind, current, cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceConflictException) when (attempt < maxRetries)
            {
                // Someone else wrote in between: re-read and re-apply on their version.
            }
        }
    }
}
