using System.CommandLine;

namespace Tabby.Ctl;

/// <summary>Entry point of <c>tabbyctl</c>.</summary>
public static class Program
{
    /// <summary>Exit code of a command line that does not parse (kubectl and calicoctl habit: usage errors are distinct).</summary>
    public const int UsageError = 2;

    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Parses and runs a command line with the given output streams (tests call this too).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var parse = BuildRootCommand().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'tabbyctl --help' for usage.").ConfigureAwait(false);
            return UsageError;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).ConfigureAwait(false);
    }

    /// <summary>The whole command tree; tests parse against it without starting a process.</summary>
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("tabbyctl: inspect and configure Tabby (calicoctl-compatible where it can be)");
        CommandGroups.AddAll(root);
        return root;
    }
}
