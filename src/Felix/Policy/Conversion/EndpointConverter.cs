using System.Net;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Conversion;

/// <summary>Pods and namespaces to the endpoints and namespace labels policy works on.</summary>
public static class EndpointConverter
{
    /// <summary>
    /// The workload endpoint of <paramref name="pod"/>, or null for host-network pods (they are the
    /// host as far as policy goes). <paramref name="interfaceName"/> is the host-side interface when
    /// the pod runs on this node.
    /// </summary>
    public static Endpoint? FromPod(Pod pod, string? interfaceName = null)
    {
        if (pod.Spec.HostNetwork == true)
        {
            return null;
        }

        var addresses = new List<IPAddress>();
        foreach (var text in (pod.Status?.PodIPs?.Select(p => p.Ip) ?? []).Append(pod.Status?.PodIP))
        {
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            if (!IPAddress.TryParse(text, out var address))
            {
                throw new PolicyValidationException("status.podIPs", $"\"{text}\" is not an IP address");
            }

            if (!addresses.Contains(address))
            {
                addresses.Add(address);
            }
        }

        var ports = new List<NamedPort>();
        foreach (var container in pod.Spec.Containers ?? [])
        {
            foreach (var port in container.Ports ?? [])
            {
                if (string.IsNullOrEmpty(port.Name))
                {
                    continue;
                }

                var field = $"spec.containers[{container.Name}].ports[{port.Name}]";
                if (port.ContainerPort is < 1 or > 65535)
                {
                    throw new PolicyValidationException(field, $"containerPort {port.ContainerPort} is outside 1-65535");
                }

                ports.Add(new NamedPort(port.Name, Protocol.Parse(port.Protocol ?? "TCP", $"{field}.protocol"), (ushort)port.ContainerPort));
            }
        }

        return new Endpoint
        {
            Namespace = pod.Namespace ?? "default",
            Name = pod.Name,
            Labels = pod.Metadata.Labels ?? [],
            ServiceAccount = string.IsNullOrEmpty(pod.Spec.ServiceAccountName) ? "default" : pod.Spec.ServiceAccountName,
            Addresses = addresses,
            NamedPorts = ports,
            InterfaceName = interfaceName,
        };
    }

    public static NamespaceInfo FromNamespace(KubeNamespace ns) => NamespaceInfo.Create(ns.Name, ns.Metadata.Labels);
}
