namespace Tabby.Ctl.Tests.Resources;

/// <summary>Runs tabbyctl in-process, exactly as Main does, with captured output.</summary>
internal static class CtlRunner
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Program.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
