using System.CommandLine;
using Tabby.Ctl.Resources;

namespace Tabby.Ctl;

internal static partial class CommandGroups
{
    static partial void AddResources(RootCommand root)
    {
        root.Subcommands.Add(GetCommand.Create());
        root.Subcommands.Add(ApplyCommand.Create());
        root.Subcommands.Add(DeleteCommand.Create());
    }
}
