using System.Globalization;
using System.Text.RegularExpressions;
using Tabby.Felix.Netlink.Links;

namespace Tabby.Felix.Mtu;

/// <summary>Which encapsulations are in use on this node (they decide the pod MTU).</summary>
[Flags]
public enum Encapsulations
{
    None = 0,
    Ipip = 1,
    Vxlan = 2,
    VxlanV6 = 4,
    WireGuard = 8,
}

/// <summary>
/// Calico's MTU rule (shared/reference/calico-compat.md): the host MTU is the smallest MTU of the
/// main interfaces (1460 when none matches); the pod MTU is that minus the largest overhead of the
/// encapsulations in use (IPIP 20, VXLAN 50, VXLAN over IPv6 70, WireGuard 60).
/// </summary>
public sealed partial class MtuDetector(Regex? mainInterfaces = null)
{
    public const int DefaultHostMtu = 1460;
    public const int IpipOverhead = 20;
    public const int VxlanOverhead = 50;
    public const int VxlanV6Overhead = 70;
    public const int WireGuardOverhead = 60;

    private readonly Regex _mainInterfaces = mainInterfaces ?? DefaultMainInterfaces();

    /// <summary>Calico's default pattern of host-facing interfaces: ethN, wlanN, enp0s3, ens5 ...</summary>
    [GeneratedRegex("^((en|wl|ww|sl|ib)[Popsx].*|(eth|wlan|wwan).*)", RegexOptions.CultureInvariant)]
    private static partial Regex DefaultMainInterfaces();

    /// <summary>The smallest MTU over up, non-loopback interfaces whose name matches; 1460 when none does.</summary>
    public int HostMtu(IEnumerable<Link> links)
    {
        var mtus = links.Where(l => !l.IsLoopback && l.IsUp && l.Mtu > 0 && _mainInterfaces.IsMatch(l.Name)).Select(l => l.Mtu).ToList();
        return mtus.Count == 0 ? DefaultHostMtu : mtus.Min();
    }

    public static int Overhead(Encapsulations encapsulations)
    {
        var overhead = 0;
        if (encapsulations.HasFlag(Encapsulations.Ipip))
        {
            overhead = Math.Max(overhead, IpipOverhead);
        }

        if (encapsulations.HasFlag(Encapsulations.Vxlan))
        {
            overhead = Math.Max(overhead, VxlanOverhead);
        }

        if (encapsulations.HasFlag(Encapsulations.VxlanV6))
        {
            overhead = Math.Max(overhead, VxlanV6Overhead);
        }

        if (encapsulations.HasFlag(Encapsulations.WireGuard))
        {
            overhead = Math.Max(overhead, WireGuardOverhead);
        }

        return overhead;
    }

    public int PodMtu(IEnumerable<Link> links, Encapsulations encapsulations) => HostMtu(links) - Overhead(encapsulations);
}

/// <summary>
/// Publishes the pod MTU for the CNI plugin: a file holding the number and a newline, written to a
/// temporary file and renamed so the plugin never reads half a value.
/// </summary>
public static class MtuFile
{
    public const string DefaultPath = "/var/lib/tabby/mtu";

    public static void Write(int mtu, string path = DefaultPath)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 68);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temporary, mtu.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads the value back (what the CNI plugin does); null when absent.</summary>
    public static int? Read(string path = DefaultPath)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var text = File.ReadAllText(path).Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mtu) && mtu >= 68
            ? mtu
            : throw new FormatException($"{path} holds '{text}', not an MTU");
    }
}
