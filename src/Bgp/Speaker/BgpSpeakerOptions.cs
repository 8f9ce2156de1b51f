using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Bgp.Rib;
using Tabby.Bgp.Transport;

namespace Tabby.Bgp.Speaker;

/// <summary>Speaker-wide settings.</summary>
public sealed record BgpSpeakerOptions
{
    public required uint LocalAs { get; init; }

    public required IPAddress RouterId { get; init; }

    /// <summary>Where to accept connections; empty = do not listen (all peers active).</summary>
    public IReadOnlyList<IPEndPoint> ListenEndpoints { get; init; } = [new(IPAddress.Any, 179), new(IPAddress.IPv6Any, 179)];

    public SocketFactory SocketFactory { get; init; } = SocketFactories.Default;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    public DecisionOptions Decision { get; init; } = new();

    /// <summary>Route reflector cluster id (RFC 4456); set to act as reflector for peers marked as clients.</summary>
    public IPAddress? ClusterId { get; init; }

    /// <summary>Restart time announced in the graceful restart capability (RFC 4724 section 3).</summary>
    public TimeSpan GracefulRestartTime { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>This start follows a graceful restart: announce the Restart State bit (RFC 4724 section 4.1).</summary>
    public bool RestartingAfterGracefulRestart { get; init; }

    /// <summary>Forwarding state was kept across the restart (the F bit per family).</summary>
    public bool ForwardingStatePreserved { get; init; } = true;

    /// <summary>Paths with a longer AS path are treated as withdrawn (protection against absurd paths).</summary>
    public int MaxAsPathLength { get; init; } = 255;

    /// <summary>Unknown transitive attributes larger than this (bytes, all together) are dropped from a path.</summary>
    public int MaxUnknownAttributeBytes { get; init; } = 4096;

    /// <summary>Publish <see cref="BgpSpeaker.BestPathChanges"/> (leave off when nobody reads them).</summary>
    public bool PublishBestPathChanges { get; init; }

    public void Validate()
    {
        if (LocalAs == 0) throw new ArgumentException("localAS must not be 0");
        if (RouterId.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || RouterId.Equals(IPAddress.Any))
            throw new ArgumentException($"routerID {RouterId} must be a non-zero IPv4 address");
        if (ClusterId is { } c && c.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"clusterID {c} must be an IPv4 address");
        if (GracefulRestartTime > TimeSpan.FromSeconds(4095)) throw new ArgumentException("gracefulRestartTime exceeds 4095 s");
        if (MaxAsPathLength < 1) throw new ArgumentException("maxASPathLength must be positive");
    }
}
