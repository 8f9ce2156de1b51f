using Tabby.Datastore.Http;

namespace Tabby.Datastore.Etcd;

/// <summary>How to reach etcd (calicoctl: etcdEndpoints, etcdUsername/Password, etcdCACertFile ...).</summary>
public sealed record EtcdOptions
{
    /// <summary>Client URLs, tried in order; the first that answers is used until it fails.</summary>
    public IReadOnlyList<Uri> Endpoints { get; init; } = [];

    /// <summary>Prepended to every key (empty in production: keys are Calico's /calico/...).
    /// Tests give each store its own prefix on one server.</summary>
    public string KeyPrefix { get; init; } = "";

    public string? Username { get; init; }
    public string? Password { get; init; }
    public TlsSettings? Tls { get; init; }

    /// <summary>Deadline of one request (not of a watch stream).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First and largest delay between watch reconnection attempts (doubling).</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Objects fetched per range request when listing (pages at one revision).</summary>
    public int ListPageSize { get; init; } = 500;
}
