using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tabby.Cni.Addressing;
using Tabby.Cni.Dataplane;
using Tabby.Cni.Spec;
using Tabby.Cni.Workloads;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;

namespace Tabby.Cni.Plugin;

/// <summary>
/// ADD: addresses from IPAM under the container's handle (the ones it already holds when the
/// runtime retries), the veth plumbed, the endpoint recorded; the result merged after a previous
/// plugin's. Any failure undoes this call's work: the addresses are released and the veth removed,
/// so a failed ADD leaves nothing behind.
/// </summary>
public static class AddCommand
{
    public static async Task<CniResult> RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var environment = context.Environment;
        var config = context.Config;
        var identity = WorkloadIdentity.From(environment);
        var logger = context.Loggers.CreateLogger(typeof(AddCommand));
        if (!NamespaceFile.Exists(environment.NetNs))
        {
            throw new CniException(CniErrorCode.ContainerUnknown, $"CNI_NETNS {environment.NetNs} does not exist");
        }

        var (pod, ns) = await context.Records.LookupAsync(identity, cancellationToken).ConfigureAwait(false);
        var annotations = PodAnnotations.Parse(pod?.Metadata.Annotations, ns?.Metadata.Annotations);
        var mtu = context.PodMtu();
        var hostVeth = identity.HostVethName;

        List<IPAddress> addresses;
        using (await context.LockIpamAsync(cancellationToken).ConfigureAwait(false))
        {
            addresses = await context.Addressing.HeldByAsync(identity.HandleId, cancellationToken).ConfigureAwait(false);
            if (addresses.Count > 0)
            {
                logger.LogInformation("{Handle} already holds {Addresses}: ADD retried, reusing them", identity.HandleId, string.Join(", ", addresses));
            }
            else
            {
                var request = await BuildRequestAsync(context, identity, annotations, ns, cancellationToken).ConfigureAwait(false);
                addresses = await context.Addressing.AssignAsync(request, cancellationToken).ConfigureAwait(false);
            }
        }

        WorkloadInterfaces? interfaces = null;
        try
        {
            interfaces = context.Dataplane.Setup(environment.NetNs, environment.IfName, hostVeth, mtu, addresses);
            var labels = new Dictionary<string, string>(config.Labels, StringComparer.Ordinal);
            await context.Records.RecordAsync(identity, context.Node, hostVeth, addresses, labels, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            logger.LogError("ADD of {Container} failed ({Error}); removing what it created", environment.ContainerId, failure.Message);
            if (interfaces is not null)
            {
                TryRun(logger, "remove the veth", () => context.Dataplane.Teardown(environment.NetNs, environment.IfName, hostVeth));
            }

            try
            {
                using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                using (await context.LockIpamAsync(cleanup.Token).ConfigureAwait(false))
                {
                    await context.Addressing.ReleaseAsync(identity.HandleId, cleanup.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                logger.LogError("Could not release {Handle} after a failed ADD: {Error} (the runtime's DEL will retry)", identity.HandleId, e.Message);
            }

            throw;
        }

        return BuildResult(config.PrevResult, interfaces, environment.NetNs, addresses);
    }

    private static async Task<AddressRequest> BuildRequestAsync(PluginContext context, WorkloadIdentity identity, PodAnnotations annotations,
        Datastore.Resources.Kubernetes.KubeNamespace? ns, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var pinned = annotations.IpAddrs.Count > 0 ? annotations.IpAddrs : RequestedIps(context);
        foreach (var address in pinned)
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6 ? !config.Ipam.AssignIPv6 : !config.Ipam.AssignIPv4)
            {
                throw new CniException(CniErrorCode.InvalidNetworkConfig,
                    $"{address} was requested but ipam.{(address.AddressFamily == AddressFamily.InterNetworkV6 ? "assign_ipv6" : "assign_ipv4")} is false");
            }
        }

        return new AddressRequest
        {
            Node = context.Node,
            HandleId = identity.HandleId,
            Attributes = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [AllocationAttributeKeys.Namespace] = identity.Namespace,
                [AllocationAttributeKeys.Pod] = identity.PodName,
                [AllocationAttributeKeys.Node] = context.Node,
                [AllocationAttributeKeys.Timestamp] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.fffffff zzz", System.Globalization.CultureInfo.InvariantCulture),
            },
            IPv4 = config.Ipam.AssignIPv4,
            IPv6 = config.Ipam.AssignIPv6,
            IPv4Pools = annotations.IPv4Pools ?? config.Ipam.IPv4Pools,
            IPv6Pools = annotations.IPv6Pools ?? config.Ipam.IPv6Pools,
            Pinned = pinned,
            NodeLabels = await NodeLabelsAsync(context, cancellationToken).ConfigureAwait(false),
            NamespaceLabels = ns?.Metadata.Labels ?? new Dictionary<string, string>(),
        };
    }

    /// <summary>CNI_ARGS IP=a,b, runtimeConfig.ips and args.cni.ips, in that order, without duplicates.</summary>
    private static List<IPAddress> RequestedIps(PluginContext context)
    {
        var result = new List<IPAddress>();
        foreach (var text in (context.Environment.Args.RequestedIps ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            result.Add(IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address)
                ? address
                : throw new CniException(CniErrorCode.InvalidEnvironment, $"CNI_ARGS IP: \"{text}\" is not an IP address"));
        }

        result.AddRange(context.Config.RequestedIps);
        return result.Distinct().ToList();
    }

    /// <summary>The node's labels for pool nodeSelectors: the Kubernetes Node's, else the Calico Node's.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> NodeLabelsAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var kubeNode = await context.Store.GetAsync(ResourceKinds.KubeNodes, context.Node, null, cancellationToken).ConfigureAwait(false);
        if (kubeNode?.Metadata.Labels is { } labels)
        {
            return labels;
        }

        var calicoNode = await context.Store.GetAsync(ResourceKinds.CalicoNodes, context.Node, null, cancellationToken).ConfigureAwait(false);
        return calicoNode?.Metadata.Labels ?? new Dictionary<string, string>();
    }

    /// <summary>The previous result (if any) with our two interfaces, the pod's addresses on the container one, and its default routes.</summary>
    internal static CniResult BuildResult(CniResult? previous, WorkloadInterfaces interfaces, string netNs, IReadOnlyList<IPAddress> addresses)
    {
        var result = previous is null ? new CniResult() : previous with
        {
            Interfaces = [.. previous.Interfaces],
            Ips = [.. previous.Ips],
            Routes = [.. previous.Routes],
        };
        result.Interfaces.Add(new ResultInterface(interfaces.HostName, interfaces.HostMac, null));
        var containerIndex = result.Interfaces.Count;
        result.Interfaces.Add(new ResultInterface(interfaces.ContainerName, interfaces.ContainerMac, netNs) { Mtu = interfaces.Mtu });
        foreach (var address in addresses)
        {
            result.Ips.Add(new ResultIp(CidrAddress.Host(address), null, containerIndex));
        }

        if (addresses.Any(a => a.AddressFamily == AddressFamily.InterNetwork))
        {
            result.Routes.Add(new ResultRoute(WorkloadLink.IPv4Default, WorkloadLink.IPv4Gateway));
        }

        if (addresses.Any(a => a.AddressFamily == AddressFamily.InterNetworkV6))
        {
            result.Routes.Add(new ResultRoute(WorkloadLink.IPv6Default, WorkloadLink.IPv6Gateway));
        }

        return result;
    }

    private static void TryRun(ILogger logger, string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            logger.LogError("Could not {What}: {Error}", what, e.Message);
        }
    }
}
