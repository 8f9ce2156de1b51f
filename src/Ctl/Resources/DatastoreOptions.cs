using System.CommandLine;
using Tabby.Datastore;
using Tabby.Datastore.Store;

namespace Tabby.Ctl.Resources;

/// <summary>
/// How tabbyctl finds the datastore, like calicoctl: flags override the environment
/// (DATASTORE_TYPE, KUBECONFIG, ETCD_ENDPOINTS ...); without either, a kubeconfig in ~/.kube
/// selects Kubernetes, otherwise the embedded store in /var/lib/tabby/datastore is used.
/// </summary>
internal sealed class DatastoreOptions
{
    private readonly Option<string?> _type = new("--datastore-type") { Description = "embedded, etcdv3 or kubernetes (default: from DATASTORE_TYPE, else chosen by what is configured)" };
    private readonly Option<string?> _kubeconfig = new("--kubeconfig") { Description = "kubeconfig file (default: KUBECONFIG, ~/.kube/config, or the pod's service account)" };
    private readonly Option<string?> _context = new("--context") { Description = "kubeconfig context (default: current-context)" };
    private readonly Option<string?> _etcdEndpoints = new("--etcd-endpoints") { Description = "comma-separated etcd client URLs (default: ETCD_ENDPOINTS)" };
    private readonly Option<string?> _etcdUsername = new("--etcd-username") { Description = "etcd user (default: ETCD_USERNAME)" };
    private readonly Option<string?> _etcdPassword = new("--etcd-password") { Description = "etcd password (default: ETCD_PASSWORD)" };
    private readonly Option<string?> _etcdCa = new("--etcd-ca-cert-file") { Description = "CA certificate for etcd TLS (default: ETCD_CA_CERT_FILE)" };
    private readonly Option<string?> _etcdCert = new("--etcd-cert-file") { Description = "client certificate for etcd TLS (default: ETCD_CERT_FILE)" };
    private readonly Option<string?> _etcdKey = new("--etcd-key-file") { Description = "client key for etcd TLS (default: ETCD_KEY_FILE)" };
    private readonly Option<string?> _dataDir = new("--data-dir") { Description = $"embedded datastore directory (default: TABBY_DATASTORE_DIR or {DatastoreSettings.DefaultEmbeddedDirectory})" };

    public void AddTo(Command command)
    {
        foreach (var option in new[] { _type, _kubeconfig, _context, _etcdEndpoints, _etcdUsername, _etcdPassword, _etcdCa, _etcdCert, _etcdKey, _dataDir })
        {
            command.Options.Add(option);
        }
    }

    public DatastoreSettings Settings(ParseResult parse)
    {
        var settings = DatastoreSettings.FromEnvironment();
        if (parse.GetValue(_type) is { } type)
        {
            settings = settings with { Type = DatastoreSettings.ParseType(type) };
        }

        if (parse.GetValue(_kubeconfig) is { } kubeconfig)
        {
            settings = settings with { KubeconfigPaths = [kubeconfig], Type = settings.Type ?? DatastoreType.Kubernetes };
        }

        if (parse.GetValue(_etcdEndpoints) is { } endpoints)
        {
            settings = settings with { EtcdEndpoints = DatastoreSettings.ParseEndpoints(endpoints), Type = settings.Type ?? DatastoreType.Etcd };
        }

        if (parse.GetValue(_dataDir) is { } dataDir)
        {
            settings = settings with { EmbeddedDirectory = dataDir, Type = settings.Type ?? DatastoreType.Embedded };
        }

        return settings with
        {
            KubeContext = parse.GetValue(_context) ?? settings.KubeContext,
            EtcdUsername = parse.GetValue(_etcdUsername) ?? settings.EtcdUsername,
            EtcdPassword = parse.GetValue(_etcdPassword) ?? settings.EtcdPassword,
            EtcdCaCertFile = parse.GetValue(_etcdCa) ?? settings.EtcdCaCertFile,
            EtcdCertFile = parse.GetValue(_etcdCert) ?? settings.EtcdCertFile,
            EtcdKeyFile = parse.GetValue(_etcdKey) ?? settings.EtcdKeyFile,
        };
    }

    public IDatastore Open(ParseResult parse) => DatastoreFactory.Create(Settings(parse));

    /// <summary>The namespace for namespaced kinds when none is given: the kubeconfig context's, else "default".</summary>
    public static string DefaultNamespace(IDatastore store) =>
        store is Tabby.Datastore.Kubernetes.KubernetesDatastore k ? k.Connection.Namespace : "default";
}
