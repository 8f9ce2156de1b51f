using System.Collections.Concurrent;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>
/// Makes equal attribute sets share one instance, so a RIB of a million routes holds a few
/// thousand sets (BIRD does the same with its attribute cache). Thread-safe. Sets stay until
/// <see cref="Release"/> is called; the RIB owns the reference counting.
/// </summary>
public sealed class AttributeSetInterner
{
    private readonly ConcurrentDictionary<PathAttributes, PathAttributes> _sets = new();

    /// <summary>Encoded attribute bytes already seen, so repeated sets skip decoding (see <see cref="AttributeEncodingCache"/>).</summary>
    internal AttributeEncodingCache Encodings { get; } = new();

    /// <summary>Number of distinct sets held.</summary>
    public int Count => _sets.Count;

    /// <summary>Returns the shared instance equal to <paramref name="attributes"/>, adding it if new.</summary>
    public PathAttributes Intern(PathAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return _sets.GetOrAdd(attributes, attributes);
    }

    /// <summary>Forgets a set no route uses any more.</summary>
    public bool Release(PathAttributes attributes) => _sets.TryRemove(attributes, out _);
}
