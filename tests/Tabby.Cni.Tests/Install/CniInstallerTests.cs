using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Tabby.Cni.Install;
using Tabby.Cni.Tests.Support;
using Tabby.Datastore.Kubernetes;
using Tabby.Testing;
using Tabby.Testing.Processes;
using Xunit;

namespace Tabby.Cni.Tests.Install;

/// <summary>`tabby-cni install` into scratch directories standing in for the host's /opt/cni/bin and /etc/cni/net.d.</summary>
public sealed class CniInstallerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tabby-cni-install-tests", Guid.NewGuid().ToString("N"));

    private string Bin => Path.Combine(_root, "host", "opt", "cni", "bin");

    private string Net => Path.Combine(_root, "host", "etc", "cni", "net.d");

    private string ServiceAccount => Path.Combine(_root, "sa");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Installs_the_framework_dependent_build_behind_a_launcher_that_runs()
    {
        var source = PluginOnlyCopy();
        var status = await InstallAsync(source);

        Assert.Equal(0, status);
        var launcher = Path.Combine(Bin, "tabby-cni");
        Assert.True(File.GetUnixFileMode(launcher).HasFlag(UnixFileMode.UserExecute));
        var version = await Command.RunAsync(launcher, [], new Dictionary<string, string> { ["CNI_COMMAND"] = "VERSION" }, TimeSpan.FromSeconds(60), """{"cniVersion":"1.0.0"}""");
        Assert.True(version.Succeeded, version.ToString());
        Assert.Contains("supportedVersions", version.StandardOutput, StringComparison.Ordinal);

        // A second install switches the launcher to a new version and removes the old one.
        await Task.Delay(5);
        Assert.Equal(0, await InstallAsync(source));
        Assert.Single(Directory.GetDirectories(Path.Combine(Bin, CniInstaller.PluginDirectoryName)));
    }

    [Fact]
    public async Task Installs_a_single_file_build_as_is()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "single")).FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "tabby-cni"), "#!/bin/sh\necho single\n");

        Assert.Equal(0, await InstallAsync(source));

        Assert.Equal("#!/bin/sh\necho single\n", await File.ReadAllTextAsync(Path.Combine(Bin, "tabby-cni")));
        Assert.False(Directory.Exists(Path.Combine(Bin, CniInstaller.PluginDirectoryName)));
    }

    [Fact]
    public async Task Writes_the_conflist_and_a_kubeconfig_the_datastore_can_load()
    {
        WriteServiceAccount();
        var source = Directory.CreateDirectory(Path.Combine(_root, "single")).FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "tabby-cni"), "x");

        Assert.Equal(0, await InstallAsync(source, ("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_NODE_NAME", "node-7"),
            ("TABBY_CNI_ASSIGN_IPV6", "true")));

        var conflist = await File.ReadAllTextAsync(Path.Combine(Net, "10-tabby.conflist"));
        Assert.DoesNotContain("__", conflist, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(conflist);
        var plugin = json.RootElement.GetProperty("plugins")[0];
        Assert.Equal("tabby-cni", plugin.GetProperty("type").GetString());
        Assert.Equal("node-7", plugin.GetProperty("nodename").GetString());
        Assert.Equal("kubernetes", plugin.GetProperty("datastore_type").GetString());
        Assert.Equal("true", plugin.GetProperty("ipam").GetProperty("assign_ipv6").GetString());
        Assert.Equal("/etc/cni/net.d/tabby-kubeconfig", plugin.GetProperty("kubernetes").GetProperty("kubeconfig").GetString());

        var kubeconfig = Path.Combine(Net, KubeconfigFile.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kubeconfig));
        var connection = KubeConfigLoader.Load([kubeconfig]);
        Assert.Equal(new Uri("https://10.96.0.1:443"), connection.Server);
        Assert.Equal("token-123", connection.BearerToken);
    }

    [Fact]
    public async Task Watch_rewrites_the_kubeconfig_when_the_token_rotates()
    {
        WriteServiceAccount();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var environment = new Dictionary<string, string>
        {
            ["CNI_BIN_DIR"] = Bin,
            ["CNI_NET_DIR"] = Net,
            ["SERVICEACCOUNT_DIR"] = ServiceAccount,
            ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1",
        };
        var kubeconfig = Path.Combine(Net, KubeconfigFile.FileName);
        var running = InstallCommand.RunAsync(["--skip-binaries", "--watch", "0.05"], name => environment.GetValueOrDefault(name), TextWriter.Null, TextWriter.Null, stop.Token);
        await Wait.UntilAsync(() => File.Exists(kubeconfig), TimeSpan.FromSeconds(30), "the first kubeconfig");

        await File.WriteAllTextAsync(Path.Combine(ServiceAccount, "token"), "token-456\n");
        await Wait.UntilAsync(() => KubeConfigLoader.Load([kubeconfig]).BearerToken == "token-456", TimeSpan.FromSeconds(30), "the rotated token in the kubeconfig");

        await stop.CancelAsync();
        Assert.Equal(0, await running);
    }

    [Fact]
    public async Task A_template_that_is_not_a_conflist_is_refused_and_nothing_is_written()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "single")).FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "tabby-cni"), "x");

        var status = await InstallAsync(source, ("CNI_NETWORK_CONFIG", """{"name": "x", "cniVersion": "1.0.0", "plugins": []}"""));

        Assert.Equal(1, status);
        Assert.False(File.Exists(Path.Combine(Net, "10-tabby.conflist")));
    }

    [Fact]
    public async Task Unknown_options_are_usage_errors()
    {
        var error = new StringWriter();
        Assert.Equal(2, await InstallCommand.RunAsync(["--frobnicate"], _ => null, TextWriter.Null, error));
        Assert.Contains("--frobnicate", error.ToString(), StringComparison.Ordinal);
    }

    private Task<int> InstallAsync(string source, params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["CNI_BIN_DIR"] = Bin,
            ["CNI_NET_DIR"] = Net,
            ["TABBY_CNI_SOURCE_DIR"] = source,
            ["SERVICEACCOUNT_DIR"] = ServiceAccount,
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return InstallCommand.RunAsync([], name => environment.GetValueOrDefault(name), TextWriter.Null, TextWriter.Null);
    }

    /// <summary>The plugin's own files from the test output (not the test assemblies), as an image would carry them.</summary>
    private string PluginOnlyCopy()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "image")).FullName;
        var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "tabby-cni.deps.json")));
        var wanted = new HashSet<string>(StringComparer.Ordinal) { "tabby-cni", "tabby-cni.dll", "tabby-cni.deps.json", "tabby-cni.runtimeconfig.json" };
        foreach (var library in deps.RootElement.GetProperty("targets").EnumerateObject().First().Value.EnumerateObject())
        {
            if (library.Value.TryGetProperty("runtime", out var runtime))
            {
                wanted.UnionWith(runtime.EnumerateObject().Select(f => Path.GetFileName(f.Name)));
            }
        }

        foreach (var file in wanted)
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, file), Path.Combine(source, file));
        }

        File.SetUnixFileMode(Path.Combine(source, "tabby-cni"), File.GetUnixFileMode(CniLab.PluginPath));
        return source;
    }

    private void WriteServiceAccount()
    {
        Directory.CreateDirectory(ServiceAccount);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(ServiceAccount, "ca.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(ServiceAccount, "token"), "token-123\n");
    }
}
