using System.Security.Cryptography;
using System.Text;
using Tabby.Cni.Spec;
using Tabby.Ipam.Allocation;

namespace Tabby.Cni.Workloads;

/// <summary>
/// Who a CNI call is for. A Kubernetes pod is named by K8S_POD_NAMESPACE/K8S_POD_NAME; without them
/// (the lab, plain containerd) the workload is the container itself, recorded as a Pod named
/// <c>cni-&lt;containerID&gt;</c> in the <c>default</c> namespace.
/// </summary>
public sealed record WorkloadIdentity(string Namespace, string PodName, string ContainerId, bool FromKubernetesArgs)
{
    public const string DefaultNamespace = "default";

    /// <summary>IPAM handle of the container's addresses (Calico: <c>k8s-pod-network.&lt;containerID&gt;</c>).</summary>
    public string HandleId => HandleNames.PodHandle(ContainerId);

    /// <summary>
    /// The host-side veth: Calico's naming, so Felix and Calico find the same device:
    /// "cali" + the first 11 hex digits of sha1("&lt;namespace&gt;.&lt;pod&gt;") for pods, and
    /// "cali" + the first 11 characters of the container ID otherwise.
    /// </summary>
    public string HostVethName => FromKubernetesArgs
        ? "cali" + Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes($"{Namespace}.{PodName}")))[..11]
        : "cali" + ContainerId[..Math.Min(11, ContainerId.Length)];

    public static WorkloadIdentity From(CniEnvironment environment)
    {
        var args = environment.Args;
        if (args.PodName is not null || args.PodNamespace is not null)
        {
            if (args.PodName is null || args.PodNamespace is null)
            {
                throw new CniException(CniErrorCode.InvalidEnvironment, "CNI_ARGS must give both K8S_POD_NAMESPACE and K8S_POD_NAME, or neither");
            }

            return new WorkloadIdentity(args.PodNamespace, args.PodName, environment.ContainerId, true);
        }

        var name = "cni-" + environment.ContainerId.ToLowerInvariant().Replace('_', '-');
        if (name.Length > 63)
        {
            name = name[..63];
        }

        return new WorkloadIdentity(DefaultNamespace, name.TrimEnd('-', '.'), environment.ContainerId, false);
    }
}
