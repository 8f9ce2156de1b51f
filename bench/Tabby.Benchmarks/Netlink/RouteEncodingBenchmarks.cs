using System.Net;
using BenchmarkDotNet.Attributes;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Benchmarks.Netlink;

/// <summary>
/// The user-space half of route programming: encoding RTM_NEWROUTE messages into a batch buffer
/// (the kernel half is measured by bench/netlink/route-install.sh). Should allocate nothing per route.
/// </summary>
[MemoryDiagnoser]
public class RouteEncodingBenchmarks
{
    private readonly MessageWriter _writer = new(256 * 1024);
    private Route[] _routes = [];

    [Params(1000)]
    public int Count { get; set; }

    [GlobalSetup]
    public void Setup() =>
        _routes = [.. Enumerable.Range(0, Count).Select(i =>
            new Route(new IPNetwork(new IPAddress(new byte[] { 10, (byte)(i >> 16), (byte)(i >> 8), (byte)i }), 32))
            {
                Type = RouteType.Blackhole,
                Protocol = RouteProtocol.Felix,
            })];

    [Benchmark]
    public int EncodeBlackholeRoutes()
    {
        _writer.Clear();
        for (var i = 0; i < _routes.Length; i++)
        {
            _writer.BeginMessage(MessageType.NewRoute, MessageFlags.Request | MessageFlags.Create | MessageFlags.Exclusive, (uint)i);
            RouteCodec.EncodeNew(_writer, _routes[i]);
            _writer.EndMessage();
        }

        return _writer.Length;
    }

    [GlobalCleanup]
    public void Cleanup() => _writer.Dispose();
}
