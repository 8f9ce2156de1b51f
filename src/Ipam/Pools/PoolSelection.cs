using System.Net;
using System.Net.Sockets;
using Tabby.Datastore.Resources.Calico;

namespace Tabby.Ipam.Pools;

/// <summary>
/// Chooses the pools a request may use (Calico's rules): enabled, of the family, the use allowed,
/// the node and namespace selectors matching; explicitly requested pools must exist and be usable,
/// and are used in the order given.
/// </summary>
public sealed class PoolSelection(ISelectorMatcher selectors)
{
    public IReadOnlyList<IpamPool> Select(IReadOnlyList<IPPool> allPools, AddressFamily family, IReadOnlyList<string> requested,
        string use, IReadOnlyDictionary<string, string> hostLabels, IReadOnlyDictionary<string, string>? namespaceLabels)
    {
        var pools = allPools.Select(IpamPool.From).Where(p => p.Family == family).ToList();
        if (requested.Count > 0)
        {
            var chosen = new List<IpamPool>();
            foreach (var wanted in requested)
            {
                var pool = pools.FirstOrDefault(p => p.Name == wanted || SameCidr(p.Cidr, wanted))
                    ?? throw new IpamRequestException($"the requested pool \"{wanted}\" does not exist (or is not {FamilyName(family)})");
                if (pool.Disabled)
                {
                    throw new IpamRequestException($"the requested pool \"{wanted}\" is disabled");
                }

                if (!pool.Allows(use))
                {
                    throw new IpamRequestException($"the requested pool \"{wanted}\" does not allow use {use}");
                }

                chosen.Add(pool);
            }

            return chosen;
        }

        return pools
            .Where(p => !p.Disabled && p.Allows(use))
            .Where(p => selectors.Matches(p.Resource.Spec.NodeSelector, hostLabels))
            .Where(p => namespaceLabels is null || selectors.Matches(p.Resource.Spec.NamespaceSelector, namespaceLabels))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The pool whose CIDR contains <paramref name="address"/>, or null.</summary>
    public static IpamPool? Containing(IReadOnlyList<IPPool> allPools, IPAddress address) =>
        allPools.Select(IpamPool.From).FirstOrDefault(p => p.Cidr.Contains(address));

    public static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";

    private static bool SameCidr(IPNetwork cidr, string text) => IPNetwork.TryParse(text, out var other) && other.Equals(cidr);
}
