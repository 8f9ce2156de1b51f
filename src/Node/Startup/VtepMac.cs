using System.Security.Cryptography;
using System.Text;

namespace Tabby.Node.Startup;

/// <summary>
/// A node's VXLAN tunnel MAC when the Node resource has none: derived from a hash of the node name,
/// so it is stable across restarts and distinct per node, with the locally administered bit set
/// and the multicast bit clear.
/// </summary>
public static class VtepMac
{
    public static string For(string nodeName)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("tabby-vtep:" + nodeName));
        hash[0] = (byte)((hash[0] | 0x02) & 0xfe);
        return string.Join(":", hash.Take(6).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
