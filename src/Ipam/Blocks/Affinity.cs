namespace Tabby.Ipam.Blocks;

/// <summary>The <c>affinity</c> field of a block: <c>host:&lt;node&gt;</c> or <c>virtual:&lt;name&gt;</c>.</summary>
public static class Affinity
{
    public const string HostPrefix = "host:";
    public const string VirtualPrefix = "virtual:";

    public static string ForHost(string node) => HostPrefix + node;

    /// <summary>The node a block is affine to, or null for none / a virtual affinity.</summary>
    public static string? HostOf(string? affinity) =>
        affinity is not null && affinity.StartsWith(HostPrefix, StringComparison.Ordinal) ? affinity[HostPrefix.Length..] : null;

    public static bool IsHost(string? affinity, string node) =>
        string.Equals(affinity, ForHost(node), StringComparison.Ordinal);
}
