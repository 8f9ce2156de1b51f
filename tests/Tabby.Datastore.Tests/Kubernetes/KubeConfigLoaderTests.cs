using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Tabby.Datastore;
using Tabby.Datastore.Kubernetes;
using Xunit;

namespace Tabby.Datastore.Tests.Kubernetes;

public sealed class KubeConfigLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tabby-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (string CertPem, string KeyPem) SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Current_context_with_inline_ca_and_client_certificate()
    {
        var ca = SelfSigned("test-ca");
        var client = SelfSigned("tabby-node");
        var path = Write("config", $"""
            apiVersion: v1
            kind: Config
            current-context: prod
            clusters:
            - name: prod-cluster
              cluster:
                server: https://198.51.100.10:6443
                certificate-authority-data: {B64(ca.CertPem)}
            users:
            - name: node
              user:
                client-certificate-data: {B64(client.CertPem)}
                client-key-data: {B64(client.KeyPem)}
            contexts:
            - name: prod
              context:
                cluster: prod-cluster
                user: node
                namespace: tabby-system
            """);
        var connection = KubeConfigLoader.Load([path]);
        Assert.Equal(new Uri("https://198.51.100.10:6443"), connection.Server);
        Assert.Equal("tabby-system", connection.Namespace);
        Assert.Equal("CN=test-ca", Assert.Single(connection.Tls.TrustedCertificates!).Subject);
        Assert.Equal("CN=tabby-node", connection.Tls.ClientCertificate!.Subject);
        Assert.True(connection.Tls.ClientCertificate.HasPrivateKey);
        Assert.Null(connection.BearerToken);
    }

    [Fact]
    public void Named_context_token_file_relative_to_the_kubeconfig_and_merged_files()
    {
        Write("token", "s3cret\n");
        var first = Write("a", """
            clusters:
            - name: lab
              cluster: {server: "http://127.0.0.1:8080", insecure-skip-tls-verify: true}
            contexts:
            - name: lab
              context: {cluster: lab, user: bot}
            current-context: lab
            """);
        var second = Write("b", """
            users:
            - name: bot
              user: {tokenFile: token}
            - name: basic
              user: {username: admin, password: pw}
            contexts:
            - name: lab
              context: {cluster: ignored-because-a-wins, user: basic}
            - name: other
              context: {cluster: lab, user: basic}
            """);
        var connection = KubeConfigLoader.Load([first, second]);
        Assert.Equal(Path.Combine(_directory, "token"), connection.BearerTokenFile);
        Assert.True(connection.Tls.InsecureSkipVerify);
        Assert.Equal("default", connection.Namespace);
        var other = KubeConfigLoader.Load([first, second], "other");
        Assert.Equal(("admin", "pw"), (other.Username, other.Password));
    }

    [Fact]
    public void Errors_name_what_is_missing()
    {
        var path = Write("c", """
            clusters: [{name: c, cluster: {server: "https://192.0.2.1"}}]
            users: [{name: u, user: {exec: {command: aws}}}]
            contexts: [{name: x, context: {cluster: c, user: u}}, {name: y, context: {cluster: missing}}]
            """);
        Assert.Contains("no current-context", Assert.Throws<InvalidDataException>(() => KubeConfigLoader.Load([path])).Message, StringComparison.Ordinal);
        Assert.Contains("context \"z\" not found", Assert.Throws<InvalidDataException>(() => KubeConfigLoader.Load([path], "z")).Message, StringComparison.Ordinal);
        Assert.Contains("cluster \"missing\"", Assert.Throws<InvalidDataException>(() => KubeConfigLoader.Load([path], "y")).Message, StringComparison.Ordinal);
        Assert.Contains("exec credential plugin", Assert.Throws<NotSupportedException>(() => KubeConfigLoader.Load([path], "x")).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => KubeConfigLoader.Load([Path.Combine(_directory, "nope")]));
    }

    [Fact]
    public void In_cluster_service_account()
    {
        var ca = SelfSigned("cluster-ca");
        Write("token", "projected-token");
        Write("ca.crt", ca.CertPem);
        Write("namespace", "tabby-system\n");
        var environment = new Dictionary<string, string?> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" };
        Assert.True(KubeConfigLoader.IsInCluster(environment, _directory));
        var connection = KubeConfigLoader.InCluster(environment, _directory);
        Assert.Equal(new Uri("https://10.96.0.1:443"), connection.Server);
        Assert.Equal(Path.Combine(_directory, "token"), connection.BearerTokenFile);
        Assert.Equal("tabby-system", connection.Namespace);
        Assert.Single(connection.Tls.TrustedCertificates!);
        Assert.False(KubeConfigLoader.IsInCluster(new Dictionary<string, string?>(), _directory));
    }

    [Fact]
    public void Settings_choose_the_datastore_like_calicoctl()
    {
        var none = DatastoreSettings.FromEnvironment(new Dictionary<string, string?> { ["HOME"] = _directory });
        Assert.Equal(DatastoreType.Embedded, none.EffectiveType);
        var etcd = DatastoreSettings.FromEnvironment(new Dictionary<string, string?> { ["HOME"] = _directory, ["ETCD_ENDPOINTS"] = "http://127.0.0.1:2379,http://127.0.0.2:2379" });
        Assert.Equal(DatastoreType.Etcd, etcd.EffectiveType);
        Assert.Equal(2, etcd.EtcdEndpoints.Count);
        var kube = DatastoreSettings.FromEnvironment(new Dictionary<string, string?> { ["KUBECONFIG"] = Write("k", "") });
        Assert.Equal(DatastoreType.Kubernetes, kube.EffectiveType);
        var forced = DatastoreSettings.FromEnvironment(new Dictionary<string, string?> { ["DATASTORE_TYPE"] = "etcdv3", ["HOME"] = _directory });
        Assert.Equal(DatastoreType.Etcd, forced.EffectiveType);
        Assert.Throws<ArgumentException>(() => DatastoreSettings.ParseType("mysql"));
        Assert.Throws<ArgumentException>(() => DatastoreSettings.ParseEndpoints("127.0.0.1:2379"));
    }
}
