using System.Net;
using System.Net.Sockets;
using Tabby.Node.Configuration;
using Tabby.Testing.Namespaces;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Node.Tests.Configuration;

public sealed class AddressAutodetectorTests
{
    private static readonly IReadOnlyList<HostInterface> Host =
    [
        new("lo", 1, true, [A("127.0.0.1/8"), A("::1/128")]),
        new("cali1234567890a", 2, true, [A("169.254.1.1/32")]),
        new("docker0", 3, true, [A("198.51.100.1/24")]),
        new("eth0", 4, true, [A("fe80::1/64"), A("192.0.2.10/24"), A("2001:db8::10/64")]),
        new("eth1", 5, true, [A("203.0.113.7/24")]),
        new("eth2", 6, false, [A("198.18.0.1/24")]),
    ];

    private static NodeAddress A(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return new NodeAddress(IPAddress.Parse(text[..slash]), int.Parse(text[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string? Detect(string method, AddressFamily family = AddressFamily.InterNetwork, IPAddress? routeSource = null)
    {
        var parsed = AutodetectionMethod.Parse(method, out var error) ?? throw new InvalidOperationException(error);
        return AddressAutodetector.Detect(parsed, family, Host, (_, _) => routeSource, out _)?.ToString();
    }

    [Fact]
    public void FirstFoundSkipsLoopbackContainerAndRuntimeInterfaces() => Assert.Equal("192.0.2.10/24", Detect("first-found"));

    [Fact]
    public void FirstFoundSkipsLinkLocalIPv6() => Assert.Equal("2001:db8::10/64", Detect("first-found", AddressFamily.InterNetworkV6));

    [Fact]
    public void InterfaceRegexMatchesTheWholeName()
    {
        Assert.Equal("203.0.113.7/24", Detect("interface=eth1"));
        Assert.Equal("192.0.2.10/24", Detect("interface=eth[0-9]"));
        Assert.Null(Detect("interface=eth")); // anchored: "eth" is not "eth0"
    }

    [Fact]
    public void SkipInterfaceFallsThroughToTheNext() => Assert.Equal("203.0.113.7/24", Detect("skip-interface=eth0"));

    [Fact]
    public void CidrPicksTheAddressInRange() => Assert.Equal("203.0.113.7/24", Detect("cidr=203.0.113.0/24"));

    [Fact]
    public void DownInterfacesAreNeverChosen() => Assert.Null(Detect("cidr=198.18.0.0/24"));

    [Fact]
    public void CanReachUsesTheKernelsSourceAddress() =>
        Assert.Equal("203.0.113.7/24", Detect("can-reach=203.0.113.99", routeSource: IPAddress.Parse("203.0.113.7")));

    [RootFact]
    public void DetectsRealInterfacesAndRoutesInsideANamespace()
    {
        using var node = NetworkNamespace.Create("auto");
        using var peer = NetworkNamespace.Create("peer");
        Veth.Connect(node, "eth0", peer, "eth0", "192.0.2.10/24", "192.0.2.20/24");
        Veth.Connect(node, "eth1", peer, "eth1", "203.0.113.7/24", "203.0.113.8/24");

        var (firstFound, viaInterface, canReach) = node.Invoke(() =>
        {
            var interfaces = AddressAutodetector.ReadInterfaces();
            string? Run(string method) => AddressAutodetector.Detect(AutodetectionMethod.Parse(method, out _)!, AddressFamily.InterNetwork,
                interfaces, AddressAutodetector.SourceAddressTowards, out _)?.ToString();
            return (Run("first-found"), Run("interface=eth1"), Run("can-reach=203.0.113.8"));
        });

        Assert.Equal("192.0.2.10/24", firstFound);
        Assert.Equal("203.0.113.7/24", viaInterface);
        Assert.Equal("203.0.113.7/24", canReach);
    }
}
