using System.Text;
using Tabby.Datastore.Http;
using YamlDotNet.RepresentationModel;

namespace Tabby.Datastore.Kubernetes;

/// <summary>
/// Builds a <see cref="KubernetesConnection"/> from kubeconfig files (clusters, users, contexts,
/// current-context; CA and client certificates as files or inline data; bearer tokens and token
/// files; basic auth) or from the in-cluster service account, like client-go does.
/// </summary>
public static class KubeConfigLoader
{
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The files KUBECONFIG names (colon-separated), else ~/.kube/config if it exists.</summary>
    public static IReadOnlyList<string> DefaultPaths(IReadOnlyDictionary<string, string?>? environment = null)
    {
        var kubeconfig = Get(environment, "KUBECONFIG");
        if (!string.IsNullOrEmpty(kubeconfig))
        {
            return kubeconfig.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        }

        var home = Get(environment, "HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var path = Path.Combine(home, ".kube", "config");
        return File.Exists(path) ? [path] : [];
    }

    /// <summary>True when running in a pod (the service host variable and the token are present).</summary>
    public static bool IsInCluster(IReadOnlyDictionary<string, string?>? environment = null, string serviceAccountDirectory = ServiceAccountDirectory) =>
        !string.IsNullOrEmpty(Get(environment, "KUBERNETES_SERVICE_HOST")) && File.Exists(Path.Combine(serviceAccountDirectory, "token"));

    public static KubernetesConnection InCluster(IReadOnlyDictionary<string, string?>? environment = null, string serviceAccountDirectory = ServiceAccountDirectory)
    {
        var host = Get(environment, "KUBERNETES_SERVICE_HOST") ?? throw new InvalidOperationException("KUBERNETES_SERVICE_HOST is not set: not running in a pod");
        var port = Get(environment, "KUBERNETES_SERVICE_PORT") ?? "443";
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        var caPath = Path.Combine(serviceAccountDirectory, "ca.crt");
        var nsPath = Path.Combine(serviceAccountDirectory, "namespace");
        return new KubernetesConnection
        {
            Server = new Uri($"https://{hostPart}:{port}"),
            Tls = new TlsSettings { TrustedCertificates = File.Exists(caPath) ? TlsSettings.LoadCertificates(File.ReadAllText(caPath)) : null },
            BearerTokenFile = Path.Combine(serviceAccountDirectory, "token"),
            Namespace = File.Exists(nsPath) ? File.ReadAllText(nsPath).Trim() : "default",
            Source = "in-cluster service account",
        };
    }

    /// <summary>Loads the connection of <paramref name="context"/> (or current-context) from the merged files.</summary>
    public static KubernetesConnection Load(IReadOnlyList<string> paths, string? context = null)
    {
        if (paths.Count == 0)
        {
            throw new FileNotFoundException("no kubeconfig file given (set KUBECONFIG or --kubeconfig)");
        }

        var clusters = new Dictionary<string, (YamlMappingNode Node, string Directory)>();
        var users = new Dictionary<string, (YamlMappingNode Node, string Directory)>();
        var contexts = new Dictionary<string, YamlMappingNode>();
        string? current = null;
        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"kubeconfig {path} does not exist", path);
            }

            var stream = new YamlStream();
            try
            {
                using var reader = new StreamReader(path, Encoding.UTF8);
                stream.Load(reader);
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new InvalidDataException($"kubeconfig {path}: line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
            }

            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                throw new InvalidDataException($"kubeconfig {path}: not a YAML mapping");
            }

            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            Collect(root, "clusters", "cluster", path, (name, node) => clusters.TryAdd(name, (node, directory)));
            Collect(root, "users", "user", path, (name, node) => users.TryAdd(name, (node, directory)));
            Collect(root, "contexts", "context", path, (name, node) => contexts.TryAdd(name, node));
            current ??= Scalar(root, "current-context") is { Length: > 0 } c ? c : null;
        }

        var contextName = context ?? current ?? throw new InvalidDataException("kubeconfig: no current-context and no context given");
        if (!contexts.TryGetValue(contextName, out var ctx))
        {
            throw new InvalidDataException($"kubeconfig: context \"{contextName}\" not found");
        }

        var clusterName = Scalar(ctx, "cluster") ?? throw new InvalidDataException($"kubeconfig: context \"{contextName}\" has no cluster");
        if (!clusters.TryGetValue(clusterName, out var cluster))
        {
            throw new InvalidDataException($"kubeconfig: cluster \"{clusterName}\" (context \"{contextName}\") not found");
        }

        var server = Scalar(cluster.Node, "server") ?? throw new InvalidDataException($"kubeconfig: cluster \"{clusterName}\": server is required");
        var caPem = Material(cluster.Node, "certificate-authority", "certificate-authority-data", cluster.Directory);
        var userName = Scalar(ctx, "user");
        YamlMappingNode? user = null;
        var userDirectory = cluster.Directory;
        if (userName is not null)
        {
            if (!users.TryGetValue(userName, out var u))
            {
                throw new InvalidDataException($"kubeconfig: user \"{userName}\" (context \"{contextName}\") not found");
            }

            (user, userDirectory) = u;
        }

        var certPem = user is null ? null : Material(user, "client-certificate", "client-certificate-data", userDirectory);
        var keyPem = user is null ? null : Material(user, "client-key", "client-key-data", userDirectory);
        if ((certPem is null) != (keyPem is null))
        {
            throw new InvalidDataException($"kubeconfig: user \"{userName}\": client-certificate and client-key must be given together");
        }

        if (user is not null && user.Children.ContainsKey(new YamlScalarNode("exec")))
        {
            throw new NotSupportedException($"kubeconfig: user \"{userName}\" uses an exec credential plugin, which Tabby does not run; use a token or client certificate");
        }

        var tokenFile = user is null ? null : Scalar(user, "tokenFile");
        return new KubernetesConnection
        {
            Server = new Uri(server),
            Tls = new TlsSettings
            {
                TrustedCertificates = caPem is null ? null : TlsSettings.LoadCertificates(caPem),
                ClientCertificate = certPem is null ? null : TlsSettings.LoadClientCertificate(certPem, keyPem!),
                InsecureSkipVerify = Scalar(cluster.Node, "insecure-skip-tls-verify") == "true",
            },
            BearerToken = user is null ? null : Scalar(user, "token"),
            BearerTokenFile = tokenFile is null ? null : Resolve(tokenFile, userDirectory),
            Username = user is null ? null : Scalar(user, "username"),
            Password = user is null ? null : Scalar(user, "password"),
            Namespace = Scalar(ctx, "namespace") ?? "default",
            Source = $"kubeconfig {string.Join(":", paths)} context {contextName}",
        };
    }

    private static void Collect(YamlMappingNode root, string listKey, string itemKey, string path, Action<string, YamlMappingNode> add)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(listKey), out var list) || list is not YamlSequenceNode sequence)
        {
            return;
        }

        foreach (var item in sequence)
        {
            if (item is not YamlMappingNode entry || Scalar(entry, "name") is not { } name ||
                !entry.Children.TryGetValue(new YamlScalarNode(itemKey), out var body) || body is not YamlMappingNode mapping)
            {
                throw new InvalidDataException($"kubeconfig {path}: every {listKey} entry needs a name and a {itemKey} mapping");
            }

            add(name, mapping);
        }
    }

    /// <summary>PEM text from a file path (relative to the kubeconfig) or inline base64 data.</summary>
    private static string? Material(YamlMappingNode node, string fileKey, string dataKey, string directory)
    {
        if (Scalar(node, dataKey) is { Length: > 0 } data)
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(data));
        }

        return Scalar(node, fileKey) is { Length: > 0 } file ? File.ReadAllText(Resolve(file, directory)) : null;
    }

    private static string Resolve(string path, string directory) => Path.IsPathRooted(path) ? path : Path.Combine(directory, path);

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static string? Get(IReadOnlyDictionary<string, string?>? environment, string name) =>
        environment is null ? Environment.GetEnvironmentVariable(name) : environment.GetValueOrDefault(name);
}
