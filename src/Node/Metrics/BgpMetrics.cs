using System.Diagnostics.Metrics;
using Tabby.Bgp.Fsm;
using Tabby.Node.Bgp;

namespace Tabby.Node.Metrics;

/// <summary>
/// Per-peer BGP metrics from the speaker's status: session state (BGP4-MIB bgpPeerState numbering,
/// 1 idle to 6 established, plus an established 0/1 gauge for alerts), prefixes received /
/// accepted / advertised / stale, messages in and out by type, flaps; and the Loc-RIB size.
/// </summary>
public sealed class BgpMetrics : IDisposable
{
    public const string MeterName = "Tabby.Bgp";

    private readonly Meter _meter = new(MeterName);

    public BgpMetrics(BgpService bgp)
    {
        IEnumerable<(Tabby.Bgp.Speaker.PeerStatus Peer, KeyValuePair<string, object?> Address, KeyValuePair<string, object?> Type)> Peers()
        {
            var types = bgp.PeerTypes;
            foreach (var peer in bgp.LastStatus?.Peers ?? [])
            {
                yield return (peer, new("peer", peer.Address), new("peer_type", types.GetValueOrDefault(peer.Address, "unknown")));
            }
        }

        _meter.CreateObservableGauge("tabby.bgp.peer.state",
            () => Peers().Select(p => new Measurement<int>((int)p.Peer.State + 1, p.Address, p.Type)),
            description: "BGP session state (1 idle, 2 connect, 3 active, 4 opensent, 5 openconfirm, 6 established).");
        _meter.CreateObservableGauge("tabby.bgp.peer.established",
            () => Peers().Select(p => new Measurement<int>(p.Peer.State == SessionState.Established ? 1 : 0, p.Address, p.Type)),
            description: "1 when the BGP session is Established.");
        _meter.CreateObservableGauge("tabby.bgp.peer.prefixes", () => Peers().SelectMany(p => new[]
        {
            new Measurement<long>(p.Peer.PrefixesReceived, p.Address, new("kind", "received")),
            new Measurement<long>(p.Peer.PrefixesAccepted, p.Address, new("kind", "accepted")),
            new Measurement<long>(p.Peer.PrefixesAdvertised, p.Address, new("kind", "advertised")),
            new Measurement<long>(p.Peer.StalePrefixes, p.Address, new("kind", "stale")),
        }), description: "Prefixes per peer: received, accepted by import policy, advertised, stale during a graceful restart.");
        _meter.CreateObservableCounter("tabby.bgp.peer.messages", () => Peers().SelectMany(p =>
            p.Peer.MessagesIn.Select(m => new Measurement<long>(m.Value, p.Address, new("direction", "in"), new("type", m.Key)))
                .Concat(p.Peer.MessagesOut.Select(m => new Measurement<long>(m.Value, p.Address, new("direction", "out"), new("type", m.Key))))),
            description: "BGP messages per peer by direction and type (open, update, notification, keepalive, routerefresh).");
        _meter.CreateObservableCounter("tabby.bgp.peer.flaps", () => Peers().Select(p => new Measurement<long>(p.Peer.FlapCount, p.Address)),
            description: "Times the session left Established.");
        _meter.CreateObservableGauge("tabby.bgp.rib.prefixes", () => bgp.LastStatus is { } s ? [new Measurement<long>(s.Prefixes)] : Array.Empty<Measurement<long>>(),
            description: "Prefixes in the Loc-RIB.");
        _meter.CreateObservableGauge("tabby.bgp.rib.paths", () => bgp.LastStatus is { } s ? [new Measurement<long>(s.Paths)] : Array.Empty<Measurement<long>>(),
            description: "Paths in the Loc-RIB.");
    }

    public void Dispose() => _meter.Dispose();
}
