using System.Text;
using System.Text.Json;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Formatting;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Tests.Wire.Formatting;

public class BgpJsonFormatterTests
{
    private static JsonElement Render(BgpMessage message, int length)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream)) BgpJsonFormatter.WriteMessage(json, message, length);
        return JsonDocument.Parse(Encoding.UTF8.GetString(stream.ToArray())).RootElement.Clone();
    }

    [Fact]
    public void UpdateFromExaBgpCapture()
    {
        var bytes = Hex.Messages("exabgp-ipv4")[2];
        var options = new BgpSessionOptions { FourOctetAs = true, AddPath = AddPathFamilies.Ipv4Unicast };
        var json = Render(BgpMessageDecoder.DecodeMessage(bytes, options), bytes.Length);
        Assert.Equal("UPDATE", json.GetProperty("type").GetString());
        var attributes = json.GetProperty("attributes");
        Assert.Equal("igp", attributes.GetProperty("origin").GetString());
        Assert.Equal(4200000001, attributes.GetProperty("asPath")[0].GetProperty("asns")[0].GetInt64());
        Assert.Equal("sequence", attributes.GetProperty("asPath")[0].GetProperty("type").GetString());
        Assert.Equal(["65000:100", "no-export"], attributes.GetProperty("communities").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("rt:65000:1", attributes.GetProperty("extendedCommunities")[0].GetString());
        Assert.Equal("4200000001:1:2", attributes.GetProperty("largeCommunities")[0].GetString());
        Assert.Equal("198.51.100.0/24", json.GetProperty("nlri")[0].GetProperty("prefix").GetString());
        Assert.Equal(1, json.GetProperty("nlri")[0].GetProperty("pathId").GetInt32());
    }

    [Fact]
    public void OpenListsCapabilitiesWithNames()
    {
        var bytes = Hex.Messages("frr-ipv4")[0];
        var json = Render(BgpMessageDecoder.DecodeMessage(bytes, BgpSessionOptions.Default), bytes.Length);
        var capabilities = json.GetProperty("capabilities").EnumerateArray().ToList();
        Assert.Contains(capabilities, c => c.GetProperty("name").GetString() == "fqdn" && c.GetProperty("hostName").GetString() == "cap-frr");
        Assert.Equal(23456, json.GetProperty("myAs").GetInt32());
        Assert.Equal(4200000001, json.GetProperty("as").GetInt64());
    }

    [Fact]
    public void ErrorCarriesTheNotificationToSend()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream)) BgpJsonFormatter.WriteErrorObject(json, BgpError.BadMessageLength(5000, "too long"));
        var e = JsonDocument.Parse(stream.ToArray()).RootElement;
        Assert.Equal("Bad Message Length", e.GetProperty("subcodeName").GetString());
        Assert.Equal("session-reset", e.GetProperty("handling").GetString());
        Assert.Equal("ffffffffffffffffffffffffffffffff00170301021388", e.GetProperty("notification").GetString());
    }

    [Fact]
    public void NotificationShowsTheShutdownCommunication()
    {
        var json = Render(NotificationMessage.Cease(CeaseSubcode.AdministrativeShutdown, "upgrade"), 29);
        Assert.Equal("upgrade", json.GetProperty("shutdownCommunication").GetString());
        Assert.Equal("Administrative Shutdown", json.GetProperty("subcodeName").GetString());
    }
}
