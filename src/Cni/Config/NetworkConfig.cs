using System.Net;
using System.Text.Json;
using Tabby.Cni.Spec;
using Tabby.Datastore;

namespace Tabby.Cni.Config;

/// <summary>
/// The plugin's network configuration as the runtime passes it on stdin (one entry of a conflist,
/// with <c>name</c> and <c>cniVersion</c> copied in, plus <c>prevResult</c>/<c>runtimeConfig</c>
/// when present). Field names follow Calico's plugin so a Calico conflist works unchanged:
/// <c>nodename</c>, <c>mtu</c>, <c>datastore_type</c>, <c>etcd_endpoints</c>,
/// <c>kubernetes.kubeconfig</c>, <c>ipam.assign_ipv4/assign_ipv6/ipv4_pools/ipv6_pools</c>;
/// Tabby adds <c>datastore_dir</c> (embedded store), <c>mtu_file</c> and <c>nodename_file</c>.
/// </summary>
public sealed record NetworkConfig
{
    public const string DefaultMtuFile = "/var/lib/tabby/mtu";
    public const string DefaultNodenameFile = "/var/lib/tabby/nodename";
    public const string DefaultIpamLockFile = "/var/run/tabby/ipam.lock";

    public required string CniVersion { get; init; }

    public required string Name { get; init; }

    public string Type { get; init; } = "tabby-cni";

    public string? NodeName { get; init; }

    public string NodenameFile { get; init; } = DefaultNodenameFile;

    /// <summary>Explicit pod MTU; null: read <see cref="MtuFile"/> (written by the agent), else 1500.</summary>
    public int? Mtu { get; init; }

    public string MtuFile { get; init; } = DefaultMtuFile;

    public string? DatastoreType { get; init; }

    public string? EtcdEndpoints { get; init; }

    public string? EtcdKeyFile { get; init; }

    public string? EtcdCertFile { get; init; }

    public string? EtcdCaCertFile { get; init; }

    public string? Kubeconfig { get; init; }

    public string? DatastoreDirectory { get; init; }

    public string? LogLevel { get; init; }

    /// <summary>The host-wide lock that serializes IPAM among concurrent invocations on this node.</summary>
    public string IpamLockFile { get; init; } = DefaultIpamLockFile;

    public IpamConfig Ipam { get; init; } = new();

    /// <summary>The previous plugin's result (chained plugins; required for CHECK).</summary>
    public CniResult? PrevResult { get; init; }

    /// <summary>Addresses asked for through the "ips" capability (runtimeConfig.ips) or args.cni.ips.</summary>
    public IReadOnlyList<IPAddress> RequestedIps { get; init; } = [];

    /// <summary>Labels given in args.cni.labels (CNI conventions), for workloads the lab starts without Kubernetes.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>GC: the attachments the runtime still uses (cni.dev/valid-attachments).</summary>
    public IReadOnlyList<(string ContainerId, string IfName)> ValidAttachments { get; init; } = [];

    /// <summary>The datastore these settings select; the config's fields win over the environment's.</summary>
    public DatastoreSettings DatastoreSettings(DatastoreSettings fromEnvironment)
    {
        var settings = fromEnvironment;
        if (!string.IsNullOrEmpty(DatastoreType))
        {
            settings = settings with { Type = ParseDatastoreType(DatastoreType) };
        }

        if (!string.IsNullOrEmpty(EtcdEndpoints))
        {
            settings = settings with { EtcdEndpoints = ParseEtcdEndpoints(EtcdEndpoints) };
        }

        if (!string.IsNullOrEmpty(EtcdKeyFile) || !string.IsNullOrEmpty(EtcdCertFile) || !string.IsNullOrEmpty(EtcdCaCertFile))
        {
            settings = settings with { EtcdKeyFile = NullIfEmpty(EtcdKeyFile), EtcdCertFile = NullIfEmpty(EtcdCertFile), EtcdCaCertFile = NullIfEmpty(EtcdCaCertFile) };
        }

        if (!string.IsNullOrEmpty(Kubeconfig))
        {
            settings = settings with { KubeconfigPaths = [Kubeconfig] };
        }

        if (!string.IsNullOrEmpty(DatastoreDirectory))
        {
            settings = settings with { EmbeddedDirectory = DatastoreDirectory };
        }

        return settings;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static Datastore.DatastoreType ParseDatastoreType(string text)
    {
        try
        {
            return Datastore.DatastoreSettings.ParseType(text);
        }
        catch (ArgumentException e)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"datastore_type: {e.Message.Split(" (Parameter")[0]}");
        }
    }

    private static IReadOnlyList<Uri> ParseEtcdEndpoints(string text)
    {
        try
        {
            return Datastore.DatastoreSettings.ParseEndpoints(text);
        }
        catch (ArgumentException e)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"etcd_endpoints: {e.Message.Split(" (Parameter")[0]}");
        }
    }
}

/// <summary>The <c>ipam</c> section: Tabby's IPAM runs inside the plugin (type tabby-ipam, or calico-ipam for Calico conflists).</summary>
public sealed record IpamConfig
{
    public string Type { get; init; } = "tabby-ipam";

    public bool AssignIPv4 { get; init; } = true;

    public bool AssignIPv6 { get; init; }

    public IReadOnlyList<string> IPv4Pools { get; init; } = [];

    public IReadOnlyList<string> IPv6Pools { get; init; } = [];
}
