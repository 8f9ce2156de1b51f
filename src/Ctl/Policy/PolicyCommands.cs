using System.CommandLine;
using Tabby.Ctl.Policy;

namespace Tabby.Ctl;

/// <summary>The <c>tabbyctl policy</c> group.</summary>
internal static partial class CommandGroups
{
    static partial void AddPolicy(RootCommand root)
    {
        var policy = new Command("policy", "Network policy tools");
        policy.Subcommands.Add(PolicyTraceCommand.Create());
        root.Subcommands.Add(policy);
    }
}
