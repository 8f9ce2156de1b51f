using System.CommandLine;

namespace Tabby.Ctl;

/// <summary>Entry point of <c>tabbyctl</c>; every subcommand is defined in its own file.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("tabbyctl: inspect and configure Tabby (calicoctl-compatible where it can be)");
        return root.Parse(args).Invoke();
    }
}
