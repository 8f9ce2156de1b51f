using Tabby.Testing.Daemons;
using Tabby.Testing.KubeApi;
using Xunit;

namespace Tabby.Ctl.Tests.Resources;

/// <summary>
/// One of each datastore for tabbyctl: a temporary embedded directory, a real etcd server, and the
/// Kubernetes API emulator reached through a kubeconfig with a bearer token.
/// </summary>
public sealed class BackendFixture : IAsyncLifetime
{
    private const string Token = "tabbyctl-test-token";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tabbyctl-" + Guid.NewGuid().ToString("N"));
    private EtcdServer? _etcd;
    private KubeApiServer? _kube;

    public KubeApiServer Kube => _kube!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _etcd = await EtcdServer.StartAsync();
        _kube = await KubeApiServer.StartAsync();
        _kube.RequiredBearerToken = Token;
        await File.WriteAllTextAsync(KubeconfigPath, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: {_kube.Url.ToString().TrimEnd('/')}
            users:
            - name: tester
              user:
                token: {Token}
            contexts:
            - name: test
              context:
                cluster: emulator
                user: tester
                namespace: tabby-system
            current-context: test
            """);
    }

    public async Task DisposeAsync()
    {
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }

        if (_kube is not null)
        {
            await _kube.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private string KubeconfigPath => Path.Combine(_directory, "kubeconfig");

    /// <summary>The datastore flags of one backend; each call to embedded gets a fresh directory.</summary>
    public string[] Flags(string backend) => backend switch
    {
        "embedded" => ["--datastore-type", "embedded", "--data-dir", Path.Combine(_directory, "store-" + Guid.NewGuid().ToString("N"))],
        "etcd" => ["--datastore-type", "etcdv3", "--etcd-endpoints", _etcd!.ClientUrl.ToString()],
        "kubernetes" => ["--datastore-type", "kubernetes", "--kubeconfig", KubeconfigPath],
        _ => throw new ArgumentOutOfRangeException(nameof(backend)),
    };

    public string WriteFile(string name, string text)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + "-" + name);
        File.WriteAllText(path, text);
        return path;
    }
}
