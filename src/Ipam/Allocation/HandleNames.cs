using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Tabby.Ipam.Allocation;

/// <summary>
/// IPAMHandle object names. Handle IDs (<c>k8s-pod-network.&lt;containerID&gt;</c>,
/// <c>ipip-tunnel-addr-&lt;node&gt;</c>) are stored verbatim in spec.handleID; the object name is the
/// lower-cased ID when that is a valid Kubernetes name, else a sanitised form with a hash suffix.
/// </summary>
public static partial class HandleNames
{
    public const string PodHandlePrefix = "k8s-pod-network.";

    public static string PodHandle(string containerId) => PodHandlePrefix + containerId;

    public static string IpipTunnelHandle(string node) => "ipip-tunnel-addr-" + node;

    public static string VxlanTunnelHandle(string node) => "vxlan-tunnel-addr-" + node;

    public static string ObjectName(string handleId)
    {
        var lower = handleId.ToLowerInvariant();
        if (lower.Length <= 253 && ValidName().IsMatch(lower))
        {
            return lower;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(handleId)))[..16];
        var cleaned = InvalidChars().Replace(lower, "-").Trim('-', '.');
        if (cleaned.Length > 200)
        {
            cleaned = cleaned[..200];
        }

        return (cleaned.Length == 0 ? "handle" : cleaned) + "-" + hash;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex ValidName();

    [GeneratedRegex("[^a-z0-9.-]")]
    private static partial Regex InvalidChars();
}
