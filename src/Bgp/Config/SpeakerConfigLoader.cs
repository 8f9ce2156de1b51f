using System.Globalization;
using System.Net;
using Tabby.Bgp.Policy;
using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Tabby.Bgp.Config;

/// <summary>Thrown for an invalid configuration; the message names the field (e.g. "peers[1].asNumber").</summary>
public sealed class SpeakerConfigException(string message) : Exception(message);

/// <summary>Reads and validates the YAML configuration of a standalone speaker.</summary>
public static class SpeakerConfigLoader
{
    public const string DefaultStatusSocket = "/run/tabby/bgp.sock";

    public static SpeakerConfig LoadFile(string path) => Parse(File.ReadAllText(path));

    public static SpeakerConfig Parse(string yaml)
    {
        SpeakerConfigDocument doc;
        try
        {
            doc = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<SpeakerConfigDocument>(yaml)
                ?? throw new SpeakerConfigException("configuration is empty");
        }
        catch (YamlException e)
        {
            throw new SpeakerConfigException($"line {e.Start.Line}, column {e.Start.Column}: {(e.InnerException ?? e).Message}");
        }

        return Convert(doc);
    }

    public static SpeakerConfig Convert(SpeakerConfigDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var routerId = Address(doc.RouterId, "routerId", required: true)!;
        if (doc.AsNumber == 0) throw new SpeakerConfigException("asNumber: required, must not be 0");
        var listen = (doc.Listen ?? ["0.0.0.0:179", "[::]:179"]).Select((l, i) => IPEndPoint.TryParse(l, out var e)
            ? (e.Port == 0 ? new IPEndPoint(e.Address, 179) : e)
            : throw new SpeakerConfigException($"listen[{i}]: '{l}' is not ADDRESS:PORT")).ToList();
        var policies = new Dictionary<string, RoutePolicy>(StringComparer.Ordinal);
        foreach (var (name, p) in doc.Policies ?? [])
            policies[name] = Policy(name, p);

        var options = new BgpSpeakerOptions
        {
            LocalAs = doc.AsNumber,
            RouterId = routerId,
            ListenEndpoints = listen,
            ClusterId = Address(doc.ClusterId, "clusterId", required: false),
            GracefulRestartTime = TimeSpan.FromSeconds(doc.GracefulRestartTime ?? 120),
            RestartingAfterGracefulRestart = doc.RestartingAfterGracefulRestart,
            MaxAsPathLength = doc.MaxAsPathLength ?? 255,
            Decision = new Rib.DecisionOptions { AlwaysCompareMed = doc.AlwaysCompareMed },
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new SpeakerConfigException(e.Message);
        }

        var peers = new List<PeerConfig>();
        var seen = new HashSet<IPAddress>();
        for (int i = 0; i < (doc.Peers?.Count ?? 0); i++)
        {
            var peer = Peer(doc.Peers![i], $"peers[{i}]", policies);
            if (!seen.Add(peer.Address)) throw new SpeakerConfigException($"peers[{i}].address: {peer.Address} is configured twice");
            peers.Add(peer);
        }

        var originate = new List<(BgpPrefix, RouteAttributes)>();
        for (int i = 0; i < (doc.Originate?.Count ?? 0); i++)
        {
            var o = doc.Originate![i];
            string at = $"originate[{i}]";
            originate.Add((Prefix(o.Prefix, at + ".prefix"), new RouteAttributes
            {
                Communities = Communities(o.Communities, at + ".communities"),
                LargeCommunities = LargeCommunities(o.LargeCommunities, at + ".largeCommunities"),
                LocalPreference = o.LocalPref,
                Med = o.Med,
                NextHop = Address(o.NextHop, at + ".nextHop", required: false),
            }));
        }

        return new SpeakerConfig(options, peers, originate, doc.StatusSocket ?? DefaultStatusSocket);
    }

    private static PeerConfig Peer(PeerDocument d, string at, Dictionary<string, RoutePolicy> policies)
    {
        var address = Address(d.Address, at + ".address", required: true)!;
        if (d.AsNumber == 0) throw new SpeakerConfigException($"{at}.asNumber: required, must not be 0");
        RoutePolicy Lookup(string? name, string field) => name is null ? RoutePolicy.AcceptAll
            : policies.TryGetValue(name, out var p) ? p : throw new SpeakerConfigException($"{at}.{field}: no policy named '{name}'");
        var peer = new PeerConfig
        {
            Address = address,
            Name = d.Name,
            Port = d.Port ?? 179,
            RemoteAs = d.AsNumber,
            LocalAs = d.LocalAsNumber,
            Password = d.Password,
            TtlSecurityHops = d.TtlSecurity ?? 0,
            Multihop = d.Multihop,
            NextHopMode = Enum<NextHopMode>(d.NextHopMode, at + ".nextHopMode") ?? NextHopMode.Auto,
            NextHopIpv4 = Address(d.NextHopIpv4, at + ".nextHopIpv4", required: false),
            NextHopIpv6 = Address(d.NextHopIpv6, at + ".nextHopIpv6", required: false),
            KeepaliveTime = Seconds(d.KeepaliveTime),
            HoldTime = Seconds(d.HoldTime) ?? TimeSpan.FromSeconds(90),
            ConnectRetryTime = Seconds(d.ConnectRetryTime) ?? TimeSpan.FromSeconds(5),
            DelayOpenTime = Seconds(d.DelayOpenTime),
            MaxRestartTime = Seconds(d.MaxRestartTime) ?? TimeSpan.FromSeconds(120),
            GracefulRestart = d.GracefulRestart ?? true,
            Passive = d.Passive,
            RouteReflectorClient = d.RouteReflectorClient,
            MaxPrefixes = d.MaxPrefixes,
            MaxPrefixAction = Enum<MaxPrefixAction>(d.MaxPrefixAction, at + ".maxPrefixAction") ?? MaxPrefixAction.Teardown,
            MaxPrefixRestartTime = Seconds(d.MaxPrefixRestartTime) ?? TimeSpan.FromSeconds(60),
            SourceAddress = Address(d.SourceAddress, at + ".sourceAddress", required: false),
            AllowOwnAs = d.AllowOwnAs ?? 0,
            AddPathReceive = d.AddPathReceive,
            AddPathSend = d.AddPathSend,
            AddPathSendMaxPaths = AddPathPaths(d.AddPathSendPaths, at + ".addPathSendPaths"),
            ImportPolicy = Lookup(d.ImportPolicy, "importPolicy"),
            ExportPolicy = Lookup(d.ExportPolicy, "exportPolicy"),
        };
        try
        {
            peer.Validate();
        }
        catch (ArgumentException e)
        {
            throw new SpeakerConfigException($"{at}: {e.Message}");
        }

        return peer;
    }

    /// <summary>"all" (or nothing) is 0; "N" or "best N" with N in 1..255.</summary>
    private static int AddPathPaths(string? text, string at)
    {
        if (text is null) return 0;
        var t = text.Trim();
        if (t.Equals("all", StringComparison.OrdinalIgnoreCase)) return 0;
        if (t.StartsWith("best ", StringComparison.OrdinalIgnoreCase)) t = t[5..].Trim();
        if (int.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 255) return n;
        throw new SpeakerConfigException($"{at}: '{text}' is not all, N or best N with N in 1..255");
    }

    private static RoutePolicy Policy(string name, PolicyDocument d)
    {
        string at = $"policies.{name}";
        var rules = new List<PolicyRule>();
        for (int i = 0; i < (d.Rules?.Count ?? 0); i++)
        {
            var r = d.Rules![i];
            string ra = $"{at}.rules[{i}]";
            var match = new PolicyMatch
            {
                Prefixes = (r.Prefixes ?? []).Select((p, j) => PrefixMatchOf(p, $"{ra}.prefixes[{j}]")).ToList(),
                Communities = Communities(r.Communities, ra + ".communities"),
                LargeCommunities = LargeCommunities(r.LargeCommunities, ra + ".largeCommunities"),
                Family = r.Family switch
                {
                    null => null,
                    "ipv4" => Afi.Ipv4,
                    "ipv6" => Afi.Ipv6,
                    _ => throw new SpeakerConfigException($"{ra}.family: '{r.Family}' is not ipv4 or ipv6"),
                },
                AsPathContains = r.AsPathContains,
            };
            var action = new PolicyAction
            {
                Accepts = Action(r.Action ?? "Accept", ra + ".action"),
                AddCommunities = Communities(r.AddCommunities, ra + ".addCommunities"),
                RemoveCommunities = Communities(r.RemoveCommunities, ra + ".removeCommunities"),
                AddLargeCommunities = LargeCommunities(r.AddLargeCommunities, ra + ".addLargeCommunities"),
                SetLocalPreference = r.SetLocalPref,
                SetMed = r.SetMed,
                Prepend = r.Prepend is { } n and (< 0 or > 32) ? throw new SpeakerConfigException($"{ra}.prepend: {n} is outside 0..32") : r.Prepend ?? 0,
            };
            rules.Add(new PolicyRule(match, action));
        }

        return new RoutePolicy(rules, Action(d.DefaultAction ?? "Reject", at + ".defaultAction") ? PolicyAction.Accept : PolicyAction.Reject, name);
    }

    private static bool Action(string text, string at) => text switch
    {
        "Accept" or "accept" => true,
        "Reject" or "reject" => false,
        _ => throw new SpeakerConfigException($"{at}: '{text}' is not Accept or Reject"),
    };

    private static PrefixMatch PrefixMatchOf(string text, string at)
    {
        try
        {
            bool negate = text.StartsWith("not ", StringComparison.Ordinal);
            var m = PrefixMatch.Parse(negate ? text[4..] : text);
            return negate ? m with { Negate = true } : m;
        }
        catch (FormatException e)
        {
            throw new SpeakerConfigException($"{at}: {e.Message}");
        }
    }

    private static IPAddress? Address(string? text, string at, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
            return required ? throw new SpeakerConfigException($"{at}: required") : null;
        return IPAddress.TryParse(text, out var a) ? a : throw new SpeakerConfigException($"{at}: '{text}' is not an IP address");
    }

    private static BgpPrefix Prefix(string? text, string at)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new SpeakerConfigException($"{at}: required");
        try
        {
            return BgpPrefix.Parse(text);
        }
        catch (FormatException)
        {
            throw new SpeakerConfigException($"{at}: '{text}' is not a CIDR");
        }
    }

    private static List<Community> Communities(List<string>? texts, string at)
    {
        var list = new List<Community>();
        for (int i = 0; i < (texts?.Count ?? 0); i++)
        {
            try
            {
                list.Add(Community.Parse(texts![i]));
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new SpeakerConfigException($"{at}[{i}]: '{texts![i]}' is not ASN:VALUE (each 0..65535) or a well-known community name");
            }
        }

        return list;
    }

    private static List<LargeCommunity> LargeCommunities(List<string>? texts, string at)
    {
        var list = new List<LargeCommunity>();
        for (int i = 0; i < (texts?.Count ?? 0); i++)
        {
            var parts = texts![i].Split(':');
            if (parts.Length != 3 || !uint.TryParse(parts[0], CultureInfo.InvariantCulture, out var g)
                || !uint.TryParse(parts[1], CultureInfo.InvariantCulture, out var l1) || !uint.TryParse(parts[2], CultureInfo.InvariantCulture, out var l2))
                throw new SpeakerConfigException($"{at}[{i}]: '{texts[i]}' is not GLOBAL:LOCAL1:LOCAL2 (RFC 8092)");
            list.Add(new LargeCommunity(g, l1, l2));
        }

        return list;
    }

    private static TimeSpan? Seconds(int? value) => value is { } v ? TimeSpan.FromSeconds(v) : null;

    private static T? Enum<T>(string? text, string at) where T : struct, System.Enum =>
        text is null ? null : System.Enum.TryParse<T>(text, ignoreCase: true, out var v) && System.Enum.IsDefined(v) ? v
            : throw new SpeakerConfigException($"{at}: '{text}' is not one of {string.Join(", ", System.Enum.GetNames<T>())}");
}
