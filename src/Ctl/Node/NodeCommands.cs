using System.CommandLine;
using Tabby.Ctl.Node;

namespace Tabby.Ctl;

internal static partial class CommandGroups
{
    static partial void AddNode(RootCommand root)
    {
        var node = new Command("node", "The node agent on this machine");
        node.Subcommands.Add(NodeStatusCommand.Create());
        node.Subcommands.Add(NodeRoutesCommand.Create());
        root.Subcommands.Add(node);
    }
}
