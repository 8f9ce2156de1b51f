using System.CommandLine;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Store;

namespace Tabby.Ctl.Resources;

/// <summary><c>tabbyctl get KIND [NAME...] [-n NS | -A] [-l SELECTOR] [-o table|wide|json|yaml|name]</c>.</summary>
internal static class GetCommand
{
    public static Command Create()
    {
        var kindArgument = new Argument<string>("kind") { Description = "resource type: ippools, bgppeers, bgpconfigurations, nodes, ... (singular, plural or short name)" };
        var names = new Argument<string[]>("names") { Description = "objects to show (all when none)", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string>("--output", "-o") { Description = "table (default), wide, json, yaml or name", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong(ResourcePrinter.Formats);
        var ns = new Option<string?>("--namespace", "-n") { Description = "namespace of namespaced kinds (default: the context's, else default)" };
        var allNamespaces = new Option<bool>("--all-namespaces", "-A") { Description = "list namespaced kinds in every namespace" };
        var selector = new Option<string?>("--selector", "-l") { Description = "Kubernetes label selector, e.g. tier=web,zone in (a,b)" };
        var datastore = new DatastoreOptions();

        var command = new Command("get", "Show resources from the datastore, like kubectl get / calicoctl get.");
        command.Arguments.Add(kindArgument);
        command.Arguments.Add(names);
        command.Options.Add(output);
        command.Options.Add(ns);
        command.Options.Add(allNamespaces);
        command.Options.Add(selector);
        datastore.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var config = parse.InvocationConfiguration;
            var kindName = parse.GetValue(kindArgument)!;
            if (ResourceKinds.FromCommandLineName(kindName) is not { } kind)
            {
                await config.Error.WriteLineAsync(CommandErrors.UnknownKind(kindName)).ConfigureAwait(false);
                return CommandErrors.Failure;
            }

            return await CommandErrors.RunAsync(config.Error, async () =>
            {
                await using var store = datastore.Open(parse);
                var all = parse.GetValue(allNamespaces);
                var namespaceName = kind.Namespaced && !all ? parse.GetValue(ns) ?? DatastoreOptions.DefaultNamespace(store) : null;
                var wanted = parse.GetValue(names) ?? [];
                var items = new List<Resource>();
                var missing = 0;
                if (wanted.Length == 0)
                {
                    items.AddRange(await ListAsync(store, kind, new ListOptions { Namespace = namespaceName, LabelSelector = parse.GetValue(selector) }, cancellationToken).ConfigureAwait(false));
                }
                else
                {
                    foreach (var name in wanted)
                    {
                        var item = await GetAsync(store, kind, name, namespaceName, cancellationToken).ConfigureAwait(false);
                        if (item is null)
                        {
                            missing++;
                            await config.Error.WriteLineAsync($"error: {kind.Plural} \"{name}\" not found").ConfigureAwait(false);
                        }
                        else
                        {
                            items.Add(item);
                        }
                    }
                }

                if (items.Count > 0 || wanted.Length == 0)
                {
                    ResourcePrinter.Print(config.Output, kind, items, parse.GetValue(output) ?? "table", showNamespace: kind.Namespaced && all, DateTimeOffset.UtcNow);
                }

                return missing > 0 ? CommandErrors.Failure : CommandErrors.Ok;
            }).ConfigureAwait(false);
        });
        return command;
    }

    // The datastore API is generic over the CLR type; the command line only knows the kind at run time.
    internal static Task<Resource?> GetAsync(IDatastore store, ResourceKind kind, string name, string? ns, CancellationToken cancellationToken) =>
        KindDispatch.For(kind).GetAsync(store, name, ns, cancellationToken);

    internal static Task<IReadOnlyList<Resource>> ListAsync(IDatastore store, ResourceKind kind, ListOptions options, CancellationToken cancellationToken) =>
        KindDispatch.For(kind).ListAsync(store, options, cancellationToken);
}
