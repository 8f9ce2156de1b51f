using System.Net;
using System.Text.Json;
using Tabby.Cni.Spec;
using Xunit;

namespace Tabby.Cni.Tests.Spec;

public sealed class CniResultJsonTests
{
    private static readonly CniResult Sample = new()
    {
        Interfaces = [new("cali0761ccbeace", "ee:ee:ee:ee:ee:ee", null), new("eth0", "a6:fa:69:2c:02:55", "/run/netns/p") { Mtu = 1400 }],
        Ips = [new(new CidrAddress(IPAddress.Parse("198.18.0.5"), 32), null, 1), new(new CidrAddress(IPAddress.Parse("2001:db8::5"), 128), null, 1)],
        Routes = [new(IPNetwork.Parse("0.0.0.0/0"), IPAddress.Parse("169.254.1.1"))],
    };

    [Theory]
    [InlineData("0.3.1", true)]
    [InlineData("0.4.0", true)]
    [InlineData("1.0.0", false)]
    [InlineData("1.1.0", false)]
    public void Ip_version_field_only_before_1_0(string version, bool expected)
    {
        using var json = JsonDocument.Parse(CniResultJson.Write(Sample, version));
        var ips = json.RootElement.GetProperty("ips");

        Assert.Equal(version, json.RootElement.GetProperty("cniVersion").GetString());
        Assert.Equal(expected, ips[0].TryGetProperty("version", out var v4));
        if (expected)
        {
            Assert.Equal("4", v4.GetString());
            Assert.Equal("6", ips[1].GetProperty("version").GetString());
        }

        Assert.Equal("198.18.0.5/32", ips[0].GetProperty("address").GetString());
        Assert.Equal(1, ips[0].GetProperty("interface").GetInt32());
        Assert.Equal("/run/netns/p", json.RootElement.GetProperty("interfaces")[1].GetProperty("sandbox").GetString());
        Assert.Equal(JsonValueKind.Object, json.RootElement.GetProperty("dns").ValueKind);
    }

    [Fact]
    public void Round_trips_through_read()
    {
        using var json = JsonDocument.Parse(CniResultJson.Write(Sample, "0.3.1"));
        var read = CniResultJson.Read(json.RootElement);

        Assert.Equal(Sample.Interfaces.Select(i => (i.Name, i.Mac, i.Sandbox)), read.Interfaces.Select(i => (i.Name, i.Mac, i.Sandbox)));
        Assert.Equal(Sample.Ips, read.Ips);
        Assert.Equal(Sample.Routes, read.Routes);
    }

    [Theory]
    [InlineData("""{"ips": [{"address": "198.18.0.5"}]}""", "prevResult.ips[0].address")]
    [InlineData("""{"ips": [{"address": "198.18.0.5/32", "interface": 3}]}""", "prevResult.ips[0].interface")]
    [InlineData("""{"routes": [{"dst": "nowhere"}]}""", "prevResult.routes[0].dst")]
    [InlineData("""{"interfaces": [{"mac": "x"}]}""", "prevResult.interfaces[0].name")]
    public void Malformed_previous_results_name_the_field(string text, string field)
    {
        using var json = JsonDocument.Parse(text);
        var error = Assert.Throws<CniException>(() => CniResultJson.Read(json.RootElement));
        Assert.Equal(CniErrorCode.InvalidNetworkConfig, error.Code);
        Assert.StartsWith(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_object_has_code_msg_and_details()
    {
        using var json = JsonDocument.Parse(CniResultJson.WriteError(new CniException(CniErrorCode.TryAgainLater, "busy", "lock held"), "1.0.0"));

        Assert.Equal(11, json.RootElement.GetProperty("code").GetInt32());
        Assert.Equal("busy", json.RootElement.GetProperty("msg").GetString());
        Assert.Equal("lock held", json.RootElement.GetProperty("details").GetString());
    }

    [Fact]
    public void Versions_compare_numerically()
    {
        Assert.True(CniVersion.Compare("0.10.0", "0.4.0") > 0);
        Assert.True(CniVersion.SupportsCheck("0.4.0"));
        Assert.False(CniVersion.SupportsCheck("0.3.1"));
        Assert.True(CniVersion.SupportsStatusAndGc("1.1.0"));
        Assert.False(CniVersion.IsSupported("0.2.0"));
    }
}
