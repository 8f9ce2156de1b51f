using Tabby.Datastore.Resources;

namespace Tabby.Datastore.Store;

/// <summary>
/// The one storage contract every backend (Kubernetes API, etcd v3, embedded) implements with the
/// same semantics, checked by one conformance suite:
/// <list type="bullet">
/// <item>Every write returns the stored object with a new <c>metadata.resourceVersion</c>; revisions
/// increase over the whole store (Kubernetes: they are opaque strings, compare only for equality).</item>
/// <item><see cref="UpdateAsync{T}"/> is compare-and-swap: it fails with
/// <see cref="ResourceConflictException"/> unless the object's resourceVersion is the stored one.</item>
/// <item><see cref="DeleteAsync{T}"/> may carry a resourceVersion and/or UID precondition.</item>
/// <item><see cref="WatchAsync{T}"/> from a list's revision delivers every later change, in order,
/// exactly once; it resumes by itself after a lost connection and throws
/// <see cref="RevisionTooOldException"/> when the revision is compacted (re-list, then watch again).</item>
/// </list>
/// Objects returned are fresh copies: callers may mutate them.
/// </summary>
public interface IDatastore : IAsyncDisposable
{
    /// <summary>What the store is and where, for logs and errors (never credentials).</summary>
    string Description { get; }

    /// <summary>The object, or null when it does not exist.</summary>
    Task<T?> GetAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null,
        CancellationToken cancellationToken = default) where T : Resource;

    /// <summary>Every object of the kind (in one namespace, or all when none is given) matching the options.</summary>
    Task<ResourceList<T>> ListAsync<T>(ResourceKind<T> kind, ListOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource;

    /// <summary>Creates the object; <see cref="ResourceAlreadyExistsException"/> when the name is taken.
    /// Any resourceVersion/uid on the input are ignored; the store assigns them.</summary>
    Task<T> CreateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource;

    /// <summary>Replaces the object if its stored resourceVersion equals the one given (required).</summary>
    Task<T> UpdateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource;

    /// <summary>
    /// Writes the status of an object whose kind has a status subresource (CalicoNodeStatus): on
    /// Kubernetes the <c>/status</c> endpoint (the only way to change a status there), elsewhere a
    /// compare-and-swap replace like <see cref="UpdateAsync{T}"/>.
    /// </summary>
    Task<T> UpdateStatusAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource =>
        UpdateAsync(kind, resource, cancellationToken);

    /// <summary>Deletes the object and returns its last state; <see cref="ResourceNotFoundException"/> when absent.</summary>
    Task<T> DeleteAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null, DeleteOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource;

    /// <summary>Changes after <see cref="WatchOptions.Revision"/> (or from now) until cancelled.</summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceKind<T> kind, WatchOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource;
}

/// <summary>Filters for list and watch.</summary>
public sealed record ListOptions
{
    /// <summary>Only this namespace (namespaced kinds); null for all namespaces.</summary>
    public string? Namespace { get; init; }

    /// <summary>Kubernetes label selector syntax: <c>a=b,c!=d,e in (x,y),!f,g</c>.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Kubernetes field selector syntax: <c>metadata.name=x,spec.nodeName!=y</c>.</summary>
    public string? FieldSelector { get; init; }
}

public sealed record WatchOptions
{
    /// <summary>Deliver changes after this revision (a list's revision or an object's resourceVersion);
    /// null: changes from now on.</summary>
    public string? Revision { get; init; }

    public string? Namespace { get; init; }

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Also yield <see cref="WatchEventType.Bookmark"/> events carrying the latest revision
    /// when nothing of interest changed (so a resume starts from a recent revision).</summary>
    public bool AllowBookmarks { get; init; }
}

public sealed record DeleteOptions
{
    /// <summary>Delete only if the stored object has this resourceVersion.</summary>
    public string? ResourceVersion { get; init; }

    /// <summary>Delete only if the stored object has this UID (not a re-created namesake).</summary>
    public string? Uid { get; init; }
}

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>One change. <see cref="Object"/> is the new state (Deleted: the last state); null for bookmarks.</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T? Object, string Revision) where T : Resource;
