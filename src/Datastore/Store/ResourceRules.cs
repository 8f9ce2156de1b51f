using Tabby.Datastore.Resources;
using Tabby.Datastore.Validation;

namespace Tabby.Datastore.Store;

/// <summary>Rules every backend applies the same way to the objects it is given.</summary>
internal static class ResourceRules
{
    internal static string RequireName(ResourceKind kind, Resource resource) =>
        string.IsNullOrEmpty(resource.Metadata.Name)
            ? throw new ResourceInvalidException(kind.Kind, [new FieldError("metadata.name", "is required")])
            : resource.Metadata.Name;

    internal static string RequireResourceVersion(Resource resource) =>
        string.IsNullOrEmpty(resource.Metadata.ResourceVersion)
            ? throw new ArgumentException("metadata.resourceVersion is required for an update (compare-and-swap); read the object first", nameof(resource))
            : resource.Metadata.ResourceVersion;

    /// <summary>The namespace an object lives in: required for namespaced kinds, none for cluster-scoped ones.</summary>
    internal static string? ScopeNamespace(ResourceKind kind, string? ns, string name)
    {
        if (!kind.Namespaced)
        {
            return null;
        }

        return string.IsNullOrEmpty(ns)
            ? throw new ResourceInvalidException($"{kind.Kind} \"{name}\"", [new FieldError("metadata.namespace", "is required for a namespaced kind")])
            : ns;
    }

    internal static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
