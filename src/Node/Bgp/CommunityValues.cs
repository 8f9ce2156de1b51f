using System.Globalization;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Datastore.Resources.Calico;
using Community = Tabby.Bgp.Wire.Attributes.Community;

namespace Tabby.Node.Bgp;

/// <summary>A standard (RFC 1997) or large (RFC 8092) community, as Calico writes them.</summary>
public readonly record struct CommunityValue(Community? Standard, LargeCommunity? Large)
{
    /// <summary>
    /// Parses <c>aa:nn</c> (two 16-bit numbers) or <c>aa:nn:mm</c> (three 32-bit numbers), the two
    /// forms BGPConfiguration.communities and BGPFilter operations accept; <paramref name="field"/>
    /// names the setting in the error.
    /// </summary>
    public static CommunityValue Parse(string? text, string field)
    {
        var parts = (text ?? "").Split(':');
        if (parts.Length == 2 && ushort.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var asn)
            && ushort.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var local))
        {
            return new CommunityValue(new Community(asn, local), null);
        }

        if (parts.Length == 3 && uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var global)
            && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var data1)
            && uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var data2))
        {
            return new CommunityValue(null, new LargeCommunity(global, data1, data2));
        }

        throw new FormatException($"{field}: \"{text}\" is not a community (aa:nn with 16-bit numbers, or aa:nn:mm with 32-bit numbers)");
    }

    /// <summary>
    /// Resolves a prefixAdvertisements entry: the name of one of <paramref name="named"/>, else a
    /// literal value (Calico accepts both).
    /// </summary>
    public static CommunityValue Resolve(string text, IReadOnlyList<Datastore.Resources.Calico.Community> named, string field)
    {
        var definition = named.FirstOrDefault(c => c.Name == text);
        return definition is null ? Parse(text, field) : Parse(definition.Value, $"communities[{definition.Name}].value");
    }
}
