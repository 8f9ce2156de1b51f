namespace Tabby.Felix.Policy.Model;

/// <summary>A Kubernetes namespace as policy sees it: its name and labels (for namespaceSelector).</summary>
public sealed record NamespaceInfo(string Name, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>Labels as Kubernetes sets them automatically (<c>kubernetes.io/metadata.name</c>) plus the given ones.</summary>
    public static NamespaceInfo Create(string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        var all = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["kubernetes.io/metadata.name"] = name,
        };
        return new NamespaceInfo(name, all);
    }
}
