using System.CommandLine;
using Tabby.Ctl.Ipam;

namespace Tabby.Ctl;

internal static partial class CommandGroups
{
    static partial void AddIpam(RootCommand root) => root.Subcommands.Add(IpamCommands.Create());
}
