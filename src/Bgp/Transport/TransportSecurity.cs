namespace Tabby.Bgp.Transport;

/// <summary>Per-peer socket settings: TCP MD5 (RFC 2385), TTL / GTSM (RFC 5082), CS6 marking.</summary>
public sealed record TransportSecurity
{
    /// <summary>TCP MD5 signature password; null for none.</summary>
    public string? Password { get; init; }

    /// <summary>GTSM: the peer is at most this many hops away; packets go out with TTL 255 and must arrive with at least 256 - hops. 0 disables GTSM.</summary>
    public int TtlSecurityHops { get; init; }

    /// <summary>TTL of sent packets when GTSM is off (1 for directly connected eBGP, 64 for iBGP by default).</summary>
    public int Ttl { get; init; } = 64;

    public int EffectiveTtl => TtlSecurityHops > 0 ? 255 : Ttl;

    public int MinimumTtl => TtlSecurityHops > 0 ? 256 - TtlSecurityHops : 0;
}
