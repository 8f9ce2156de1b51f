using System.CommandLine;

namespace Tabby.Ctl;

/// <summary>
/// Each command group (bgp, get/apply/delete, ipam, node, policy ...) lives in its own folder and
/// implements one of these partial methods, so groups are added without editing a shared file.
/// </summary>
internal static partial class CommandGroups
{
    public static void AddAll(RootCommand root)
    {
        AddBgp(root);
        AddResources(root);
        AddIpam(root);
        AddNode(root);
        AddPolicy(root);
    }

    static partial void AddBgp(RootCommand root);

    static partial void AddResources(RootCommand root);

    static partial void AddIpam(RootCommand root);

    static partial void AddNode(RootCommand root);

    static partial void AddPolicy(RootCommand root);
}
