using System.Net;
using Tabby.Cni.Spec;
using Tabby.Cni.Workloads;

namespace Tabby.Cni.Plugin;

/// <summary>
/// CHECK (0.4.0+): the container's interface, addresses and default routes, the host veth with its
/// routes, and the IPAM allocation all still match the previous result. Any difference is an error
/// listing every problem found.
/// </summary>
public static class CheckCommand
{
    public static async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var environment = context.Environment;
        var identity = WorkloadIdentity.From(environment);
        var previous = context.Config.PrevResult
            ?? throw new CniException(CniErrorCode.InvalidNetworkConfig, "prevResult is required for CHECK");

        var addresses = AddressesOnOurInterface(previous, environment);
        if (addresses.Count == 0)
        {
            throw new CniException(CniErrorCode.CheckFailed, $"prevResult has no address on {environment.IfName} in {environment.NetNs}");
        }

        var problems = context.Dataplane.Verify(environment.NetNs, environment.IfName, identity.HostVethName, addresses);
        var held = await context.Addressing.HeldByAsync(identity.HandleId, cancellationToken).ConfigureAwait(false);
        foreach (var address in addresses.Where(a => !held.Contains(a)))
        {
            problems.Add($"IPAM does not hold {address} for {identity.HandleId}");
        }

        if (problems.Count > 0)
        {
            throw new CniException(CniErrorCode.CheckFailed, $"CHECK of {environment.ContainerId} found {problems.Count} problem(s)", string.Join("; ", problems));
        }
    }

    /// <summary>IPs of the result that belong to CNI_IFNAME in CNI_NETNS (those without an interface index count too).</summary>
    private static List<IPAddress> AddressesOnOurInterface(CniResult result, CniEnvironment environment) =>
        result.Ips
            .Where(ip => ip.Interface is not { } index
                || (result.Interfaces[index].Name == environment.IfName && (result.Interfaces[index].Sandbox ?? environment.NetNs) == environment.NetNs))
            .Select(ip => ip.Address.Address)
            .ToList();
}
