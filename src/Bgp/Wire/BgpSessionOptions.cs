namespace Tabby.Bgp.Wire;

/// <summary>Which address families carry ADD-PATH path identifiers in one direction (RFC 7911).</summary>
[Flags]
public enum AddPathFamilies : byte
{
    None = 0,
    Ipv4Unicast = 1,
    Ipv6Unicast = 2,
}

/// <summary>
/// The encodings that depend on what a session negotiated, for one direction (decode what the peer
/// sends, or encode what we send). Decoding and encoding never guess these: the speaker derives
/// them from the two OPEN messages with <see cref="Negotiate"/>.
/// </summary>
public sealed record BgpSessionOptions
{
    /// <summary>Before OPEN is exchanged: 2-octet AS numbers, no ADD-PATH, 4096-byte messages.</summary>
    public static readonly BgpSessionOptions Default = new();

    /// <summary>Both sides announced 4-octet AS support: AS_PATH and AGGREGATOR carry 4-byte ASNs (RFC 6793 section 4.1).</summary>
    public bool FourOctetAs { get; init; }

    /// <summary>Both sides announced Extended Message: messages up to 65535 bytes (RFC 8654 section 3).</summary>
    public bool ExtendedMessage { get; init; }

    /// <summary>Families whose NLRI are prefixed with a 4-byte path identifier in this direction (RFC 7911 section 3).</summary>
    public AddPathFamilies AddPath { get; init; }

    /// <summary>
    /// The peer is in another AS (eBGP, not a confederation member): LOCAL_PREF it sends is
    /// discarded (RFC 7606 section 7.5) and LOCAL_PREF is not sent to it (RFC 4271 section 5.1.5).
    /// </summary>
    public bool ExternalPeer { get; init; }

    /// <summary>Largest message allowed in this direction.</summary>
    public int MaxMessageLength => ExtendedMessage ? BgpConstants.MaxExtendedMessageLength : BgpConstants.MaxMessageLength;

    /// <summary>True when NLRI of <paramref name="family"/> carry path identifiers.</summary>
    public bool HasPathId(AfiSafi family) =>
        (family == AfiSafi.Ipv4Unicast && (AddPath & AddPathFamilies.Ipv4Unicast) != 0)
        || (family == AfiSafi.Ipv6Unicast && (AddPath & AddPathFamilies.Ipv6Unicast) != 0);

    /// <summary>
    /// Derives the options for both directions from the OPEN we sent and the OPEN we received.
    /// ADD-PATH is per direction (RFC 7911 section 4): we receive path identifiers for a family when
    /// we announced Receive and the peer announced Send, and we send them in the opposite case.
    /// </summary>
    public static (BgpSessionOptions Receive, BgpSessionOptions Send) Negotiate(Messages.OpenMessage local, Messages.OpenMessage remote, bool externalPeer = false)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        bool fourOctet = local.FourOctetAs is not null && remote.FourOctetAs is not null;
        bool extended = local.HasCapability(Capabilities.CapabilityCode.ExtendedMessage) && remote.HasCapability(Capabilities.CapabilityCode.ExtendedMessage);
        AddPathFamilies receive = AddPathFamilies.None, send = AddPathFamilies.None;
        foreach (var family in new[] { AfiSafi.Ipv4Unicast, AfiSafi.Ipv6Unicast })
        {
            var flag = family == AfiSafi.Ipv4Unicast ? AddPathFamilies.Ipv4Unicast : AddPathFamilies.Ipv6Unicast;
            var ours = local.AddPathModeFor(family);
            var theirs = remote.AddPathModeFor(family);
            if ((ours & Capabilities.AddPathMode.Receive) != 0 && (theirs & Capabilities.AddPathMode.Send) != 0) receive |= flag;
            if ((ours & Capabilities.AddPathMode.Send) != 0 && (theirs & Capabilities.AddPathMode.Receive) != 0) send |= flag;
        }

        return (new BgpSessionOptions { FourOctetAs = fourOctet, ExtendedMessage = extended, AddPath = receive, ExternalPeer = externalPeer },
                new BgpSessionOptions { FourOctetAs = fourOctet, ExtendedMessage = extended, AddPath = send, ExternalPeer = externalPeer });
    }
}
