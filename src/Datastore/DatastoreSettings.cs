using Tabby.Datastore.Http;

namespace Tabby.Datastore;

public enum DatastoreType
{
    Embedded,
    Etcd,
    Kubernetes,
}

/// <summary>
/// Which datastore to use and how to reach it, chosen like calicoctl does: an explicit type
/// (flag or <c>DATASTORE_TYPE</c>) wins; otherwise etcd endpoints mean etcd, a kubeconfig (flag,
/// <c>KUBECONFIG</c>, ~/.kube/config) or running in a pod means Kubernetes; otherwise the embedded
/// store in <see cref="EmbeddedDirectory"/>, which needs no server.
/// </summary>
public sealed record DatastoreSettings
{
    public const string DefaultEmbeddedDirectory = "/var/lib/tabby/datastore";

    public DatastoreType? Type { get; init; }
    public IReadOnlyList<string> KubeconfigPaths { get; init; } = [];
    public string? KubeContext { get; init; }
    public IReadOnlyList<Uri> EtcdEndpoints { get; init; } = [];
    public string? EtcdUsername { get; init; }
    public string? EtcdPassword { get; init; }
    public string? EtcdCaCertFile { get; init; }
    public string? EtcdCertFile { get; init; }
    public string? EtcdKeyFile { get; init; }
    public string? EtcdKeyPrefix { get; init; }
    public string EmbeddedDirectory { get; init; } = DefaultEmbeddedDirectory;

    /// <summary>True when running in a pod with a service account (checked only for Kubernetes).</summary>
    public bool InCluster { get; init; }

    /// <summary>
    /// Reads TABBY_DATASTORE_TYPE or DATASTORE_TYPE (embedded, etcdv3/etcd, kubernetes), KUBECONFIG,
    /// ETCD_ENDPOINTS (comma-separated), ETCD_USERNAME, ETCD_PASSWORD, ETCD_CA_CERT_FILE,
    /// ETCD_CERT_FILE, ETCD_KEY_FILE and TABBY_DATASTORE_DIR.
    /// </summary>
    public static DatastoreSettings FromEnvironment(IReadOnlyDictionary<string, string?>? environment = null)
    {
        string? Get(string name) => environment is null ? Environment.GetEnvironmentVariable(name) : environment.GetValueOrDefault(name);
        var type = Get("TABBY_DATASTORE_TYPE") ?? Get("DATASTORE_TYPE");
        return new DatastoreSettings
        {
            Type = type is null ? null : ParseType(type),
            KubeconfigPaths = Kubernetes.KubeConfigLoader.DefaultPaths(environment),
            EtcdEndpoints = ParseEndpoints(Get("ETCD_ENDPOINTS")),
            EtcdUsername = Get("ETCD_USERNAME"),
            EtcdPassword = Get("ETCD_PASSWORD"),
            EtcdCaCertFile = Get("ETCD_CA_CERT_FILE"),
            EtcdCertFile = Get("ETCD_CERT_FILE"),
            EtcdKeyFile = Get("ETCD_KEY_FILE"),
            EmbeddedDirectory = Get("TABBY_DATASTORE_DIR") is { Length: > 0 } dir ? dir : DefaultEmbeddedDirectory,
            InCluster = Kubernetes.KubeConfigLoader.IsInCluster(environment),
        };
    }

    /// <summary>The type these settings select (see the class summary for the order).</summary>
    public DatastoreType EffectiveType =>
        Type ?? (EtcdEndpoints.Count > 0 ? DatastoreType.Etcd
            : KubeconfigPaths.Count > 0 || InCluster ? DatastoreType.Kubernetes
            : DatastoreType.Embedded);

    public static DatastoreType ParseType(string text) => text.Trim().ToLowerInvariant() switch
    {
        "embedded" or "local" => DatastoreType.Embedded,
        "etcd" or "etcdv3" => DatastoreType.Etcd,
        "kubernetes" or "k8s" or "kdd" => DatastoreType.Kubernetes,
        _ => throw new ArgumentException($"unknown datastore type \"{text}\" (embedded, etcdv3, kubernetes)", nameof(text)),
    };

    public static IReadOnlyList<Uri> ParseEndpoints(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var endpoints = new List<Uri>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"etcd endpoint \"{part}\" must be an http:// or https:// URL", nameof(text));
            }

            endpoints.Add(uri);
        }

        return endpoints;
    }

    internal TlsSettings? EtcdTls()
    {
        if (EtcdCaCertFile is null && EtcdCertFile is null)
        {
            return null;
        }

        if ((EtcdCertFile is null) != (EtcdKeyFile is null))
        {
            throw new ArgumentException("the etcd client certificate and key must be given together");
        }

        return new TlsSettings
        {
            TrustedCertificates = EtcdCaCertFile is null ? null : TlsSettings.LoadCertificates(File.ReadAllText(EtcdCaCertFile)),
            ClientCertificate = EtcdCertFile is null ? null : TlsSettings.LoadClientCertificate(File.ReadAllText(EtcdCertFile), File.ReadAllText(EtcdKeyFile!)),
        };
    }
}
