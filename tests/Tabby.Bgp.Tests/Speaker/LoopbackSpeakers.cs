using System.Net;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Speaker;
using Tabby.Testing;
using Tabby.Testing.Daemons;

namespace Tabby.Bgp.Tests.Speaker;

/// <summary>Two Tabby speakers on 127.0.0.1 / 127.0.0.2 with free ports, peered with each other.</summary>
internal sealed class LoopbackSpeakers : IAsyncDisposable
{
    public static readonly IPAddress AddressA = IPAddress.Parse("127.0.0.1");
    public static readonly IPAddress AddressB = IPAddress.Parse("127.0.0.2");

    private LoopbackSpeakers(BgpSpeaker a, BgpSpeaker b, int portA, int portB)
    {
        A = a;
        B = b;
        PortA = portA;
        PortB = portB;
    }

    public BgpSpeaker A { get; }

    public BgpSpeaker B { get; }

    public int PortA { get; }

    public int PortB { get; }

    public static async Task<LoopbackSpeakers> StartAsync(uint asA, uint asB, Func<PeerConfig, PeerConfig>? peerOfA = null, Func<PeerConfig, PeerConfig>? peerOfB = null,
        Func<BgpSpeakerOptions, BgpSpeakerOptions>? optionsA = null, Func<BgpSpeakerOptions, BgpSpeakerOptions>? optionsB = null)
    {
        int portA = FreePort.Next(), portB = FreePort.Next();
        var a = new BgpSpeaker(Options(asA, AddressA, portA, optionsA));
        var b = new BgpSpeaker(Options(asB, AddressB, portB, optionsB));
        await a.AddOrUpdatePeerAsync(Peer(AddressB, portB, asB, AddressA, peerOfA));
        await b.AddOrUpdatePeerAsync(Peer(AddressA, portA, asA, AddressB, peerOfB));
        await a.StartAsync();
        await b.StartAsync();
        return new LoopbackSpeakers(a, b, portA, portB);
    }

    private static BgpSpeakerOptions Options(uint asn, IPAddress address, int port, Func<BgpSpeakerOptions, BgpSpeakerOptions>? edit)
    {
        var o = new BgpSpeakerOptions
        {
            LocalAs = asn,
            RouterId = address,
            ListenEndpoints = [new IPEndPoint(address, port)],
        };
        return edit is null ? o : edit(o);
    }

    public static PeerConfig Peer(IPAddress address, int port, uint asn, IPAddress source, Func<PeerConfig, PeerConfig>? edit)
    {
        var p = new PeerConfig
        {
            Address = address,
            Port = port,
            RemoteAs = asn,
            SourceAddress = source,
            ConnectRetryTime = TimeSpan.FromSeconds(1),
            IdleHoldTime = TimeSpan.FromSeconds(1),
            HoldTime = TimeSpan.FromSeconds(9),
        };
        return edit is null ? p : edit(p);
    }

    public static async Task WaitStateAsync(BgpSpeaker speaker, SessionState state, TimeSpan? timeout = null) =>
        await Wait.UntilAsync(async () => (await speaker.GetStatusAsync()).Peers.All(p => p.State == state), timeout ?? TimeSpan.FromSeconds(20),
            $"every peer to be {state}", async () => System.Text.Json.JsonSerializer.Serialize(await speaker.GetStatusAsync()));

    public static async Task<RouteStatus?> RouteAsync(BgpSpeaker speaker, string prefix) =>
        (await speaker.GetRoutesAsync()).FirstOrDefault(r => r.Prefix == prefix);

    public async ValueTask DisposeAsync()
    {
        await A.StopAsync();
        await B.StopAsync();
    }
}
