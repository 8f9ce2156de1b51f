using System.Net;
using System.Net.Sockets;
using Tabby.Datastore.Resources.Calico;

namespace Tabby.Ipam.Pools;

/// <summary>An IPPool as IPAM uses it: parsed CIDR and effective block size.</summary>
public sealed record IpamPool(IPPool Resource, IPNetwork Cidr, int BlockPrefix)
{
    public const int DefaultIPv4BlockSize = 26;
    public const int DefaultIPv6BlockSize = 122;

    public string Name => Resource.Name;

    public AddressFamily Family => Cidr.BaseAddress.AddressFamily;

    public bool Disabled => Resource.Spec.Disabled == true;

    public bool Allows(string use) =>
        Resource.Spec.AllowedUses is not { Count: > 0 } uses
            ? use is IPPoolAllowedUses.Workload or IPPoolAllowedUses.Tunnel
            : uses.Contains(use, StringComparer.Ordinal);

    public static IpamPool From(IPPool pool)
    {
        if (!IPNetwork.TryParse(pool.Spec.Cidr, out var cidr))
        {
            throw new IpamDataException($"IPPool {pool.Name}: spec.cidr \"{pool.Spec.Cidr}\" is not a CIDR");
        }

        var blockPrefix = pool.Spec.BlockSize
            ?? (cidr.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? DefaultIPv4BlockSize : DefaultIPv6BlockSize);
        if (blockPrefix < cidr.PrefixLength)
        {
            // A pool smaller than one block is one block of the pool's own size.
            blockPrefix = cidr.PrefixLength;
        }

        return new IpamPool(pool, cidr, blockPrefix);
    }
}
