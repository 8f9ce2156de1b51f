using System.CommandLine;
using Tabby.Ctl.Resources;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;

namespace Tabby.Ctl.Ipam;

/// <summary><c>tabbyctl ipam configure --strictaffinity=true|false --max-blocks-per-host=N</c>.</summary>
internal static class IpamConfigureCommand
{
    public static Command Create()
    {
        var datastore = new DatastoreOptions();
        var strict = new Option<bool?>("--strictaffinity") { Description = "true: never borrow addresses from other nodes' blocks" };
        var maxBlocks = new Option<int?>("--max-blocks-per-host") { Description = "blocks a node may claim (0 = default 20)" };
        var command = new Command("configure", "Change cluster IPAM settings (the IPAMConfig named default)");
        command.Options.Add(strict);
        command.Options.Add(maxBlocks);
        datastore.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return CommandErrors.RunAsync(error, async () =>
            {
                var strictValue = parse.GetValue(strict);
                var maxValue = parse.GetValue(maxBlocks);
                if (strictValue is null && maxValue is null)
                {
                    await error.WriteLineAsync("error: give --strictaffinity and/or --max-blocks-per-host");
                    return CommandErrors.Usage;
                }

                if (maxValue is < 0)
                {
                    await error.WriteLineAsync($"error: --max-blocks-per-host must be 0 or more, not {maxValue}");
                    return CommandErrors.Usage;
                }

                await using var store = datastore.Open(parse);
                for (var attempt = 0; ; attempt++)
                {
                    var current = await store.GetAsync(ResourceKinds.IPAMConfigs, IPAMConfig.DefaultName, null, cancellationToken);
                    var config = current ?? new IPAMConfig { Metadata = new ObjectMeta { Name = IPAMConfig.DefaultName } };
                    config.Spec.StrictAffinity = strictValue ?? config.Spec.StrictAffinity;
                    config.Spec.MaxBlocksPerHost = maxValue ?? config.Spec.MaxBlocksPerHost;
                    try
                    {
                        var saved = current is null
                            ? await store.CreateAsync(ResourceKinds.IPAMConfigs, config, cancellationToken)
                            : await store.UpdateAsync(ResourceKinds.IPAMConfigs, config, cancellationToken);
                        await output.WriteLineAsync(
                            $"Successfully set StrictAffinity to: {saved.Spec.StrictAffinity}, MaxBlocksPerHost to: {saved.Spec.MaxBlocksPerHost}");
                        return CommandErrors.Ok;
                    }
                    catch (Exception e) when (e is ResourceConflictException or ResourceAlreadyExistsException && attempt < 10)
                    {
                    }
                }
            });
        });
        return command;
    }
}
