using System.Net;
using Microsoft.Extensions.Logging;
using Tabby.Cni.Addressing;
using Tabby.Cni.Spec;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Datastore.Store;

namespace Tabby.Cni.Workloads;

/// <summary>
/// The workload endpoint as policy sees it. Tabby has no WorkloadEndpoint kind: the endpoint is the
/// Pod object (namespace, name, labels, status.podIPs, spec.nodeName) plus annotations naming the
/// container and host interface. With Kubernetes the Pod is kubelet's: the plugin only annotates it
/// (Calico's podIP/podIPs/containerID) and kubelet fills status from the CNI result. Without
/// Kubernetes (embedded or etcd store, the lab) the plugin writes the whole Pod itself, creating it
/// when nobody did, and removes the ones it created on DEL.
/// </summary>
public sealed class WorkloadRecords(IDatastore store, bool kubernetes, ILogger logger)
{
    /// <summary>The host-side interface (cali...) of the pod's current sandbox.</summary>
    public const string InterfaceKey = "cni.tabby.io/interface";

    /// <summary>Marks Pods the plugin created (lab), so DEL removes only those.</summary>
    public const string CreatedByKey = "cni.tabby.io/created-by";

    private static readonly ResourceKind<Pod> Pods = ResourceKinds.Pods;

    /// <summary>The pod (null when it does not exist) and its namespace's labels/annotations.</summary>
    public async Task<(Pod? Pod, Datastore.Resources.Kubernetes.KubeNamespace? Namespace)> LookupAsync(WorkloadIdentity identity, CancellationToken cancellationToken)
    {
        var pod = await store.GetAsync(Pods, identity.PodName, identity.Namespace, cancellationToken).ConfigureAwait(false);
        if (pod is null && kubernetes && identity.FromKubernetesArgs)
        {
            throw new CniException(CniErrorCode.ContainerUnknown, $"pod {identity.Namespace}/{identity.PodName} does not exist in the Kubernetes API");
        }

        var ns = await store.GetAsync(ResourceKinds.Namespaces, identity.Namespace, null, cancellationToken).ConfigureAwait(false);
        return (pod, ns);
    }

    public async Task RecordAsync(WorkloadIdentity identity, string node, string hostVeth, IReadOnlyList<IPAddress> addresses,
        IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var ips = addresses.Select(a => a.ToString()).ToList();
        var podIps = string.Join(",", addresses.Select(a => CidrAddress.Host(a).ToString()));
        bool Apply(Pod pod)
        {
            var annotations = pod.Metadata.Annotations ??= [];
            annotations[PodAnnotations.PodIpKey] = addresses.Count > 0 ? CidrAddress.Host(addresses[0]).ToString() : "";
            annotations[PodAnnotations.PodIpsKey] = podIps;
            annotations[PodAnnotations.ContainerIdKey] = identity.ContainerId;
            annotations[InterfaceKey] = hostVeth;
            if (!kubernetes)
            {
                var podLabels = pod.Metadata.Labels ??= [];
                foreach (var (key, value) in labels)
                {
                    podLabels[key] = value;
                }

                pod.Spec.NodeName = node;
                pod.Status ??= new PodStatus();
                pod.Status.Phase = "Running";
                pod.Status.PodIP = ips.FirstOrDefault();
                pod.Status.PodIPs = ips.Select(ip => new PodIPEntry { Ip = ip }).ToList();
            }

            return true;
        }

        try
        {
            await store.MutateAsync(Pods, identity.PodName, identity.Namespace, Apply, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (DatastoreException e) when (kubernetes && e is not DatastoreUnavailableException)
        {
            // With Kubernetes the annotations are informational (kubelet reports the addresses from
            // the CNI result into status.podIPs, which policy reads): a refused write (RBAC without
            // pod update) must not fail the pod's start.
            logger.LogWarning("Could not annotate pod {Namespace}/{Pod} with its addresses: {Error}", identity.Namespace, identity.PodName, e.Message);
            return;
        }
        catch (ResourceNotFoundException) when (!kubernetes)
        {
            var pod = new Pod { ApiVersion = "v1", Kind = "Pod", Metadata = new ObjectMeta { Name = identity.PodName, Namespace = identity.Namespace } };
            Apply(pod);
            pod.Metadata.Annotations![CreatedByKey] = "tabby-cni";
            try
            {
                await store.CreateAsync(Pods, pod, cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceAlreadyExistsException)
            {
                // Created concurrently by someone else: update theirs instead.
                await store.MutateAsync(Pods, identity.PodName, identity.Namespace, Apply, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        logger.LogInformation("Recorded workload {Namespace}/{Pod} on {Node}: {Interface} {Addresses}", identity.Namespace, identity.PodName, node, hostVeth, podIps);
    }

    /// <summary>
    /// DEL: forgets the endpoint if it still belongs to this container (a newer sandbox of the same
    /// pod keeps its record). Pods the plugin created are deleted; others lose the addresses.
    /// </summary>
    public async Task RemoveAsync(WorkloadIdentity identity, CancellationToken cancellationToken)
    {
        if (kubernetes)
        {
            return;
        }

        var pod = await store.GetAsync(Pods, identity.PodName, identity.Namespace, cancellationToken).ConfigureAwait(false);
        if (pod?.Metadata.Annotations is not { } annotations
            || !annotations.TryGetValue(PodAnnotations.ContainerIdKey, out var containerId) || containerId != identity.ContainerId)
        {
            return;
        }

        if (annotations.ContainsKey(CreatedByKey))
        {
            try
            {
                await store.DeleteAsync(Pods, identity.PodName, identity.Namespace, new DeleteOptions { Uid = pod.Metadata.Uid }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ResourceNotFoundException or ResourceConflictException)
            {
                // Gone already, or replaced by a new pod of the same name: nothing of ours left.
            }

            return;
        }

        try
        {
            await store.MutateAsync(Pods, identity.PodName, identity.Namespace, p =>
            {
                if (p.Metadata.Annotations?.GetValueOrDefault(PodAnnotations.ContainerIdKey) != identity.ContainerId)
                {
                    return false;
                }

                p.Metadata.Annotations.Remove(PodAnnotations.PodIpKey);
                p.Metadata.Annotations.Remove(PodAnnotations.PodIpsKey);
                p.Metadata.Annotations.Remove(PodAnnotations.ContainerIdKey);
                p.Metadata.Annotations.Remove(InterfaceKey);
                if (p.Status is not null)
                {
                    p.Status.PodIP = null;
                    p.Status.PodIPs = null;
                }

                return true;
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException)
        {
            // Deleted meanwhile: nothing left to forget.
        }
    }
}
