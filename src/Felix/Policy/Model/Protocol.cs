using System.Globalization;

namespace Tabby.Felix.Policy.Model;

/// <summary>An IP protocol number with the names Calico accepts (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite).</summary>
public readonly record struct Protocol(byte Number)
{
    public static readonly Protocol Icmp = new(1);
    public static readonly Protocol Tcp = new(6);
    public static readonly Protocol Udp = new(17);
    public static readonly Protocol IcmpV6 = new(58);
    public static readonly Protocol Sctp = new(132);
    public static readonly Protocol UdpLite = new(136);

    /// <summary>Protocols that carry ports, so rules with ports are allowed on them.</summary>
    public bool HasPorts => Number is 6 or 17 or 132 or 136;

    public bool IsIcmp => Number is 1 or 58;

    /// <summary>Parses a name (any case) or a number 0-255; <paramref name="field"/> names the field in errors.</summary>
    public static Protocol Parse(string text, string field)
    {
        switch (text.Trim().ToUpperInvariant())
        {
            case "TCP": return Tcp;
            case "UDP": return Udp;
            case "ICMP": return Icmp;
            case "ICMPV6": return IcmpV6;
            case "SCTP": return Sctp;
            case "UDPLITE": return UdpLite;
        }

        if (byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return new Protocol(number);
        }

        throw new PolicyValidationException(field, $"unknown protocol \"{text}\" (TCP, UDP, SCTP, UDPLite, ICMP, ICMPv6 or 0-255)");
    }

    /// <summary>Name as nftables spells it (it also accepts numbers).</summary>
    public string NftName => Number switch
    {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        58 => "ipv6-icmp",
        132 => "sctp",
        136 => "udplite",
        _ => Number.ToString(CultureInfo.InvariantCulture),
    };

    public override string ToString() => Number switch
    {
        1 => "ICMP",
        6 => "TCP",
        17 => "UDP",
        58 => "ICMPv6",
        132 => "SCTP",
        136 => "UDPLite",
        _ => Number.ToString(CultureInfo.InvariantCulture),
    };
}
