using System.Net;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;

namespace Tabby.Ipam.Gc;

/// <summary>
/// What exists right now: nodes and pods, with the addresses pods report. IPAM's garbage collector
/// and `ipam check` compare allocations against it.
/// </summary>
public sealed record WorkloadInventory(IReadOnlySet<string> Nodes, IReadOnlyDictionary<string, PodRecord> Pods)
{
    /// <summary>Key of <see cref="Pods"/>: <c>namespace/name</c>.</summary>
    public static string PodKey(string? ns, string name) => $"{ns ?? "default"}/{name}";

    public bool HasPod(string? ns, string name) => Pods.ContainsKey(PodKey(ns, name));

    /// <summary>
    /// Reads nodes (Kubernetes Nodes and Calico Nodes, so the lab's nodes count) and pods from the store.
    /// </summary>
    public static async Task<WorkloadInventory> LoadAsync(IDatastore store, CancellationToken cancellationToken = default)
    {
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in (await store.ListAsync(ResourceKinds.KubeNodes, null, cancellationToken).ConfigureAwait(false)).Items)
        {
            nodes.Add(node.Name);
        }

        foreach (var node in (await store.ListAsync(ResourceKinds.CalicoNodes, null, cancellationToken).ConfigureAwait(false)).Items)
        {
            nodes.Add(node.Name);
        }

        var pods = new Dictionary<string, PodRecord>(StringComparer.Ordinal);
        foreach (var pod in (await store.ListAsync(ResourceKinds.Pods, null, cancellationToken).ConfigureAwait(false)).Items)
        {
            var addresses = new List<IPAddress>();
            foreach (var text in (pod.Status?.PodIPs?.Select(p => p.Ip) ?? []).Append(pod.Status?.PodIP))
            {
                if (text is not null && IPAddress.TryParse(text, out var address) && !addresses.Contains(address))
                {
                    addresses.Add(address);
                }
            }

            pods[PodKey(pod.Namespace, pod.Name)] = new PodRecord(pod.Namespace ?? "default", pod.Name, pod.Spec?.NodeName, addresses);
        }

        return new WorkloadInventory(nodes, pods);
    }
}

public sealed record PodRecord(string Namespace, string Name, string? Node, IReadOnlyList<IPAddress> Addresses);

/// <summary>Why an allocation looks leaked, or null when its owner exists.</summary>
public static class LeakRules
{
    /// <summary>
    /// An allocation is leaked when what it was allocated for is gone: a tunnel address when its
    /// node is gone; a pod address when its pod or its node is gone; an address with no owner
    /// attributes only when the node recorded for it (or the block's host) is gone.
    /// </summary>
    public static string? WhyLeaked(AllocationAttribute? attribute, string? blockHost, WorkloadInventory inventory)
    {
        var secondary = attribute?.Secondary;
        string? Get(string key) => secondary is not null && secondary.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        var node = Get(AllocationAttributeKeys.Node) ?? blockHost;
        var type = Get(AllocationAttributeKeys.Type);
        if (type is AllocationAttributeKeys.IpipTunnelAddress or AllocationAttributeKeys.VxlanTunnelAddress)
        {
            return node is not null && !inventory.Nodes.Contains(node) ? $"tunnel address of deleted node {node}" : null;
        }

        if (Get(AllocationAttributeKeys.Pod) is { } pod)
        {
            var ns = Get(AllocationAttributeKeys.Namespace);
            if (!inventory.HasPod(ns, pod))
            {
                return $"pod {ns ?? "default"}/{pod} does not exist";
            }

            return node is not null && !inventory.Nodes.Contains(node) ? $"node {node} of pod {ns}/{pod} does not exist" : null;
        }

        return node is not null && !inventory.Nodes.Contains(node) ? $"node {node} does not exist" : null;
    }
}
