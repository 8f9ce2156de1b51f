using System.CommandLine;

namespace Tabby.Ctl;

/// <summary>The <c>tabbyctl bgp</c> group.</summary>
internal static partial class CommandGroups
{
    static partial void AddBgp(RootCommand root)
    {
        var bgp = new Command("bgp", "BGP tools");
        bgp.Subcommands.Add(Bgp.BgpDecodeCommand.Create());
        BgpServe.BgpServeCommands.AddTo(bgp);
        root.Subcommands.Add(bgp);
    }
}
