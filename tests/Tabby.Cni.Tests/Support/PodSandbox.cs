using Tabby.Testing.Namespaces;

namespace Tabby.Cni.Tests.Support;

/// <summary>A pod as the runtime sees it: its network namespace and the CNI_ARGS naming it.</summary>
public sealed class PodSandbox(NetworkNamespace netns, string podNamespace, string name, string containerId, bool kubernetesArgs = true) : IDisposable
{
    public NetworkNamespace Netns { get; } = netns;

    public string PodNamespace { get; } = podNamespace;

    public string Name { get; } = name;

    public string ContainerId { get; } = containerId;

    public string Args => kubernetesArgs ? $"IgnoreUnknown=1;K8S_POD_NAMESPACE={PodNamespace};K8S_POD_NAME={Name};K8S_POD_INFRA_CONTAINER_ID={ContainerId}" : "";

    public void Dispose() => Netns.Dispose();
}
