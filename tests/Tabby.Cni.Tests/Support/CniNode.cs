using System.Diagnostics;
using System.Globalization;
using Tabby.Testing.Namespaces;
using Tabby.Testing.Processes;

namespace Tabby.Cni.Tests.Support;

/// <summary>
/// A "node": a network namespace standing in for the host (the plugin runs inside it through
/// <c>ip netns exec</c>, as if the runtime ran there) and the node name its configuration carries.
/// </summary>
public sealed class CniNode(CniLab lab, string name) : IDisposable
{
    private static int _pods;

    public string Name { get; } = name;

    public NetworkNamespace Host { get; } = CreateHost(name);

    /// <summary>The configuration this node's runtime would pass (see <see cref="CniLab.Config"/>).</summary>
    public string Config(bool ipv6 = false, string version = "1.0.0", string? extra = null, int? mtu = 1400) => lab.Config(Name, ipv6, version, extra, mtu);

    public PodSandbox CreatePod(string? name = null, string podNamespace = "default", bool kubernetesArgs = true)
    {
        var n = Interlocked.Increment(ref _pods);
        var podName = name ?? string.Create(CultureInfo.InvariantCulture, $"pod-{n}");
        var containerId = Guid.NewGuid().ToString("N");
        return new PodSandbox(NetworkNamespace.Create("pod"), podNamespace, podName, containerId, kubernetesArgs);
    }

    public Task<CniInvocation> AddAsync(PodSandbox pod, string? config = null, string ifName = "eth0") =>
        InvokeAsync("ADD", config ?? Config(), pod.ContainerId, pod.Netns.NamespacePath, ifName, pod.Args);

    public Task<CniInvocation> DelAsync(PodSandbox pod, string? config = null, string? netns = null, string ifName = "eth0") =>
        InvokeAsync("DEL", config ?? Config(), pod.ContainerId, netns ?? pod.Netns.NamespacePath, ifName, pod.Args);

    public Task<CniInvocation> CheckAsync(PodSandbox pod, string config, string ifName = "eth0") =>
        InvokeAsync("CHECK", config, pod.ContainerId, pod.Netns.NamespacePath, ifName, pod.Args);

    /// <summary>Runs the built plugin inside this node's namespace with the CNI_* environment and the configuration on stdin.</summary>
    public async Task<CniInvocation> InvokeAsync(string command, string config, string? containerId, string? netns, string ifName, string? args)
    {
        var environment = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = containerId ?? "",
            ["CNI_NETNS"] = netns ?? "",
            ["CNI_IFNAME"] = ifName,
            ["CNI_ARGS"] = args ?? "",
            ["CNI_PATH"] = "/opt/cni/bin",
            ["TABBY_CNI_LOG_LEVEL"] = "info",
        };
        var stopwatch = Stopwatch.StartNew();
        var result = await Command.RunAsync("ip", ["netns", "exec", Host.Name, CniLab.PluginPath], environment, TimeSpan.FromSeconds(120), config);
        return new CniInvocation(command, result.ExitCode, result.StandardOutput, result.StandardError, stopwatch.Elapsed);
    }

    /// <summary>Interface names in the host namespace other than lo.</summary>
    public List<string> HostInterfaces() => Links(Host);

    public static List<string> Links(NetworkNamespace ns) =>
        ns.Ip("-o", "link", "show").StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':')[1].Trim().Split('@')[0])
            .Where(n => n != "lo")
            .ToList();

    public void Dispose() => Host.Dispose();

    private static NetworkNamespace CreateHost(string name)
    {
        var host = NetworkNamespace.Create(name);
        host.EnableForwarding();
        return host;
    }
}
