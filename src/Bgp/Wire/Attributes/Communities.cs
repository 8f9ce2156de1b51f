using System.Globalization;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>A standard community (RFC 1997); well-known values print by name (IANA "BGP Well-known Communities").</summary>
public readonly record struct Community(uint Value)
{
    public const uint GracefulShutdown = 0xFFFF0000; // RFC 8326
    public const uint AcceptOwn = 0xFFFF0001; // RFC 7611
    public const uint LlgrStale = 0xFFFF0006; // RFC 9494
    public const uint NoLlgr = 0xFFFF0007; // RFC 9494
    public const uint Blackhole = 0xFFFF029A; // RFC 7999
    public const uint NoExport = 0xFFFFFF01; // RFC 1997
    public const uint NoAdvertise = 0xFFFFFF02; // RFC 1997
    public const uint NoExportSubconfed = 0xFFFFFF03; // RFC 1997
    public const uint NoPeer = 0xFFFFFF04; // RFC 3765

    public Community(ushort asn, ushort local) : this((uint)asn << 16 | local) { }

    public ushort Asn => (ushort)(Value >> 16);

    public ushort Local => (ushort)Value;

    /// <summary>The registered name of a well-known community, else null.</summary>
    public string? WellKnownName => Value switch
    {
        GracefulShutdown => "graceful-shutdown",
        AcceptOwn => "accept-own",
        LlgrStale => "llgr-stale",
        NoLlgr => "no-llgr",
        Blackhole => "blackhole",
        NoExport => "no-export",
        NoAdvertise => "no-advertise",
        NoExportSubconfed => "no-export-subconfed",
        NoPeer => "no-peer",
        _ => null,
    };

    /// <summary>"65000:100" or the well-known name.</summary>
    public override string ToString() => WellKnownName ?? $"{Asn}:{Local}";

    public static Community Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var v in new[] { GracefulShutdown, AcceptOwn, LlgrStale, NoLlgr, Blackhole, NoExport, NoAdvertise, NoExportSubconfed, NoPeer })
            if (new Community(v).WellKnownName == text) return new Community(v);
        var parts = text.Split(':');
        if (parts.Length != 2) throw new FormatException($"community '{text}' is not ASN:VALUE or a well-known name");
        return new Community(ushort.Parse(parts[0], CultureInfo.InvariantCulture), ushort.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}

/// <summary>An extended community (RFC 4360): 8 bytes, type and sub-type first.</summary>
public readonly record struct ExtendedCommunity(ulong Value)
{
    public byte TypeHigh => (byte)(Value >> 56);

    public byte SubType => (byte)(Value >> 48);

    /// <summary>Route target / route origin in their usual text forms (RFC 4360 sections 3.1-3.2, RFC 5668), else hex.</summary>
    public override string ToString()
    {
        string? kind = SubType switch { 0x02 => "rt", 0x03 => "soo", _ => null };
        int type = TypeHigh & 0x3F; // ignore the IANA-authority and transitive bits
        if (kind is not null)
        {
            switch (type)
            {
                case 0x00: // two-octet AS specific
                    return $"{kind}:{(ushort)(Value >> 32)}:{(uint)Value}";
                case 0x01: // IPv4 address specific
                    var ip = (uint)(Value >> 16);
                    return $"{kind}:{ip >> 24}.{(ip >> 16) & 0xFF}.{(ip >> 8) & 0xFF}.{ip & 0xFF}:{(ushort)Value}";
                case 0x02: // four-octet AS specific
                    return $"{kind}:{(uint)(Value >> 16)}:{(ushort)Value}";
            }
        }

        return $"0x{Value:x16}";
    }
}

/// <summary>A large community (RFC 8092 section 3): global administrator and two local data parts.</summary>
public readonly record struct LargeCommunity(uint GlobalAdministrator, uint LocalData1, uint LocalData2)
{
    public override string ToString() => $"{GlobalAdministrator}:{LocalData1}:{LocalData2}";
}

/// <summary>AGGREGATOR: the aggregating AS (4-octet after RFC 6793 merging) and its BGP identifier (RFC 4271 section 5.1.7).</summary>
public readonly record struct Aggregator(uint AsNumber, uint Address)
{
    public override string ToString() => $"{AsNumber} {Address >> 24}.{(Address >> 16) & 0xFF}.{(Address >> 8) & 0xFF}.{Address & 0xFF}";
}
