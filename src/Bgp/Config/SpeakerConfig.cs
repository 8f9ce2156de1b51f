using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Config;

/// <summary>A validated standalone speaker configuration.</summary>
public sealed record SpeakerConfig(BgpSpeakerOptions Options, IReadOnlyList<PeerConfig> Peers,
    IReadOnlyList<(BgpPrefix Prefix, RouteAttributes Attributes)> Originate, string StatusSocket);
