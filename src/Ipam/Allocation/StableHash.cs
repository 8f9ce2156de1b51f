using System.Text;

namespace Tabby.Ipam.Allocation;

/// <summary>
/// A hash of the host name that is the same in every process and run (string.GetHashCode is not),
/// so a node retrying a claim walks the same blocks in the same order.
/// </summary>
internal static class StableHash
{
    public static ulong Of(string text)
    {
        // FNV-1a, 64 bit.
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return hash;
    }

    public static int Seed(string text) => (int)(Of(text) & 0x7fffffff);
}
