using System.CommandLine;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Store;

namespace Tabby.Ctl.Resources;

/// <summary><c>tabbyctl delete KIND NAME...</c> or <c>tabbyctl delete -f FILE</c>.</summary>
internal static class DeleteCommand
{
    public static Command Create()
    {
        var kindArgument = new Argument<string?>("kind") { Description = "resource type (when not using -f)", Arity = ArgumentArity.ZeroOrOne };
        var names = new Argument<string[]>("names") { Description = "objects to delete", Arity = ArgumentArity.ZeroOrMore };
        var files = new Option<string[]>("--filename", "-f") { Description = "delete the objects these YAML/JSON documents describe", Arity = ArgumentArity.OneOrMore };
        var ns = new Option<string?>("--namespace", "-n") { Description = "namespace of namespaced kinds" };
        var ignoreNotFound = new Option<bool>("--ignore-not-found") { Description = "succeed when an object does not exist" };
        var datastore = new DatastoreOptions();
        var command = new Command("delete", "Delete resources by type and name or by file.");
        command.Arguments.Add(kindArgument);
        command.Arguments.Add(names);
        command.Options.Add(files);
        command.Options.Add(ns);
        command.Options.Add(ignoreNotFound);
        datastore.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var config = parse.InvocationConfiguration;
            var fileList = parse.GetValue(files) ?? [];
            var kindName = parse.GetValue(kindArgument);
            var nameList = parse.GetValue(names) ?? [];
            if (fileList.Length > 0 == (kindName is not null))
            {
                await config.Error.WriteLineAsync("error: give either KIND NAME... or -f FILE").ConfigureAwait(false);
                return CommandErrors.Usage;
            }

            ResourceKind? kind = null;
            if (kindName is not null)
            {
                kind = ResourceKinds.FromCommandLineName(kindName);
                if (kind is null)
                {
                    await config.Error.WriteLineAsync(CommandErrors.UnknownKind(kindName)).ConfigureAwait(false);
                    return CommandErrors.Failure;
                }

                if (nameList.Length == 0)
                {
                    await config.Error.WriteLineAsync($"error: name the {kind.Plural} to delete").ConfigureAwait(false);
                    return CommandErrors.Usage;
                }
            }

            return await CommandErrors.RunAsync(config.Error, async () =>
            {
                await using var store = datastore.Open(parse);
                var defaultNamespace = parse.GetValue(ns) ?? DatastoreOptions.DefaultNamespace(store);
                List<(ResourceKind Kind, string Name, string? Namespace)> targets;
                if (kind is not null)
                {
                    targets = nameList.Select(n => (kind, n, kind.Namespaced ? defaultNamespace : null)).ToList();
                }
                else
                {
                    var (documents, errors) = DocumentReader.Read(InputFiles.Read(fileList, Console.In), defaultNamespace);
                    if (errors.Count > 0)
                    {
                        foreach (var error in errors)
                        {
                            await config.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
                        }

                        return CommandErrors.Failure;
                    }

                    targets = documents.Select(d => (d.Kind, d.Resource.Metadata.Name, d.Resource.Metadata.Namespace)).ToList();
                }

                var failed = 0;
                foreach (var (k, name, targetNs) in targets)
                {
                    try
                    {
                        await KindDispatch.For(k).DeleteAsync(store, name, targetNs, cancellationToken).ConfigureAwait(false);
                        await config.Output.WriteLineAsync($"{ResourcePrinter.QualifiedName(k)} \"{name}\" deleted").ConfigureAwait(false);
                    }
                    catch (ResourceNotFoundException) when (parse.GetValue(ignoreNotFound))
                    {
                    }
                    catch (ResourceNotFoundException e)
                    {
                        failed++;
                        await config.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                    }
                }

                return failed > 0 ? CommandErrors.Failure : CommandErrors.Ok;
            }).ConfigureAwait(false);
        });
        return command;
    }
}
