using System.Collections.Frozen;

namespace Tabby.Felix.Netlink.Wire;

/// <summary>How an attribute's value must look.</summary>
public enum AttributeShape
{
    U8,
    U16,
    U32,
    /// <summary>4 bytes for IPv4 or 16 for IPv6, matching the message family when known.</summary>
    Address,
    /// <summary>6-byte Ethernet address (other lengths are legal for other link types; checked as at least 1 byte).</summary>
    LinkLayerAddress,
    String,
    Nested,
    Binary,
}

/// <summary>
/// Per-message validation table: expected shape and name of each attribute the parser reads.
/// Parsers call <see cref="Check"/> before interpreting a value, so a short or oversized value is
/// reported with the message and attribute names instead of being misread. Unknown attributes
/// are skipped (newer kernels add attributes).
/// </summary>
public sealed class AttributePolicy
{
    private readonly FrozenDictionary<ushort, (string Name, AttributeShape Shape, int MinLength)> _entries;

    public AttributePolicy(string message, params (ushort Type, string Name, AttributeShape Shape)[] entries)
        : this(message, entries.Select(e => (e.Type, e.Name, e.Shape, 0)).ToArray())
    {
    }

    public AttributePolicy(string message, (ushort Type, string Name, AttributeShape Shape, int MinLength)[] entries)
    {
        Message = message;
        _entries = entries.ToFrozenDictionary(e => e.Type, e => (e.Name, e.Shape, e.MinLength));
    }

    public string Message { get; }

    /// <summary>Throws <see cref="NetlinkProtocolException"/> when a known attribute has the wrong size.</summary>
    public void Check(in NetlinkAttribute attribute, byte family = Family.Unspecified)
    {
        if (!_entries.TryGetValue(attribute.Type, out var entry))
        {
            return;
        }

        var length = attribute.Value.Length;
        var ok = entry.Shape switch
        {
            AttributeShape.U8 => length >= 1,
            AttributeShape.U16 => length >= 2,
            AttributeShape.U32 => length >= 4,
            AttributeShape.Address => family switch
            {
                Family.Inet => length == 4,
                Family.Inet6 => length == 16,
                _ => length is 4 or 16,
            },
            AttributeShape.LinkLayerAddress => length >= 1 && length <= 32,
            AttributeShape.String => true,
            AttributeShape.Nested => true,
            _ => true,
        } && length >= entry.MinLength;
        if (!ok)
        {
            throw new NetlinkProtocolException($"{Message}: attribute {entry.Name} has {length} bytes, expected {Expectation(entry.Shape, entry.MinLength, family)}");
        }
    }

    private static string Expectation(AttributeShape shape, int minLength, byte family) => shape switch
    {
        AttributeShape.U8 => "1",
        AttributeShape.U16 => "2",
        AttributeShape.U32 => "4",
        AttributeShape.Address => family == Family.Inet ? "4" : family == Family.Inet6 ? "16" : "4 or 16",
        AttributeShape.LinkLayerAddress => "1..32",
        _ => $"at least {minLength}",
    };
}
