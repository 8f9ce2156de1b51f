using Microsoft.Extensions.Logging;
using Tabby.Cni.Addressing;
using Tabby.Cni.Config;
using Tabby.Cni.Dataplane;
using Tabby.Cni.Spec;
using Tabby.Cni.Workloads;
using Tabby.Datastore;
using Tabby.Datastore.Store;
using Tabby.Felix.Mtu;
using Tabby.Ipam.Allocation;

namespace Tabby.Cni.Plugin;

/// <summary>Everything one invocation works with: parameters, configuration, datastore, node.</summary>
public sealed class PluginContext : IAsyncDisposable
{
    private PluginContext(CniEnvironment environment, NetworkConfig config, IDatastore store, bool kubernetes, string node, ILoggerFactory loggers)
    {
        Environment = environment;
        Config = config;
        Store = store;
        Node = node;
        Loggers = loggers;
        var ipam = new IpamAllocator(store, Ipam.Pools.CalicoSelectorMatcher.Instance, logger: loggers.CreateLogger<IpamAllocator>());
        Addressing = new WorkloadAddressing(ipam, loggers.CreateLogger<WorkloadAddressing>());
        Records = new WorkloadRecords(store, kubernetes, loggers.CreateLogger<WorkloadRecords>());
        Dataplane = new WorkloadDataplane(loggers.CreateLogger<WorkloadDataplane>());
    }

    public CniEnvironment Environment { get; }

    public NetworkConfig Config { get; }

    public IDatastore Store { get; }

    /// <summary>This node's name: blocks are claimed with affinity to it.</summary>
    public string Node { get; }

    public ILoggerFactory Loggers { get; }

    public WorkloadAddressing Addressing { get; }

    public WorkloadRecords Records { get; }

    public WorkloadDataplane Dataplane { get; }

    public static PluginContext Create(CniEnvironment environment, NetworkConfig config, Func<string, string?> getEnvironment, ILoggerFactory loggers)
    {
        DatastoreSettings settings;
        IDatastore store;
        try
        {
            settings = config.DatastoreSettings(DatastoreSettings.FromEnvironment());
            store = DatastoreFactory.Create(settings, loggers);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or NotSupportedException)
        {
            // A bad type, endpoint list or kubeconfig: the configuration is wrong.
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"datastore: {e.Message}", null, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new CniException(CniErrorCode.IoFailure, $"datastore: {e.Message}", null, e);
        }

        return new PluginContext(environment, config, store, settings.EffectiveType == DatastoreType.Kubernetes, ResolveNode(config, getEnvironment), loggers);
    }

    /// <summary>Waits for this host's IPAM lock (see <see cref="IpamHostLock"/>); dispose to release.</summary>
    public async Task<IDisposable> LockIpamAsync(CancellationToken cancellationToken) =>
        await IpamHostLock.AcquireAsync(Config.IpamLockFile, cancellationToken).ConfigureAwait(false);

    /// <summary>The pod MTU: the configuration's, else the agent's MTU file, else 1500.</summary>
    public int PodMtu()
    {
        if (Config.Mtu is { } mtu)
        {
            return mtu;
        }

        try
        {
            return MtuFile.Read(Config.MtuFile) ?? 1500;
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            throw new CniException(CniErrorCode.IoFailure, $"mtu_file {Config.MtuFile}: {e.Message}", null, e);
        }
    }

    /// <summary>nodename in the configuration, else nodename_file (written by the agent), else NODENAME / KUBERNETES_NODE_NAME, else the host name.</summary>
    private static string ResolveNode(NetworkConfig config, Func<string, string?> getEnvironment)
    {
        if (!string.IsNullOrWhiteSpace(config.NodeName))
        {
            return config.NodeName.Trim();
        }

        if (File.Exists(config.NodenameFile) && File.ReadAllText(config.NodenameFile).Trim() is { Length: > 0 } fromFile)
        {
            return fromFile;
        }

        return getEnvironment("NODENAME") is { Length: > 0 } env ? env
            : getEnvironment("KUBERNETES_NODE_NAME") is { Length: > 0 } k8s ? k8s
            : System.Net.Dns.GetHostName();
    }

    public async ValueTask DisposeAsync() => await Store.DisposeAsync().ConfigureAwait(false);
}
