using System.CommandLine;

namespace Tabby.Ctl;

/// <summary>Entry point of <c>tabbyctl</c>.</summary>
public static class Program
{
    public static int Main(string[] args) => BuildRootCommand().Parse(args).Invoke();

    /// <summary>The whole command tree; tests parse against it without starting a process.</summary>
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("tabbyctl: inspect and configure Tabby (calicoctl-compatible where it can be)");
        CommandGroups.AddAll(root);
        return root;
    }
}
