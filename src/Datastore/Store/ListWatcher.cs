using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Datastore.Resources;

namespace Tabby.Datastore.Store;

/// <summary>
/// List, then watch, forever: the informer pattern consumers (IPAM GC, BGP configuration, policy)
/// build their view on. Starts with an <see cref="WatchEventType.Added"/> for every listed object
/// followed by a <see cref="WatchEventType.Bookmark"/> meaning "your view is complete at this
/// revision"; then passes on the watch. When the watch revision is compacted away it lists
/// again and emits only the difference to what it delivered before (Added, Modified, Deleted),
/// then another Bookmark, so the consumer never misses a change and never starts over.
/// </summary>
public static class ListWatcher
{
    public static async IAsyncEnumerable<WatchEvent<T>> ListAndWatchAsync<T>(this IDatastore store, ResourceKind<T> kind,
        ListOptions? options = null, ILogger? logger = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : Resource
    {
        logger ??= NullLogger.Instance;
        var known = new Dictionary<(string?, string), T>();
        while (true)
        {
            var list = await store.ListAsync(kind, options, cancellationToken).ConfigureAwait(false);
            foreach (var change in Difference(known, list))
            {
                yield return change;
            }

            yield return new WatchEvent<T>(WatchEventType.Bookmark, null, list.Revision);
            var watchOptions = new WatchOptions
            {
                Revision = list.Revision,
                Namespace = options?.Namespace,
                LabelSelector = options?.LabelSelector,
                FieldSelector = options?.FieldSelector,
            };
            var watch = store.WatchAsync(kind, watchOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    try
                    {
                        if (!await watch.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                    catch (RevisionTooOldException e)
                    {
                        logger.LogInformation("{Kind} watch: {Reason}; listing again", kind.Kind, e.Message);
                        break;
                    }

                    var change = watch.Current;
                    if (change.Object is { } obj)
                    {
                        if (change.Type == WatchEventType.Deleted)
                        {
                            known.Remove(Key(obj));
                        }
                        else
                        {
                            known[Key(obj)] = obj;
                        }
                    }

                    yield return change;
                }
            }
            finally
            {
                await watch.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static (string?, string) Key(Resource r) => (r.Metadata.Namespace, r.Metadata.Name);

    /// <summary>The events that turn what was delivered into the listed state; updates <paramref name="known"/>.</summary>
    private static List<WatchEvent<T>> Difference<T>(Dictionary<(string?, string), T> known, ResourceList<T> list) where T : Resource
    {
        var changes = new List<WatchEvent<T>>();
        var seen = new HashSet<(string?, string)>();
        foreach (var item in list.Items)
        {
            var key = Key(item);
            seen.Add(key);
            if (!known.TryGetValue(key, out var before))
            {
                changes.Add(new WatchEvent<T>(WatchEventType.Added, item, item.Metadata.ResourceVersion ?? list.Revision));
            }
            else if (before.Metadata.ResourceVersion != item.Metadata.ResourceVersion || before.Metadata.Uid != item.Metadata.Uid)
            {
                changes.Add(new WatchEvent<T>(WatchEventType.Modified, item, item.Metadata.ResourceVersion ?? list.Revision));
            }

            known[key] = item;
        }

        foreach (var key in known.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            changes.Add(new WatchEvent<T>(WatchEventType.Deleted, known[key], list.Revision));
            known.Remove(key);
        }

        return changes;
    }
}
