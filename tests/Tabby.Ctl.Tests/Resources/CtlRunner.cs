using System.CommandLine;

namespace Tabby.Ctl.Tests.Resources;

/// <summary>Runs tabbyctl in-process with captured output.</summary>
internal static class CtlRunner
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Program.BuildRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
