using System.Buffers.Binary;
using System.Net;
using Tabby.Bgp.Wire.Capabilities;
using Tabby.Bgp.Wire.Errors;

namespace Tabby.Bgp.Wire.Messages;

/// <summary>
/// OPEN: version, My Autonomous System, Hold Time, BGP Identifier and optional parameters
/// (RFC 4271 section 4.2); the only optional parameter in use is Capabilities (RFC 5492), in the
/// classic or the extended encoding (RFC 9072).
/// </summary>
public sealed class OpenMessage : BgpMessage
{
    /// <summary>Optional parameter type of Capabilities (RFC 5492 section 4).</summary>
    public const byte CapabilitiesParameter = 2;

    /// <summary>Marks the extended optional parameters length (RFC 9072 section 2).</summary>
    public const byte ExtendedLengthMarker = 255;

    public OpenMessage(ushort myAs, ushort holdTimeSeconds, uint bgpIdentifier, IReadOnlyList<Capability> capabilities, bool useExtendedParameters = false)
    {
        MyAs = myAs;
        HoldTimeSeconds = holdTimeSeconds;
        BgpIdentifier = bgpIdentifier;
        Capabilities = capabilities;
        UseExtendedParameters = useExtendedParameters;
    }

    /// <summary>Builds an OPEN for a (possibly 4-octet) AS: My AS carries AS_TRANS when it does not fit (RFC 6793 section 4.1).</summary>
    public static OpenMessage Create(uint asNumber, ushort holdTimeSeconds, IPAddress bgpIdentifier, IEnumerable<Capability> capabilities)
    {
        ArgumentNullException.ThrowIfNull(bgpIdentifier);
        Span<byte> id = stackalloc byte[4];
        if (!bgpIdentifier.TryWriteBytes(id, out int n) || n != 4)
            throw new ArgumentException("BGP identifier must be an IPv4 address", nameof(bgpIdentifier));
        return new OpenMessage(asNumber > ushort.MaxValue ? BgpConstants.AsTrans : (ushort)asNumber, holdTimeSeconds,
            BinaryPrimitives.ReadUInt32BigEndian(id), capabilities.ToList());
    }

    public override MessageType Type => MessageType.Open;

    public byte Version => BgpConstants.Version;

    /// <summary>The 2-octet My Autonomous System field (AS_TRANS for 4-octet ASes).</summary>
    public ushort MyAs { get; }

    public ushort HoldTimeSeconds { get; }

    public uint BgpIdentifier { get; }

    public IPAddress BgpIdentifierAddress => new(BinaryPrimitives.ReverseEndianness(BgpIdentifier));

    /// <summary>Every capability, in order, including unknown ones (<see cref="OpaqueCapability"/>).</summary>
    public IReadOnlyList<Capability> Capabilities { get; }

    /// <summary>Encode with the RFC 9072 extended parameters length (also chosen automatically above 255 bytes).</summary>
    public bool UseExtendedParameters { get; }

    /// <summary>The AS from the 4-octet AS capability, when present (RFC 6793 section 3).</summary>
    public uint? FourOctetAs => Capabilities.OfType<FourOctetAsCapability>().FirstOrDefault()?.AsNumber;

    /// <summary>The sender's AS: the 4-octet capability's value, else My AS.</summary>
    public uint AsNumber => FourOctetAs ?? MyAs;

    public bool HasCapability(CapabilityCode code) => Capabilities.Any(c => c.Code == (byte)code);

    /// <summary>The families announced with the multiprotocol capability (RFC 4760 section 8).</summary>
    public IEnumerable<AfiSafi> Families => Capabilities.OfType<MultiprotocolCapability>().Select(c => c.Family);

    /// <summary>The ADD-PATH mode announced for <paramref name="family"/> (RFC 7911 section 4).</summary>
    public AddPathMode AddPathModeFor(AfiSafi family)
    {
        var mode = Wire.Capabilities.AddPathMode.None;
        foreach (var c in Capabilities.OfType<AddPathCapability>()) mode |= c.ModeFor(family);
        return mode;
    }

    internal override void WriteBody(ref SpanWriter writer, BgpSessionOptions options)
    {
        writer.WriteByte(Version);
        writer.WriteUInt16(MyAs);
        writer.WriteUInt16(HoldTimeSeconds);
        writer.WriteUInt32(BgpIdentifier);
        int capabilitiesLength = 0;
        foreach (var c in Capabilities) capabilitiesLength += c.ToBytes().Length;
        bool extended = UseExtendedParameters || (Capabilities.Count > 0 && capabilitiesLength + 2 > 255);
        if (Capabilities.Count == 0)
        {
            writer.WriteByte(0);
            return;
        }

        if (extended)
        {
            // RFC 9072 section 2: Non-Ext OP Len 255, Non-Ext OP Type 255, then a 2-byte length,
            // and every parameter has a 2-byte length.
            writer.WriteByte(ExtendedLengthMarker);
            writer.WriteByte(ExtendedLengthMarker);
            int totalAt = writer.Reserve(2);
            writer.WriteByte(CapabilitiesParameter);
            int paramAt = writer.Reserve(2);
            foreach (var c in Capabilities) writer.Write(c.ToBytes());
            writer.PatchUInt16(paramAt, (ushort)(writer.Position - paramAt - 2));
            writer.PatchUInt16(totalAt, (ushort)(writer.Position - totalAt - 2));
        }
        else
        {
            // One Capabilities parameter holding every capability (RFC 5492 section 4 allows either).
            int totalAt = writer.Reserve(1);
            writer.WriteByte(CapabilitiesParameter);
            int paramAt = writer.Reserve(1);
            foreach (var c in Capabilities) writer.Write(c.ToBytes());
            writer.PatchByte(paramAt, (byte)(writer.Position - paramAt - 1));
            writer.PatchByte(totalAt, (byte)(writer.Position - totalAt - 1));
        }
    }

    /// <summary>Decodes an OPEN body; violations throw <see cref="BgpProtocolException"/> with the RFC 4271 section 6.2 error.</summary>
    public static OpenMessage Decode(ReadOnlySpan<byte> body)
    {
        if (body.Length < 10)
            throw new BgpProtocolException(BgpError.BadMessageLength(BgpConstants.HeaderLength + body.Length, $"OPEN shorter than {BgpConstants.MinOpenLength} bytes"));

        // RFC 4271 section 6.2: data is the largest version we support.
        if (body[0] != BgpConstants.Version)
            throw new BgpProtocolException(BgpError.Open(OpenMessageErrorSubcode.UnsupportedVersionNumber, [0, BgpConstants.Version], $"version {body[0]} is not 4"));

        ushort myAs = BinaryPrimitives.ReadUInt16BigEndian(body[1..]);
        ushort hold = BinaryPrimitives.ReadUInt16BigEndian(body[3..]);
        uint identifier = BinaryPrimitives.ReadUInt32BigEndian(body[5..]);

        // RFC 4271 section 6.2: a Hold Time of one or two seconds MUST be rejected.
        if (hold is 1 or 2)
            throw new BgpProtocolException(BgpError.UnacceptableHoldTime($"hold time {hold} s (must be 0 or at least 3)"));

        // RFC 6286 section 2.2: the identifier is any non-zero 4-octet value.
        if (identifier == 0)
            throw new BgpProtocolException(BgpError.Open(OpenMessageErrorSubcode.BadBgpIdentifier, default, "BGP identifier is 0"));

        int optLength = body[9];
        var rest = body[10..];
        bool extended = false;
        // RFC 9072 section 2: Non-Ext OP Len 255 followed by type 255 announces the extended encoding.
        if (optLength == ExtendedLengthMarker && rest.Length >= 1 && rest[0] == ExtendedLengthMarker)
        {
            if (rest.Length < 3) throw Malformed("extended optional parameters length is truncated");
            optLength = BinaryPrimitives.ReadUInt16BigEndian(rest[1..]);
            rest = rest[3..];
            extended = true;
        }

        if (optLength != rest.Length)
            throw Malformed($"optional parameters length {optLength} does not match the {rest.Length} bytes after it");

        var capabilities = new List<Capability>();
        int headerSize = extended ? 3 : 2;
        while (!rest.IsEmpty)
        {
            if (rest.Length < headerSize) throw Malformed($"optional parameter header truncated ({rest.Length} bytes left)");
            byte type = rest[0];
            int length = extended ? BinaryPrimitives.ReadUInt16BigEndian(rest[1..]) : rest[1];
            if (headerSize + length > rest.Length)
                throw Malformed($"optional parameter type {type} length {length} overruns the {rest.Length - headerSize} bytes left");
            var value = rest.Slice(headerSize, length);
            rest = rest[(headerSize + length)..];

            // RFC 4271 section 6.2: an unrecognized optional parameter is Unsupported Optional Parameter.
            if (type != CapabilitiesParameter)
                throw new BgpProtocolException(BgpError.Open(OpenMessageErrorSubcode.UnsupportedOptionalParameter, default, $"optional parameter type {type} is not Capabilities (2)"));
            DecodeCapabilities(value, capabilities);
        }

        return new OpenMessage(myAs, hold, identifier, capabilities, extended);
    }

    /// <summary>Capability TLVs: code (1), length (1), value (RFC 5492 section 4).</summary>
    private static void DecodeCapabilities(ReadOnlySpan<byte> value, List<Capability> into)
    {
        while (!value.IsEmpty)
        {
            if (value.Length < 2) throw Malformed("capability header truncated");
            byte code = value[0];
            int length = value[1];
            if (2 + length > value.Length)
                throw Malformed($"capability {CapabilityTable.NameOf(code)} length {length} overruns the {value.Length - 2} bytes left");
            var capability = CapabilityTable.Decode(code, value.Slice(2, length))
                ?? throw Malformed($"capability {CapabilityTable.NameOf(code)} has a malformed value of {length} bytes");
            into.Add(capability);
            value = value[(2 + length)..];
        }
    }

    /// <summary>
    /// Structural errors in the optional parameters have no dedicated subcode; RFC 4271 section 6.2
    /// lets us use OPEN Message Error with subcode 0 (Unspecific).
    /// </summary>
    private static BgpProtocolException Malformed(string description) =>
        new(BgpError.Open(OpenMessageErrorSubcode.Unspecific, default, description));

    public override string ToString() =>
        $"OPEN as {AsNumber} hold {HoldTimeSeconds} id {BgpIdentifierAddress} [{string.Join("; ", Capabilities)}]";
}
