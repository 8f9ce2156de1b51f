using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Capabilities;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Fsm;

/// <summary>Builds our OPEN and checks the peer's against the configuration (RFC 4271 section 6.2, RFC 5492, RFC 6793).</summary>
public static class OpenNegotiation
{
    /// <summary>The OPEN we send: hold time, identifier, and every capability the settings enable.</summary>
    public static OpenMessage BuildOpen(SessionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var capabilities = new List<Capability>();
        foreach (var family in settings.Families) capabilities.Add(new MultiprotocolCapability(family));
        if (settings.RouteRefresh) capabilities.Add(EmptyCapability.RouteRefresh);
        if (settings.EnhancedRouteRefresh) capabilities.Add(EmptyCapability.EnhancedRouteRefresh);
        if (settings.ExtendedMessage) capabilities.Add(EmptyCapability.ExtendedMessage);
        if (settings.GracefulRestart is { } gr) capabilities.Add(gr);
        capabilities.Add(new FourOctetAsCapability(settings.LocalAs));
        if (settings.AddPath.Count > 0) capabilities.Add(new AddPathCapability(settings.AddPath));
        return OpenMessage.Create(settings.LocalAs, (ushort)settings.HoldTime.TotalSeconds, settings.RouterId, capabilities);
    }

    /// <summary>
    /// Validates the peer's OPEN and derives the session parameters; a violation throws
    /// <see cref="BgpProtocolException"/> carrying the NOTIFICATION to send.
    /// </summary>
    public static NegotiatedSession Negotiate(SessionSettings settings, OpenMessage local, OpenMessage remote)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);

        // RFC 6793 section 4.2.1: a 4-octet speaker takes the AS from the capability; AS_TRANS in
        // My AS without the capability can never match a configured AS.
        if (remote.AsNumber != settings.RemoteAs)
            throw new BgpProtocolException(BgpError.BadPeerAs($"peer announced AS {remote.AsNumber}, configured remote AS is {settings.RemoteAs}"));

        // RFC 6286 section 2.2: within one AS two speakers must not share an identifier.
        if (remote.BgpIdentifier == local.BgpIdentifier && settings.RemoteAs == settings.LocalAs)
            throw new BgpProtocolException(new BgpError((byte)BgpErrorCode.OpenMessageError, (byte)OpenMessageErrorSubcode.BadBgpIdentifier,
                ReadOnlyMemory<byte>.Empty, ErrorHandling.SessionReset, $"iBGP peer uses our own BGP identifier {remote.BgpIdentifierAddress}"));

        // RFC 5492 section 5: name the capabilities we need but the peer lacks.
        var missing = settings.RequiredCapabilities.Where(c => !remote.HasCapability(c)).ToList();
        if (missing.Count > 0)
        {
            var data = missing.SelectMany(c => local.Capabilities.FirstOrDefault(l => l.Code == (byte)c)?.ToBytes() ?? [(byte)c, 0]).ToArray();
            throw new BgpProtocolException(BgpError.UnsupportedCapability(data, $"peer lacks required capabilities: {string.Join(", ", missing.Select(c => CapabilityTable.NameOf((byte)c)))}"));
        }

        // RFC 4760 section 8: without any multiprotocol capability a peer speaks IPv4 unicast only.
        var remoteFamilies = remote.Families.ToList();
        if (remoteFamilies.Count == 0) remoteFamilies.Add(AfiSafi.Ipv4Unicast);
        var families = settings.Families.Where(remoteFamilies.Contains).ToList();
        if (families.Count == 0)
        {
            var data = local.Capabilities.OfType<MultiprotocolCapability>().SelectMany(c => c.ToBytes()).ToArray();
            throw new BgpProtocolException(BgpError.UnsupportedCapability(data,
                $"no address family in common: we support {string.Join(", ", settings.Families)}, the peer {string.Join(", ", remoteFamilies)}"));
        }

        // RFC 4271 section 4.2: the smaller hold time wins; 0 turns both timers off.
        var hold = TimeSpan.FromSeconds(Math.Min(local.HoldTimeSeconds, remote.HoldTimeSeconds));
        var keepalive = TimeSpan.Zero;
        if (hold > TimeSpan.Zero)
        {
            keepalive = hold / 3;
            if (settings.KeepaliveTime is { } k && k > TimeSpan.Zero && k < keepalive) keepalive = k;
            if (keepalive < TimeSpan.FromSeconds(1)) keepalive = TimeSpan.FromSeconds(1);
        }

        var (receive, send) = BgpSessionOptions.Negotiate(local, remote);
        return new NegotiatedSession
        {
            LocalOpen = local,
            RemoteOpen = remote,
            Receive = receive,
            Send = send,
            HoldTime = hold,
            KeepaliveTime = keepalive,
            Families = families,
        };
    }
}
