using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Bgp.Config;
using Tabby.Bgp.Speaker;
using Tabby.Ctl.BgpServe;
using Xunit;

namespace Tabby.Ctl.Tests.BgpServe;

/// <summary>SIGHUP reload of `tabbyctl bgp serve`'s originate: list, against a running speaker's Loc-RIB.</summary>
public sealed class OriginatedRoutesTests : IAsyncLifetime, IDisposable
{
    private readonly BgpSpeaker _speaker = new(new BgpSpeakerOptions { LocalAs = 65000, RouterId = IPAddress.Parse("192.0.2.1"), ListenEndpoints = [] });
    private readonly string _file = Path.GetTempFileName();

    public Task InitializeAsync() => _speaker.StartAsync();

    public Task DisposeAsync() => _speaker.StopAsync(false);

    public void Dispose() => File.Delete(_file);

    private static string Config(params string[] prefixes) =>
        "routerId: 192.0.2.1\nasNumber: 65000\nlisten: []\noriginate:\n" + string.Concat(prefixes.Select(p => $"  - prefix: {p}\n"));

    private async Task<string[]> LocalPrefixesAsync()
    {
        var routes = await _speaker.GetRoutesAsync();
        return routes.Select(r => r.Prefix).Order(StringComparer.Ordinal).ToArray();
    }

    [Fact]
    public async Task ApplyAddsNewPrefixesAndWithdrawsRemovedOnes()
    {
        var originated = new OriginatedRoutes(_speaker);
        Assert.Equal((2, 0), originated.Apply(SpeakerConfigLoader.Parse(Config("198.18.128.0/26", "198.18.128.64/26")).Originate));
        Assert.Equal(["198.18.128.0/26", "198.18.128.64/26"], await LocalPrefixesAsync());

        Assert.Equal((1, 1), originated.Apply(SpeakerConfigLoader.Parse(Config("198.18.128.64/26", "198.18.128.128/26")).Originate));
        Assert.Equal(["198.18.128.128/26", "198.18.128.64/26"], await LocalPrefixesAsync());

        Assert.Equal((0, 2), originated.Apply([]));
        Assert.Empty(await LocalPrefixesAsync());
    }

    [Fact]
    public async Task ReloadReadsTheFileAndKeepsTheRoutesWhenItIsInvalid()
    {
        var originated = new OriginatedRoutes(_speaker);
        await File.WriteAllTextAsync(_file, Config("198.18.128.0/26"));
        Assert.True(BgpServeCommands.ReloadOriginated(_file, originated, NullLogger.Instance));
        await File.WriteAllTextAsync(_file, Config("198.18.128.0/26", "198.18.129.0/26"));
        Assert.True(BgpServeCommands.ReloadOriginated(_file, originated, NullLogger.Instance));
        Assert.Equal(["198.18.128.0/26", "198.18.129.0/26"], await LocalPrefixesAsync());

        await File.WriteAllTextAsync(_file, "routerId: 192.0.2.1\nasNumber: 0\n");
        Assert.False(BgpServeCommands.ReloadOriginated(_file, originated, NullLogger.Instance));
        Assert.Equal(["198.18.128.0/26", "198.18.129.0/26"], await LocalPrefixesAsync());
    }
}
