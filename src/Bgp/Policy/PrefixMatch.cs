using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Policy;

/// <summary>
/// Matches prefixes inside <see cref="Network"/> whose length lies in [MinLength, MaxLength]
/// ("10.0.0.0/8 ge 16 le 24"); with <see cref="Negate"/> it matches everything else. Calico's
/// BGPFilter operators map as: Equal = exact length, In = any length from the network's,
/// NotEqual / NotIn = the negated forms.
/// </summary>
public sealed record PrefixMatch(BgpPrefix Network, int MinLength, int MaxLength, bool Negate = false)
{
    public static PrefixMatch Exact(BgpPrefix network) => new(network, network.Length, network.Length);

    public static PrefixMatch OrLonger(BgpPrefix network) => new(network, network.Length, network.Afi == Wire.Afi.Ipv6 ? 128 : 32);

    /// <summary>Parses "198.51.100.0/24", "198.51.100.0/24 le 28", "10.0.0.0/8 ge 16 le 24" (ge/le as in FRR prefix lists).</summary>
    public static PrefixMatch Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var network = BgpPrefix.Parse(parts[0]);
        int max = network.Afi == Wire.Afi.Ipv6 ? 128 : 32;
        int ge = network.Length, le = network.Length;
        bool sawGe = false, sawLe = false;
        for (int i = 1; i < parts.Length; i += 2)
        {
            if (i + 1 >= parts.Length || !int.TryParse(parts[i + 1], System.Globalization.CultureInfo.InvariantCulture, out int v) || v < network.Length || v > max)
                throw new FormatException($"prefix match '{text}': '{parts[i]}' needs a length between {network.Length} and {max}");
            switch (parts[i])
            {
                case "ge": ge = v; sawGe = true; break;
                case "le": le = v; sawLe = true; break;
                default: throw new FormatException($"prefix match '{text}': unknown keyword '{parts[i]}' (ge or le)");
            }
        }

        if (sawGe && !sawLe) le = max;
        if (ge > le) throw new FormatException($"prefix match '{text}': ge {ge} is greater than le {le}");
        return new PrefixMatch(network, ge, le);
    }

    public bool Matches(BgpPrefix prefix)
    {
        bool inside = prefix.Afi == Network.Afi && prefix.Length >= MinLength && prefix.Length <= MaxLength && Covers(Network, prefix);
        return inside != Negate;
    }

    private static bool Covers(BgpPrefix network, BgpPrefix prefix)
    {
        if (prefix.Length < network.Length) return false;
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        network.WriteAddress(a);
        prefix.WriteAddress(b);
        int full = network.Length / 8, rest = network.Length % 8;
        if (!a[..full].SequenceEqual(b[..full])) return false;
        if (rest == 0) return true;
        byte mask = (byte)(0xFF << (8 - rest));
        return (a[full] & mask) == (b[full] & mask);
    }

    public override string ToString() => $"{(Negate ? "not " : "")}{Network} ge {MinLength} le {MaxLength}";
}
