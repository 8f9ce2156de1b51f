using System.Text;
using Tabby.Datastore.Kubernetes;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Testing.KubeApi;
using Xunit;

namespace Tabby.Datastore.Tests.Kubernetes;

/// <summary>A kubeconfig with a private CA and a client certificate, against the emulator in HTTPS mode.</summary>
public sealed class KubernetesTlsTests : IAsyncLifetime
{
    private readonly KubeApiTls _tls = KubeApiTls.Create();
    private readonly string _directory = Directory.CreateTempSubdirectory("tabby-tls-").FullName;
    private KubeApiServer _server = null!;

    private static readonly KubernetesClientOptions FailFast = new() { MaxAttempts = 1, RequestTimeout = TimeSpan.FromSeconds(5) };

    public async Task InitializeAsync() => _server = await KubeApiServer.StartAsync(tls: _tls);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _tls.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string B64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));

    private string Kubeconfig(bool withCa, bool withClientCertificate)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N"));
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), _tls.CaPem);
        var user = withClientCertificate
            ? $"client-certificate-data: {B64(_tls.ClientCertificatePem)}\n    client-key-data: {B64(_tls.ClientKeyPem)}"
            : "token: unused";
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: {_server.Url.ToString().TrimEnd('/')}
                {(withCa ? "certificate-authority: ca.crt" : "insecure-skip-tls-verify: false")}
            users:
            - name: node
              user:
                {user}
            contexts:
            - name: tls
              context: {"{"}cluster: emulator, user: node{"}"}
            current-context: tls
            """);
        return path;
    }

    [Fact]
    public async Task Private_ca_and_client_certificate_from_kubeconfig()
    {
        Assert.Equal("https", _server.Url.Scheme);
        await using var store = new KubernetesDatastore(KubeConfigLoader.Load([Kubeconfig(withCa: true, withClientCertificate: true)]), FailFast);
        await store.CreateAsync(ResourceKinds.IPPools, new IPPool { Metadata = new ObjectMeta { Name = "tls-pool" }, Spec = new IPPoolSpec { Cidr = "198.18.0.0/16" } });
        Assert.NotNull(await store.GetAsync(ResourceKinds.IPPools, "tls-pool"));
    }

    [Fact]
    public async Task Server_signed_by_an_unknown_ca_is_refused()
    {
        await using var store = new KubernetesDatastore(KubeConfigLoader.Load([Kubeconfig(withCa: false, withClientCertificate: true)]), FailFast);
        await Assert.ThrowsAsync<DatastoreUnavailableException>(() => store.GetAsync(ResourceKinds.IPPools, "x"));
    }

    [Fact]
    public async Task Missing_client_certificate_is_refused()
    {
        await using var store = new KubernetesDatastore(KubeConfigLoader.Load([Kubeconfig(withCa: true, withClientCertificate: false)]), FailFast);
        await Assert.ThrowsAsync<DatastoreUnavailableException>(() => store.GetAsync(ResourceKinds.IPPools, "x"));
    }
}
