using Tabby.Cni.Install;
using Tabby.Cni.Plugin;

// The runtime calls the plugin without arguments (CNI_COMMAND says what to do); the DaemonSet's
// init container calls `tabby-cni install` to put the plugin and its configuration on the host.
if (args.Length > 0 && args[0] == "install")
{
    return await InstallCommand.RunAsync(args[1..], name => Environment.GetEnvironmentVariable(name), Console.Out, Console.Error);
}

if (args.Length > 0)
{
    await Console.Error.WriteLineAsync("tabby-cni is a CNI plugin: run it with CNI_COMMAND set and the configuration on stdin, or `tabby-cni install`.");
    return 2;
}

using var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
var status = await CniDispatcher.RunAsync(name => Environment.GetEnvironmentVariable(name), Console.OpenStandardInput(), stdout, CancellationToken.None);
await stdout.FlushAsync();
return status;
