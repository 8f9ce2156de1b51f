using Tabby.Datastore.Resources;

namespace Tabby.Datastore.Store;

/// <summary>Base of every datastore failure the caller may act upon.</summary>
public class DatastoreException : Exception
{
    public DatastoreException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    protected static string Describe(ResourceKind kind, string name, string? ns) =>
        ns is null ? $"{kind.Kind} \"{name}\"" : $"{kind.Kind} \"{ns}/{name}\"";
}

public sealed class ResourceNotFoundException : DatastoreException
{
    public ResourceNotFoundException(ResourceKind kind, string name, string? ns)
        : base($"{Describe(kind, name, ns)} not found")
    {
        Kind = kind;
        Name = name;
    }

    public ResourceKind Kind { get; }
    public string Name { get; }
}

public sealed class ResourceAlreadyExistsException : DatastoreException
{
    public ResourceAlreadyExistsException(ResourceKind kind, string name, string? ns)
        : base($"{Describe(kind, name, ns)} already exists")
    {
        Kind = kind;
        Name = name;
    }

    public ResourceKind Kind { get; }
    public string Name { get; }
}

/// <summary>A compare-and-swap or precondition failed: someone else changed the object. Re-read and retry.</summary>
public sealed class ResourceConflictException : DatastoreException
{
    public ResourceConflictException(ResourceKind kind, string name, string? ns, string detail)
        : base($"{Describe(kind, name, ns)} was modified concurrently: {detail}")
    {
        Kind = kind;
        Name = name;
    }

    public ResourceKind Kind { get; }
    public string Name { get; }
}

/// <summary>The watch/list revision has been compacted away: list again and watch from the new revision.</summary>
public sealed class RevisionTooOldException : DatastoreException
{
    public RevisionTooOldException(string revision, string detail)
        : base($"revision {revision} is too old: {detail}")
    {
        Revision = revision;
    }

    public string Revision { get; }
}

/// <summary>The backend cannot be reached or answered unexpectedly; retrying later may help.</summary>
public sealed class DatastoreUnavailableException : DatastoreException
{
    public DatastoreUnavailableException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>The object was rejected (by our validation or by the server), with the offending fields.</summary>
public sealed class ResourceInvalidException : DatastoreException
{
    public ResourceInvalidException(string what, IReadOnlyList<Validation.FieldError> errors)
        : base($"{what} is invalid: " + string.Join("; ", errors.Select(e => e.ToString())))
    {
        Errors = errors;
    }

    public IReadOnlyList<Validation.FieldError> Errors { get; }
}
