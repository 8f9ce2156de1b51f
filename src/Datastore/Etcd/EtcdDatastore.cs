using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Store;

namespace Tabby.Datastore.Etcd;

/// <summary>
/// The etcd v3 backend (larger or non-Kubernetes installations). Keys follow Calico's etcdv3 layout
/// (<see cref="EtcdKeyLayout"/>); resourceVersion is the key's mod_revision; updates and deletes are
/// transactions guarded by mod_revision; watches resume from the last revision after a lost
/// connection and report compaction as <see cref="RevisionTooOldException"/>.
/// </summary>
public sealed class EtcdDatastore : IDatastore
{
    private readonly EtcdOptions _options;
    private readonly EtcdClient _client;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private CancellationTokenSource _connections = new();

    public EtcdDatastore(EtcdOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _options = options;
        _client = new EtcdClient(options);
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    internal string KeyPrefix => _options.KeyPrefix;

    public string Description => $"etcd at {string.Join(",", _options.Endpoints)}" +
        (_options.KeyPrefix.Length > 0 ? $" (key prefix {_options.KeyPrefix})" : "");

    public ValueTask DisposeAsync()
    {
        _connections.Cancel();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    public async Task<T?> GetAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null,
        CancellationToken cancellationToken = default) where T : Resource
    {
        var found = await FindAsync(kind, name, ResourceRules.ScopeNamespace(kind, @namespace, name), cancellationToken).ConfigureAwait(false);
        return found?.Object;
    }

    public async Task<ResourceList<T>> ListAsync<T>(ResourceKind<T> kind, ListOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource
    {
        var layout = EtcdKeyLayout.For(kind);
        var filter = ObjectFilter.From(options);
        var start = Key(layout.RangeStart(kind.Namespaced && !string.IsNullOrEmpty(options?.Namespace) ? options.Namespace : null));
        var end = EtcdKeyLayout.PrefixEnd(start);
        var items = new List<T>();
        long? revision = null;
        var next = start;
        while (true)
        {
            // Pages at the first page's revision form one consistent snapshot.
            var page = await _client.RangeAsync(new RangeRequest
            {
                Key = next,
                RangeEnd = end,
                Limit = _options.ListPageSize,
                Revision = revision,
            }, cancellationToken).ConfigureAwait(false);
            revision ??= page.Header.Revision;
            foreach (var kv in page.Kvs ?? [])
            {
                if (!layout.Owns(StripPrefix(kv.Key)) || kv.Value is null)
                {
                    continue;
                }

                var item = EtcdValueCodec.Decode(kind, StripPrefix(kv.Key), kv);
                if (filter.Matches(kind, item))
                {
                    items.Add(item);
                }
            }

            if (!page.More || page.Kvs is not { Count: > 0 })
            {
                break;
            }

            next = [.. page.Kvs[^1].Key, 0];
        }

        return new ResourceList<T>(items, revision.Value.ToString(CultureInfo.InvariantCulture));
    }

    public async Task<T> CreateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource
    {
        var name = ResourceRules.RequireName(kind, resource);
        var copy = kind.Clone(resource);
        copy.Metadata.Namespace = ResourceRules.ScopeNamespace(kind, resource.Metadata.Namespace, name);
        copy.Metadata.Uid = Guid.NewGuid().ToString();
        copy.Metadata.CreationTimestamp = ResourceRules.TruncateToSeconds(_time.GetUtcNow());
        copy.Metadata.Generation = 1;
        var key = Key(EtcdKeyLayout.For(kind).KeyFor(copy));
        var value = EtcdValueCodec.Encode(kind, copy);
        var answer = await _client.TxnAsync(new TxnRequest
        {
            Compare = [new Compare { Key = key, Target = "CREATE", Result = "EQUAL", CreateRevision = 0 }],
            Success = [new RequestOp { RequestPut = new PutRequest { Key = key, Value = value } }],
        }, cancellationToken).ConfigureAwait(false);
        if (!answer.Succeeded)
        {
            throw new ResourceAlreadyExistsException(kind, name, copy.Metadata.Namespace);
        }

        copy.Metadata.ResourceVersion = answer.Header.Revision.ToString(CultureInfo.InvariantCulture);
        return copy;
    }

    public async Task<T> UpdateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource
    {
        var name = ResourceRules.RequireName(kind, resource);
        var expected = ParseRevision(ResourceRules.RequireResourceVersion(resource));
        var copy = kind.Clone(resource);
        copy.Metadata.Namespace = ResourceRules.ScopeNamespace(kind, resource.Metadata.Namespace, name);
        copy.Metadata.Generation = (copy.Metadata.Generation ?? 0) + 1;
        var key = Key(EtcdKeyLayout.For(kind).KeyFor(copy));
        var answer = await _client.TxnAsync(new TxnRequest
        {
            Compare = [new Compare { Key = key, Target = "MOD", Result = "EQUAL", ModRevision = expected }],
            Success = [new RequestOp { RequestPut = new PutRequest { Key = key, Value = EtcdValueCodec.Encode(kind, copy) } }],
            Failure = [new RequestOp { RequestRange = new RangeRequest { Key = key } }],
        }, cancellationToken).ConfigureAwait(false);
        if (!answer.Succeeded)
        {
            var current = answer.Responses?.FirstOrDefault()?.ResponseRange?.Kvs;
            if (current is not { Count: > 0 })
            {
                throw new ResourceNotFoundException(kind, name, copy.Metadata.Namespace);
            }

            throw new ResourceConflictException(kind, name, copy.Metadata.Namespace,
                $"resourceVersion {expected} given, {current[0].ModRevision} stored");
        }

        copy.Metadata.ResourceVersion = answer.Header.Revision.ToString(CultureInfo.InvariantCulture);
        return copy;
    }

    public async Task<T> DeleteAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null, DeleteOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource
    {
        var ns = ResourceRules.ScopeNamespace(kind, @namespace, name);
        while (true)
        {
            // etcd can only compare revisions, so a UID precondition is checked on a read and the
            // delete is guarded by that read's mod_revision.
            var found = await FindAsync(kind, name, ns, cancellationToken).ConfigureAwait(false)
                ?? throw new ResourceNotFoundException(kind, name, ns);
            var stored = found.Object;
            if (options?.ResourceVersion is { Length: > 0 } rv && rv != stored.Metadata.ResourceVersion)
            {
                throw new ResourceConflictException(kind, name, ns, $"precondition resourceVersion {rv}, stored {stored.Metadata.ResourceVersion}");
            }

            if (options?.Uid is { Length: > 0 } uid && uid != stored.Metadata.Uid)
            {
                throw new ResourceConflictException(kind, name, ns, $"precondition uid {uid}, stored {stored.Metadata.Uid}");
            }

            var answer = await _client.TxnAsync(new TxnRequest
            {
                Compare = [new Compare { Key = found.Key, Target = "MOD", Result = "EQUAL", ModRevision = found.ModRevision }],
                Success = [new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = found.Key } }],
            }, cancellationToken).ConfigureAwait(false);
            if (answer.Succeeded)
            {
                stored.Metadata.ResourceVersion = answer.Header.Revision.ToString(CultureInfo.InvariantCulture);
                return stored;
            }

            // Changed between our read and the delete: decide again on the new version.
        }
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceKind<T> kind, WatchOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default) where T : Resource
    {
        var layout = EtcdKeyLayout.For(kind);
        var filter = ObjectFilter.From(options);
        var start = Key(layout.RangeStart(kind.Namespaced && !string.IsNullOrEmpty(options?.Namespace) ? options.Namespace : null));
        var end = EtcdKeyLayout.PrefixEnd(start);
        long after;
        if (options?.Revision is { Length: > 0 } text)
        {
            after = ParseRevision(text);
        }
        else
        {
            var now = await _client.RangeAsync(new RangeRequest { Key = start, RangeEnd = end, Limit = 1 }, cancellationToken).ConfigureAwait(false);
            after = now.Header.Revision;
        }

        var delay = _options.ReconnectDelay;
        while (true)
        {
            using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _connections.Token);
            var stream = _client.WatchAsync(new WatchCreateRequest
            {
                Key = start,
                RangeEnd = end,
                StartRevision = after + 1,
                PrevKv = true,
                ProgressNotify = true,
            }, connection.Token).GetAsyncEnumerator(connection.Token);
            Exception? failure = null;
            try
            {
                while (true)
                {
                    WatchResult result;
                    try
                    {
                        if (!await stream.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        result = stream.Current;
                    }
                    catch (Exception e) when (!cancellationToken.IsCancellationRequested &&
                        e is DatastoreUnavailableException or HttpRequestException or IOException or OperationCanceledException)
                    {
                        failure = e;
                        break;
                    }

                    if (result.Canceled)
                    {
                        if (result.CompactRevision > 0)
                        {
                            throw new RevisionTooOldException(after.ToString(CultureInfo.InvariantCulture),
                                $"etcd compacted through revision {result.CompactRevision}");
                        }

                        throw new DatastoreUnavailableException($"etcd cancelled the watch: {result.CancelReason}");
                    }

                    delay = _options.ReconnectDelay;
                    if (result.Events is not { Count: > 0 } events)
                    {
                        // A progress notification: nothing for us up to this revision.
                        if (!result.Created && result.Header.Revision > after)
                        {
                            after = result.Header.Revision;
                            if (options?.AllowBookmarks == true)
                            {
                                yield return new WatchEvent<T>(WatchEventType.Bookmark, null, after.ToString(CultureInfo.InvariantCulture));
                            }
                        }

                        continue;
                    }

                    foreach (var e in events)
                    {
                        after = Math.Max(after, e.Kv.ModRevision);
                        var watchEvent = ToEvent(kind, layout, filter, e);
                        if (watchEvent is not null)
                        {
                            yield return watchEvent;
                        }
                    }
                }
            }
            finally
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            _logger.LogInformation("etcd watch of {Kind} interrupted at revision {Revision} ({Reason}); reconnecting",
                kind.Kind, after, failure?.Message ?? "stream ended");
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

    /// <summary>Breaks every open watch connection, as a network failure would (tests).</summary>
    internal void DisconnectWatches()
    {
        var old = Interlocked.Exchange(ref _connections, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
    }

    /// <summary>Compacts the whole keyspace up to the current revision (tests, maintenance).</summary>
    internal async Task CompactAsync(CancellationToken cancellationToken = default)
    {
        var now = await _client.RangeAsync(new RangeRequest { Key = Key("/"), Limit = 1 }, cancellationToken).ConfigureAwait(false);
        await _client.CompactAsync(now.Header.Revision, cancellationToken).ConfigureAwait(false);
    }

    private WatchEvent<T>? ToEvent<T>(ResourceKind<T> kind, EtcdKeyLayout layout, ObjectFilter filter, WatchEventMessage e) where T : Resource
    {
        if (!layout.Owns(StripPrefix(e.Kv.Key)))
        {
            return null;
        }

        var revision = e.Kv.ModRevision.ToString(CultureInfo.InvariantCulture);
        var layoutKey = StripPrefix(e.Kv.Key);
        T? previous = e.PrevKv?.Value is not null ? EtcdValueCodec.Decode(kind, layoutKey, e.PrevKv) : null;
        if (e.Type == "DELETE")
        {
            if (previous is null)
            {
                _logger.LogWarning("etcd watch: delete of {Key} at {Revision} without its previous value; skipped",
                    Encoding.UTF8.GetString(e.Kv.Key), revision);
                return null;
            }

            previous.Metadata.ResourceVersion = revision;
            return filter.Matches(kind, previous) ? new WatchEvent<T>(WatchEventType.Deleted, previous, revision) : null;
        }

        var current = EtcdValueCodec.Decode(kind, layoutKey, e.Kv);
        var raw = e.Kv.Version == 1 ? WatchEventType.Added : WatchEventType.Modified;
        var type = WatchEventTyper.Classify(filter, raw, current, kind.Serialize(current), previous,
            previous is null ? [] : kind.Serialize(previous));
        return type is null ? null : new WatchEvent<T>(type.Value, current, revision);
    }

    private async Task<Found<T>?> FindAsync<T>(ResourceKind<T> kind, string name, string? ns, CancellationToken cancellationToken) where T : Resource
    {
        foreach (var candidate in EtcdKeyLayout.For(kind).CandidateKeys(name, ns))
        {
            var key = Key(candidate);
            var answer = await _client.RangeAsync(new RangeRequest { Key = key }, cancellationToken).ConfigureAwait(false);
            if (answer.Kvs is [{ Value: not null } kv, ..])
            {
                var item = EtcdValueCodec.Decode(kind, candidate, kv);
                if (item.Name == name)
                {
                    return new Found<T>(key, kv.ModRevision, item);
                }
            }
        }

        return null;
    }

    private sealed record Found<T>(byte[] Key, long ModRevision, T Object);

    private byte[] Key(string layoutKey) => Encoding.UTF8.GetBytes(_options.KeyPrefix + layoutKey);

    private string StripPrefix(byte[] key) => Encoding.UTF8.GetString(key)[_options.KeyPrefix.Length..];

    private static long ParseRevision(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"revision \"{text}\" is not an etcd revision", nameof(text));
}
