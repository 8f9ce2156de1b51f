using Tabby.Datastore.Http;

namespace Tabby.Datastore.Kubernetes;

/// <summary>
/// Where the API server is and how to authenticate, from a kubeconfig file or the in-cluster
/// service account (see <see cref="KubeConfigLoader"/>).
/// </summary>
public sealed record KubernetesConnection
{
    public required Uri Server { get; init; }
    public TlsSettings Tls { get; init; } = new();

    /// <summary>A fixed bearer token (kubeconfig <c>token</c>).</summary>
    public string? BearerToken { get; init; }

    /// <summary>A file holding the bearer token, re-read periodically (projected service-account
    /// tokens rotate; kubeconfig <c>tokenFile</c>).</summary>
    public string? BearerTokenFile { get; init; }

    public string? Username { get; init; }
    public string? Password { get; init; }

    /// <summary>The context's (or the pod's) namespace; used by tabbyctl for namespaced kinds.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Where this came from (kubeconfig path and context, or "in-cluster"), for messages.</summary>
    public string Source { get; init; } = "";
}

/// <summary>Client behaviour: rate limits (client-go style token bucket), timeouts, back-off.</summary>
public sealed record KubernetesClientOptions
{
    /// <summary>Sustained requests per second; bursts up to <see cref="Burst"/>.</summary>
    public double QueriesPerSecond { get; init; } = 50;
    public int Burst { get; init; } = 100;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Server-side watch timeout; the watch reconnects after it (client-go uses 5-10 min).</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Attempts for a request answered 429/5xx or lost on the network (reads; 429 for all verbs).</summary>
    public int MaxAttempts { get; init; } = 5;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Objects per page when listing (limit/continue).</summary>
    public int ListPageSize { get; init; } = 500;
}
