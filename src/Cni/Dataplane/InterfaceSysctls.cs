using System.Globalization;
using Tabby.Cni.Spec;

namespace Tabby.Cni.Dataplane;

/// <summary>
/// Per-interface sysctls of the host-side veth, as Felix and Calico's plugin set them
/// (shared/reference/calico-compat.md "Felix dataplane facts"). Written through /proc/sys, which
/// resolves net.* to the network namespace of the writing process: the plugin runs in the host's.
/// </summary>
internal static class InterfaceSysctls
{
    private const string Root = "/proc/sys/net";

    /// <summary>IPv4: answer ARP for every address (the pod's gateway 169.254.1.1 exists nowhere), no proxy delay, forward, allow 127/8 sources (kube-proxy nodeports on localhost).</summary>
    public static void ConfigureIPv4(string hostVeth)
    {
        Write($"{Root}/ipv4/conf/{hostVeth}/proxy_arp", 1);
        Write($"{Root}/ipv4/neigh/{hostVeth}/proxy_delay", 0);
        Write($"{Root}/ipv4/conf/{hostVeth}/forwarding", 1);
        Write($"{Root}/ipv4/conf/{hostVeth}/route_localnet", 1);
    }

    /// <summary>IPv6: proxy NDP, forward, ignore router advertisements (set before the link comes up so no SLAAC address appears).</summary>
    public static void ConfigureIPv6(string hostVeth)
    {
        var directory = $"{Root}/ipv6/conf/{hostVeth}";
        if (!Directory.Exists(directory))
        {
            throw new CniException(CniErrorCode.DataplaneFailure,
                $"IPv6 addresses were assigned but IPv6 is disabled on the host ({directory} does not exist)");
        }

        Write($"{directory}/disable_ipv6", 0);
        Write($"{directory}/accept_ra", 0);
        Write($"{directory}/proxy_ndp", 1);
        Write($"{directory}/forwarding", 1);
    }

    /// <summary>The value of a sysctl under /proc/sys/net, or null when it does not exist (CHECK).</summary>
    public static int? Read(string relativePath)
    {
        var path = $"{Root}/{relativePath}";
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }

    private static void Write(string path, int value)
    {
        try
        {
            File.WriteAllText(path, value.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CniException(CniErrorCode.DataplaneFailure, $"cannot set {path} to {value}", e.Message, e);
        }
    }
}
