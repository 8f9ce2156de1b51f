using System.CommandLine;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Datastore.Validation;

namespace Tabby.Ctl.Resources;

/// <summary>
/// <c>tabbyctl apply -f FILE</c>: creates or replaces every object of the YAML/JSON documents
/// (also calicoctl projectcalico.org/v3 ones). All documents are checked first, so an invalid one
/// changes nothing; each write is compare-and-swap and is retried when someone else wrote between.
/// </summary>
internal static class ApplyCommand
{
    private const int MaxAttempts = 5;

    public static Command Create()
    {
        var files = new Option<string[]>("--filename", "-f") { Description = "file, directory or - (stdin) with YAML or JSON documents", Required = true, Arity = ArgumentArity.OneOrMore };
        var ns = new Option<string?>("--namespace", "-n") { Description = "namespace for namespaced documents that name none" };
        var datastore = new DatastoreOptions();
        var command = new Command("apply", "Create or update resources from YAML or JSON (kubectl/calicoctl apply).");
        command.Options.Add(files);
        command.Options.Add(ns);
        datastore.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var config = parse.InvocationConfiguration;
            return await CommandErrors.RunAsync(config.Error, async () =>
            {
                var inputs = InputFiles.Read(parse.GetValue(files) ?? [], Console.In).ToList();
                await using var store = datastore.Open(parse);
                var (documents, errors) = DocumentReader.Read(inputs, parse.GetValue(ns) ?? DatastoreOptions.DefaultNamespace(store));
                if (errors.Count == 0)
                {
                    errors.AddRange(await CheckPoolOverlapsAsync(store, documents, cancellationToken).ConfigureAwait(false));
                }

                if (errors.Count > 0)
                {
                    foreach (var error in errors)
                    {
                        await config.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
                    }

                    await config.Error.WriteLineAsync("error: nothing was applied").ConfigureAwait(false);
                    return CommandErrors.Failure;
                }

                var failed = 0;
                foreach (var document in documents)
                {
                    try
                    {
                        var outcome = await ApplyAsync(store, document, cancellationToken).ConfigureAwait(false);
                        await config.Output.WriteLineAsync($"{ResourcePrinter.QualifiedName(document.Kind)}/{document.Resource.Metadata.Name} {outcome}").ConfigureAwait(false);
                    }
                    catch (DatastoreException e)
                    {
                        failed++;
                        await config.Error.WriteLineAsync($"error: {document.Location} ({document.Describe}): {e.Message}").ConfigureAwait(false);
                    }
                }

                return failed > 0 ? CommandErrors.Failure : CommandErrors.Ok;
            }).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Create, or replace the stored object keeping its identity; "unchanged" when equal.</summary>
    internal static async Task<string> ApplyAsync(IDatastore store, ResourceDocument document, CancellationToken cancellationToken)
    {
        var dispatch = KindDispatch.For(document.Kind);
        var desired = document.Resource;
        for (var attempt = 1; ; attempt++)
        {
            var existing = await dispatch.GetAsync(store, desired.Metadata.Name, desired.Metadata.Namespace, cancellationToken).ConfigureAwait(false);
            try
            {
                if (existing is null)
                {
                    await dispatch.CreateAsync(store, desired, cancellationToken).ConfigureAwait(false);
                    return "created";
                }

                var replacement = document.Kind.DeserializeResource(document.Kind.SerializeResource(desired));
                var identity = existing.Metadata;
                replacement.Metadata = document.Kind.DeserializeResource(document.Kind.SerializeResource(existing)).Metadata;
                replacement.Metadata.Labels = desired.Metadata.Labels;
                // Annotations the document does not mention are kept (other tools write some).
                replacement.Metadata.Annotations = desired.Metadata.Annotations ?? identity.Annotations;
                if (Same(document.Kind, replacement, existing))
                {
                    return "unchanged";
                }

                await dispatch.UpdateAsync(store, replacement, cancellationToken).ConfigureAwait(false);
                return "configured";
            }
            catch (Exception e) when (e is ResourceConflictException or ResourceAlreadyExistsException && attempt < MaxAttempts)
            {
                // Written by someone else between our read and write: read again.
            }
        }
    }

    private static bool Same(ResourceKind kind, Resource a, Resource b) =>
        kind.SerializeResource(a).AsSpan().SequenceEqual(kind.SerializeResource(b));

    /// <summary>New or changed pools may not overlap stored pools or each other.</summary>
    private static async Task<List<string>> CheckPoolOverlapsAsync(IDatastore store, List<ResourceDocument> documents, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var pools = documents.Where(d => d.Resource is IPPool).ToList();
        if (pools.Count == 0)
        {
            return errors;
        }

        var stored = (await store.ListAsync(ResourceKinds.IPPools, null, cancellationToken).ConfigureAwait(false)).Items;
        foreach (var document in pools)
        {
            var pool = (IPPool)document.Resource;
            var others = stored.Where(p => pools.All(d => d.Resource.Metadata.Name != p.Name))
                .Concat(pools.Where(d => d != document).Select(d => (IPPool)d.Resource));
            errors.AddRange(ResourceValidator.ValidatePoolAgainst(pool, others).Select(e => $"{document.Location} ({document.Describe}): {e}"));
        }

        return errors;
    }
}
