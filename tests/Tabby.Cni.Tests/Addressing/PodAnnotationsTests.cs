using System.Net;
using Tabby.Cni.Addressing;
using Tabby.Cni.Spec;
using Xunit;

namespace Tabby.Cni.Tests.Addressing;

public sealed class PodAnnotationsTests
{
    [Fact]
    public void Reads_requested_addresses_and_pools_pod_over_namespace()
    {
        var pod = new Dictionary<string, string> { ["cni.projectcalico.org/ipv6pools"] = """["v6-special"]""" };
        var ns = new Dictionary<string, string>
        {
            ["cni.projectcalico.org/ipv4pools"] = """["ns-v4"]""",
            ["cni.projectcalico.org/ipv6pools"] = """["ns-v6"]""",
        };

        var annotations = PodAnnotations.Parse(pod, ns);

        Assert.Equal(["ns-v4"], annotations.IPv4Pools);
        Assert.Equal(["v6-special"], annotations.IPv6Pools);
        Assert.Empty(annotations.IpAddrs);
        Assert.Equal([IPAddress.Parse("198.18.0.7"), IPAddress.Parse("2001:db8::7")],
            PodAnnotations.Parse(new Dictionary<string, string> { ["cni.projectcalico.org/ipAddrs"] = """["198.18.0.7", "2001:db8::7"]""" }, null).IpAddrs);
    }

    [Theory]
    [InlineData("cni.projectcalico.org/ipAddrs", "198.18.0.7", "JSON list")]
    [InlineData("cni.projectcalico.org/ipAddrs", """["nope"]""", "\"nope\" is not an IP address")]
    [InlineData("cni.projectcalico.org/ipAddrs", """["198.18.0.7", "198.18.0.8"]""", "at most one IPv4")]
    [InlineData("cni.projectcalico.org/ipv4pools", """[""]""", "non-empty strings")]
    [InlineData("cni.projectcalico.org/ipAddrsNoIpam", """["198.18.0.7"]""", "not supported")]
    public void Malformed_annotations_are_rejected_with_their_name(string key, string value, string message)
    {
        var error = Assert.Throws<CniException>(() => PodAnnotations.Parse(new Dictionary<string, string> { [key] = value }, null));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message + error.Details, StringComparison.Ordinal);
    }
}
