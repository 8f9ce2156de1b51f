using System.Globalization;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Datastore.Store;

namespace Tabby.Datastore.Kubernetes;

/// <summary>
/// On the Kubernetes datastore a Calico Node is not an object of its own: as in Calico's KDD mode,
/// its BGP address, AS number, tunnel addresses and route-reflector cluster ID are annotations
/// (<see cref="CalicoNodeAnnotations"/>) on the Kubernetes Node, and its resourceVersion is the
/// Node's. Writes are compare-and-swap on the Node.
/// </summary>
internal static class CalicoNodeMapping
{
    private static readonly string[] AllAnnotations =
    [
        CalicoNodeAnnotations.IPv4Address, CalicoNodeAnnotations.IPv6Address, CalicoNodeAnnotations.AsNumber,
        CalicoNodeAnnotations.IPv4IpipTunnelAddr, CalicoNodeAnnotations.IPv4VxlanTunnelAddr, CalicoNodeAnnotations.VxlanTunnelMacAddr,
        CalicoNodeAnnotations.IPv6VxlanTunnelAddr, CalicoNodeAnnotations.VxlanTunnelMacAddrV6, CalicoNodeAnnotations.RouteReflectorClusterId,
    ];

    public static CalicoNode FromKubernetes(KubeNode node)
    {
        var annotations = node.Metadata.Annotations ?? [];
        string? A(string key) => annotations.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        var spec = new CalicoNodeSpec
        {
            IPv4VxlanTunnelAddr = A(CalicoNodeAnnotations.IPv4VxlanTunnelAddr),
            VxlanTunnelMacAddr = A(CalicoNodeAnnotations.VxlanTunnelMacAddr),
            IPv6VxlanTunnelAddr = A(CalicoNodeAnnotations.IPv6VxlanTunnelAddr),
            VxlanTunnelMacAddrV6 = A(CalicoNodeAnnotations.VxlanTunnelMacAddrV6),
            Addresses = node.Status?.Addresses?.Where(a => a.Type is "InternalIP" or "ExternalIP")
                .Select(a => new NodeAddress { Address = a.Address, Type = a.Type }).ToList() is { Count: > 0 } list ? list : null,
        };
        if (A(CalicoNodeAnnotations.IPv4Address) is not null || A(CalicoNodeAnnotations.IPv6Address) is not null ||
            A(CalicoNodeAnnotations.RouteReflectorClusterId) is not null || A(CalicoNodeAnnotations.IPv4IpipTunnelAddr) is not null)
        {
            spec.Bgp = new NodeBgpSpec
            {
                IPv4Address = A(CalicoNodeAnnotations.IPv4Address),
                IPv6Address = A(CalicoNodeAnnotations.IPv6Address),
                AsNumber = A(CalicoNodeAnnotations.AsNumber) is { } asn && AsNumberConverter.TryParse(asn, out var n) ? n : null,
                IPv4IpipTunnelAddr = A(CalicoNodeAnnotations.IPv4IpipTunnelAddr),
                RouteReflectorClusterId = A(CalicoNodeAnnotations.RouteReflectorClusterId),
            };
        }

        return new CalicoNode
        {
            ApiVersion = ResourceKinds.CalicoNodes.ApiVersion,
            Kind = ResourceKinds.CalicoNodes.Kind,
            Metadata = new ObjectMeta
            {
                Name = node.Metadata.Name,
                Uid = node.Metadata.Uid,
                ResourceVersion = node.Metadata.ResourceVersion,
                CreationTimestamp = node.Metadata.CreationTimestamp,
                Labels = node.Metadata.Labels,
            },
            Spec = spec,
        };
    }

    /// <summary>Writes the Calico fields of <paramref name="calico"/> into the Node's annotations.</summary>
    public static void ApplyTo(CalicoNode calico, KubeNode node)
    {
        var annotations = node.Metadata.Annotations ??= [];
        foreach (var key in AllAnnotations)
        {
            annotations.Remove(key);
        }

        void Set(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                annotations[key] = value;
            }
        }

        var bgp = calico.Spec.Bgp;
        Set(CalicoNodeAnnotations.IPv4Address, bgp?.IPv4Address);
        Set(CalicoNodeAnnotations.IPv6Address, bgp?.IPv6Address);
        Set(CalicoNodeAnnotations.AsNumber, bgp?.AsNumber?.ToString(CultureInfo.InvariantCulture));
        Set(CalicoNodeAnnotations.IPv4IpipTunnelAddr, bgp?.IPv4IpipTunnelAddr);
        Set(CalicoNodeAnnotations.RouteReflectorClusterId, bgp?.RouteReflectorClusterId);
        Set(CalicoNodeAnnotations.IPv4VxlanTunnelAddr, calico.Spec.IPv4VxlanTunnelAddr);
        Set(CalicoNodeAnnotations.VxlanTunnelMacAddr, calico.Spec.VxlanTunnelMacAddr);
        Set(CalicoNodeAnnotations.IPv6VxlanTunnelAddr, calico.Spec.IPv6VxlanTunnelAddr);
        Set(CalicoNodeAnnotations.VxlanTunnelMacAddrV6, calico.Spec.VxlanTunnelMacAddrV6);
        if (calico.Metadata.Labels is not null)
        {
            node.Metadata.Labels = new Dictionary<string, string>(calico.Metadata.Labels);
        }
    }

    private static bool HasCalicoFields(KubeNode node) =>
        node.Metadata.Annotations?.Keys.Any(k => AllAnnotations.Contains(k)) == true;

    public static async Task<CalicoNode> CreateAsync(IDatastore store, CalicoNode calico, CancellationToken cancellationToken)
    {
        var node = await store.GetAsync(ResourceKinds.KubeNodes, calico.Name, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ResourceNotFoundException(ResourceKinds.KubeNodes, calico.Name, null);
        if (HasCalicoFields(node))
        {
            throw new ResourceAlreadyExistsException(ResourceKinds.CalicoNodes, calico.Name, null);
        }

        ApplyTo(calico, node);
        return FromKubernetes(await store.UpdateAsync(ResourceKinds.KubeNodes, node, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<CalicoNode> UpdateAsync(IDatastore store, CalicoNode calico, CancellationToken cancellationToken)
    {
        var node = await store.GetAsync(ResourceKinds.KubeNodes, calico.Name, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ResourceNotFoundException(ResourceKinds.CalicoNodes, calico.Name, null);
        if (!string.IsNullOrEmpty(calico.Metadata.ResourceVersion) && calico.Metadata.ResourceVersion != node.Metadata.ResourceVersion)
        {
            throw new ResourceConflictException(ResourceKinds.CalicoNodes, calico.Name, null,
                $"resourceVersion {calico.Metadata.ResourceVersion} given, Node has {node.Metadata.ResourceVersion}");
        }

        ApplyTo(calico, node);
        try
        {
            return FromKubernetes(await store.UpdateAsync(ResourceKinds.KubeNodes, node, cancellationToken).ConfigureAwait(false));
        }
        catch (ResourceConflictException e)
        {
            throw new ResourceConflictException(ResourceKinds.CalicoNodes, calico.Name, null, e.Message);
        }
    }

    /// <summary>Removes the Calico annotations; the Kubernetes Node itself belongs to the kubelet and stays.</summary>
    public static async Task<CalicoNode> DeleteAsync(IDatastore store, string name, DeleteOptions? options, CancellationToken cancellationToken)
    {
        var node = await store.GetAsync(ResourceKinds.KubeNodes, name, null, cancellationToken).ConfigureAwait(false);
        if (node is null || !HasCalicoFields(node))
        {
            throw new ResourceNotFoundException(ResourceKinds.CalicoNodes, name, null);
        }

        if ((options?.Uid is { Length: > 0 } uid && uid != node.Metadata.Uid) ||
            (options?.ResourceVersion is { Length: > 0 } rv && rv != node.Metadata.ResourceVersion))
        {
            throw new ResourceConflictException(ResourceKinds.CalicoNodes, name, null, "delete precondition does not match the Node");
        }

        var last = FromKubernetes(node);
        ApplyTo(new CalicoNode { Metadata = new ObjectMeta { Name = name } }, node);
        var updated = await store.UpdateAsync(ResourceKinds.KubeNodes, node, cancellationToken).ConfigureAwait(false);
        last.Metadata.ResourceVersion = updated.Metadata.ResourceVersion;
        return last;
    }
}
