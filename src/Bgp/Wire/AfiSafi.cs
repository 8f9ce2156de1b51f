namespace Tabby.Bgp.Wire;

/// <summary>Address Family Identifier values used here (IANA "Address Family Numbers").</summary>
public enum Afi : ushort
{
    Ipv4 = 1,
    Ipv6 = 2,
}

/// <summary>Subsequent Address Family Identifier values used here (RFC 4760 section 6).</summary>
public enum Safi : byte
{
    Unicast = 1,
    Multicast = 2,
}

/// <summary>An (AFI, SAFI) pair naming an address family on the wire (RFC 4760).</summary>
public readonly record struct AfiSafi(Afi Afi, Safi Safi)
{
    public static readonly AfiSafi Ipv4Unicast = new(Afi.Ipv4, Safi.Unicast);
    public static readonly AfiSafi Ipv6Unicast = new(Afi.Ipv6, Safi.Unicast);

    /// <summary>True for the families whose NLRI this codec decodes into prefixes.</summary>
    public bool IsUnicastIp => Safi == Safi.Unicast && (Afi == Afi.Ipv4 || Afi == Afi.Ipv6);

    /// <summary>Largest prefix length of the family, in bits.</summary>
    public int MaxPrefixLength => Afi == Afi.Ipv6 ? 128 : 32;

    /// <summary>"ipv4-unicast", "ipv6-unicast", or "afi-N/safi-M" for others.</summary>
    public override string ToString()
    {
        if (this == Ipv4Unicast) return "ipv4-unicast";
        if (this == Ipv6Unicast) return "ipv6-unicast";
        string afi = Afi switch { Afi.Ipv4 => "ipv4", Afi.Ipv6 => "ipv6", _ => $"afi-{(ushort)Afi}" };
        string safi = Safi switch { Safi.Unicast => "unicast", Safi.Multicast => "multicast", _ => $"safi-{(byte)Safi}" };
        return $"{afi}-{safi}";
    }
}
