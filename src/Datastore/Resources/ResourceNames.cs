using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Tabby.Datastore.Resources;

/// <summary>Calico's naming rules for IPAM objects.</summary>
public static class ResourceNames
{
    /// <summary>Kubernetes object names are at most 253 characters (DNS subdomain).</summary>
    public const int MaxNameLength = 253;

    /// <summary>Block name: the CIDR with '.', ':' and '/' replaced by '-' (<c>10-148-158-64-26</c>).</summary>
    public static string BlockName(string cidr) =>
        cidr.Replace('.', '-').Replace(':', '-').Replace('/', '-');

    /// <summary>
    /// BlockAffinity name <c>&lt;node&gt;-&lt;block name&gt;</c>; names over 253 characters are
    /// truncated and end in a hash of the full name so distinct long names stay distinct.
    /// </summary>
    public static string AffinityName(string node, string cidr)
    {
        var name = node + "-" + BlockName(cidr);
        if (name.Length <= MaxNameLength)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16];
        return name[..(MaxNameLength - hash.Length - 1)].TrimEnd('-', '.') + "-" + hash;
    }

    /// <summary>
    /// Recovers a CIDR from its dashed form (the inverse of <see cref="BlockName"/>) when it is
    /// unambiguous: IPv4 from exactly five numeric parts; IPv6 by restoring ':' and checking the
    /// result re-dashes to the same text.
    /// </summary>
    public static bool TryParseDashedCidr(string dashed, out IPNetwork network)
    {
        network = default;
        var lastDash = dashed.LastIndexOf('-');
        if (lastDash <= 0 || !int.TryParse(dashed.AsSpan(lastDash + 1), out var prefix))
        {
            return false;
        }

        var address = dashed[..lastDash];
        var v4 = address.Replace('-', '.');
        if (address.Count(c => c == '-') == 3 && IPAddress.TryParse(v4, out var ip4) &&
            ip4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork &&
            IPNetwork.TryParse(v4 + "/" + prefix, out network) && BlockName(network.ToString()) == dashed)
        {
            return true;
        }

        var v6 = address.Replace('-', ':');
        return IPAddress.TryParse(v6, out var ip6) && ip6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 &&
            IPNetwork.TryParse(v6 + "/" + prefix, out network) && BlockName(network.ToString()) == dashed;
    }
}
