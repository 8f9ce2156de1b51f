namespace Tabby.Bgp.Wire.Capabilities;

/// <summary>
/// The capability codes the codec knows, with their names and decoders (one row per code rather
/// than switch statements spread around). A decoder returns null for a malformed value.
/// </summary>
public static class CapabilityTable
{
    private sealed record Entry(string Name, Func<ReadOnlySpan<byte>, Capability?> Decode);

    private static readonly Dictionary<byte, Entry> Entries = new()
    {
        [(byte)CapabilityCode.Multiprotocol] = new("multiprotocol", MultiprotocolCapability.Decode),
        [(byte)CapabilityCode.RouteRefresh] = new("route-refresh", EmptyCapability.DecoderFor(CapabilityCode.RouteRefresh)),
        [(byte)CapabilityCode.RouteRefreshCisco] = new("route-refresh-old", EmptyCapability.DecoderFor(CapabilityCode.RouteRefreshCisco)),
        [(byte)CapabilityCode.EnhancedRouteRefresh] = new("enhanced-route-refresh", EmptyCapability.DecoderFor(CapabilityCode.EnhancedRouteRefresh)),
        [(byte)CapabilityCode.ExtendedMessage] = new("extended-message", EmptyCapability.DecoderFor(CapabilityCode.ExtendedMessage)),
        [(byte)CapabilityCode.FourOctetAs] = new("4-octet-as", FourOctetAsCapability.Decode),
        [(byte)CapabilityCode.GracefulRestart] = new("graceful-restart", GracefulRestartCapability.Decode),
        [(byte)CapabilityCode.AddPath] = new("add-path", AddPathCapability.Decode),
        [(byte)CapabilityCode.Fqdn] = new("fqdn", FqdnCapability.Decode),
        // RFC 9494: parsed as opaque; the speaker does not implement LLGR.
        [(byte)CapabilityCode.LongLivedGracefulRestart] = new("long-lived-graceful-restart", v => new OpaqueCapability((byte)CapabilityCode.LongLivedGracefulRestart, v.ToArray())),
    };

    public static bool IsKnown(byte code) => Entries.ContainsKey(code);

    public static string NameOf(byte code) => Entries.TryGetValue(code, out var e) ? e.Name : $"unknown-{code}";

    /// <summary>Decodes one capability value; unknown codes come back as <see cref="OpaqueCapability"/>, malformed known ones as null.</summary>
    public static Capability? Decode(byte code, ReadOnlySpan<byte> value) =>
        Entries.TryGetValue(code, out var e) ? e.Decode(value) : new OpaqueCapability(code, value.ToArray());
}
