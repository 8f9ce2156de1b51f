namespace Tabby.Bgp.Config;

// The YAML shape of `tabbyctl bgp serve --config FILE` (camelCase keys; field names follow
// Calico's BGPConfiguration / BGPPeer / BGPFilter where an equivalent exists). Plain mutable
// classes for the deserializer; SpeakerConfigLoader validates and converts them.

public sealed class SpeakerConfigDocument
{
    public string? RouterId { get; set; }

    public uint AsNumber { get; set; }

    /// <summary>"0.0.0.0:179", "[::]:179"; default both on port 179.</summary>
    public List<string>? Listen { get; set; }

    public string? ClusterId { get; set; }

    public int? GracefulRestartTime { get; set; }

    public bool RestartingAfterGracefulRestart { get; set; }

    public bool AlwaysCompareMed { get; set; }

    public int? MaxAsPathLength { get; set; }

    /// <summary>Unix socket where `tabbyctl bgp status/routes` ask (default /run/tabby/bgp.sock).</summary>
    public string? StatusSocket { get; set; }

    public List<PeerDocument>? Peers { get; set; }

    public List<OriginateDocument>? Originate { get; set; }

    public Dictionary<string, PolicyDocument>? Policies { get; set; }
}

public sealed class PeerDocument
{
    public string? Name { get; set; }

    public string? Address { get; set; }

    public int? Port { get; set; }

    public uint AsNumber { get; set; }

    public uint? LocalAsNumber { get; set; }

    public string? Password { get; set; }

    public int? TtlSecurity { get; set; }

    public int? Multihop { get; set; }

    /// <summary>Auto, Self or Keep (Calico nextHopMode).</summary>
    public string? NextHopMode { get; set; }

    public string? NextHopIpv4 { get; set; }

    public string? NextHopIpv6 { get; set; }

    public int? KeepaliveTime { get; set; }

    public int? HoldTime { get; set; }

    public int? ConnectRetryTime { get; set; }

    public int? DelayOpenTime { get; set; }

    public int? MaxRestartTime { get; set; }

    public bool? GracefulRestart { get; set; }

    public bool Passive { get; set; }

    public bool RouteReflectorClient { get; set; }

    public int? MaxPrefixes { get; set; }

    /// <summary>Warn or Teardown.</summary>
    public string? MaxPrefixAction { get; set; }

    public int? MaxPrefixRestartTime { get; set; }

    public string? SourceAddress { get; set; }

    public int? AllowOwnAs { get; set; }

    public bool AddPathReceive { get; set; }

    public bool AddPathSend { get; set; }

    /// <summary>With addPathSend: "all" (default), or how many paths per prefix, best first ("2" or "best 2").</summary>
    public string? AddPathSendPaths { get; set; }

    public string? ImportPolicy { get; set; }

    public string? ExportPolicy { get; set; }
}

public sealed class OriginateDocument
{
    public string? Prefix { get; set; }

    public List<string>? Communities { get; set; }

    public List<string>? LargeCommunities { get; set; }

    public uint? LocalPref { get; set; }

    public uint? Med { get; set; }

    public string? NextHop { get; set; }
}

public sealed class PolicyDocument
{
    /// <summary>Accept or Reject when no rule matches.</summary>
    public string? DefaultAction { get; set; }

    public List<PolicyRuleDocument>? Rules { get; set; }
}

public sealed class PolicyRuleDocument
{
    /// <summary>Prefix matches: "10.0.0.0/8", "10.0.0.0/8 le 24", "not 10.0.0.0/8".</summary>
    public List<string>? Prefixes { get; set; }

    public List<string>? Communities { get; set; }

    public List<string>? LargeCommunities { get; set; }

    /// <summary>ipv4 or ipv6.</summary>
    public string? Family { get; set; }

    public uint? AsPathContains { get; set; }

    /// <summary>Accept or Reject.</summary>
    public string? Action { get; set; }

    public List<string>? AddCommunities { get; set; }

    public List<string>? RemoveCommunities { get; set; }

    public List<string>? AddLargeCommunities { get; set; }

    public uint? SetLocalPref { get; set; }

    public uint? SetMed { get; set; }

    public int? Prepend { get; set; }
}
