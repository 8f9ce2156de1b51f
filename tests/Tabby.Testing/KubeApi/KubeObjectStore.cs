using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Tabby.Testing.KubeApi;

/// <summary>
/// The emulator's storage: objects by resource/namespace/name, one global revision (like etcd's),
/// a bounded event history for watch resumption, and live watchers. Every method is atomic.
/// </summary>
internal sealed class KubeObjectStore(int historyCapacity)
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly LinkedList<StoredEvent> _history = new();
    private readonly List<Watcher> _watchers = [];
    private long _revision = 1000;
    private long _compactedThrough = 1000;

    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    public long CompactedThrough
    {
        get
        {
            lock (_gate)
            {
                return _compactedThrough;
            }
        }
    }

    public static string Key(KubeApiResource r, string? ns, string name) => $"{r.ApiVersion}/{r.Plural}/{ns}/{name}";

    private static string Prefix(KubeApiResource r, string? ns) => ns is null ? $"{r.ApiVersion}/{r.Plural}/" : $"{r.ApiVersion}/{r.Plural}/{ns}/";

    public JsonObject Get(KubeApiResource r, string? ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(Key(r, ns, name), out var obj) ? (JsonObject)obj.DeepClone() : throw KubeStatusException.NotFound(r, name);
        }
    }

    /// <summary>Objects after <paramref name="afterKey"/>, at most <paramref name="limit"/>; returns the key to continue from.</summary>
    public (List<JsonObject> Items, long Revision, string? NextKey) List(KubeApiResource r, string? ns, Func<JsonObject, bool> filter,
        int limit, string? afterKey)
    {
        lock (_gate)
        {
            var prefix = Prefix(r, ns);
            var items = new List<JsonObject>();
            string? next = null;
            foreach (var (key, obj) in _objects)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal) || (afterKey is not null && string.CompareOrdinal(key, afterKey) <= 0))
                {
                    continue;
                }

                if (!filter(obj))
                {
                    continue;
                }

                if (limit > 0 && items.Count == limit)
                {
                    next = Key(r, items[^1]["metadata"]!["namespace"]?.GetValue<string>(), items[^1]["metadata"]!["name"]!.GetValue<string>());
                    break;
                }

                items.Add((JsonObject)obj.DeepClone());
            }

            return (items, _revision, next);
        }
    }

    public JsonObject Create(KubeApiResource r, string? ns, JsonObject obj)
    {
        lock (_gate)
        {
            var meta = (JsonObject)obj["metadata"]!;
            var name = meta["name"]!.GetValue<string>();
            var key = Key(r, ns, name);
            if (_objects.ContainsKey(key))
            {
                throw KubeStatusException.AlreadyExists(r, name);
            }

            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            meta["generation"] = 1L;
            return Commit(r, key, "ADDED", obj, previous: null);
        }
    }

    public JsonObject Update(KubeApiResource r, string? ns, string name, Func<JsonObject, JsonObject> change)
    {
        lock (_gate)
        {
            var key = Key(r, ns, name);
            if (!_objects.TryGetValue(key, out var current))
            {
                throw KubeStatusException.NotFound(r, name);
            }

            var updated = change((JsonObject)current.DeepClone());
            var meta = (JsonObject)updated["metadata"]!;
            var given = meta["resourceVersion"]?.GetValue<string>();
            var stored = current["metadata"]!["resourceVersion"]!.GetValue<string>();
            if (!string.IsNullOrEmpty(given) && given != stored)
            {
                throw KubeStatusException.Conflict(r, name, "the object has been modified; please apply your changes to the latest version and try again");
            }

            var uid = meta["uid"]?.GetValue<string>();
            var storedUid = current["metadata"]!["uid"]!.GetValue<string>();
            if (!string.IsNullOrEmpty(uid) && uid != storedUid)
            {
                throw KubeStatusException.Conflict(r, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {storedUid}");
            }

            meta["uid"] = storedUid;
            meta["creationTimestamp"] = current["metadata"]!["creationTimestamp"]?.DeepClone();
            meta["generation"] = (long.TryParse(current["metadata"]!["generation"]?.ToJsonString(), out var g) ? g : 0) + 1;
            return Commit(r, key, "MODIFIED", updated, current);
        }
    }

    public JsonObject Delete(KubeApiResource r, string? ns, string name, string? uid, string? resourceVersion)
    {
        lock (_gate)
        {
            var key = Key(r, ns, name);
            if (!_objects.TryGetValue(key, out var current))
            {
                throw KubeStatusException.NotFound(r, name);
            }

            var meta = current["metadata"]!;
            if (!string.IsNullOrEmpty(uid) && uid != meta["uid"]!.GetValue<string>())
            {
                throw KubeStatusException.Conflict(r, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta["uid"]}");
            }

            if (!string.IsNullOrEmpty(resourceVersion) && resourceVersion != meta["resourceVersion"]!.GetValue<string>())
            {
                throw KubeStatusException.Conflict(r, name,
                    $"Precondition failed: ResourceVersion in precondition: {resourceVersion}, ResourceVersion in object meta: {meta["resourceVersion"]}");
            }

            return Commit(r, key, "DELETED", (JsonObject)current.DeepClone(), current);
        }
    }

    /// <summary>Starts a watch: replays history after <paramref name="fromRevision"/> (null: every current object as ADDED).</summary>
    public Watcher Watch(KubeApiResource r, string? ns, long? fromRevision)
    {
        lock (_gate)
        {
            if (fromRevision is { } from && from < _compactedThrough)
            {
                throw KubeStatusException.Gone($"too old resource version: {from} ({_compactedThrough})");
            }

            var watcher = new Watcher(r, Prefix(r, ns), _revision);
            if (fromRevision is { } start)
            {
                foreach (var e in _history)
                {
                    if (e.Revision > start && e.Key.StartsWith(watcher.Prefix, StringComparison.Ordinal))
                    {
                        watcher.Events.Writer.TryWrite(e);
                    }
                }
            }
            else
            {
                foreach (var (key, obj) in _objects)
                {
                    if (key.StartsWith(watcher.Prefix, StringComparison.Ordinal))
                    {
                        watcher.Events.Writer.TryWrite(new StoredEvent(_revision, "ADDED", key, (JsonObject)obj.DeepClone(), null));
                    }
                }
            }

            _watchers.Add(watcher);
            return watcher;
        }
    }

    public void Unwatch(Watcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
        }
    }

    /// <summary>Forgets all history: every watch or continue from an older revision gets 410 Gone.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _revision;
        }
    }

    private JsonObject Commit(KubeApiResource r, string key, string type, JsonObject obj, JsonObject? previous)
    {
        _revision++;
        obj["apiVersion"] = r.ApiVersion;
        obj["kind"] = r.Kind;
        obj["metadata"]!["resourceVersion"] = _revision.ToString(CultureInfo.InvariantCulture);
        if (type == "DELETED")
        {
            _objects.Remove(key);
        }
        else
        {
            _objects[key] = (JsonObject)obj.DeepClone();
        }

        var e = new StoredEvent(_revision, type, key, (JsonObject)obj.DeepClone(), previous);
        _history.AddLast(e);
        while (_history.Count > historyCapacity)
        {
            _compactedThrough = _history.First!.Value.Revision;
            _history.RemoveFirst();
        }

        foreach (var watcher in _watchers)
        {
            if (key.StartsWith(watcher.Prefix, StringComparison.Ordinal))
            {
                watcher.Events.Writer.TryWrite(e);
            }

            watcher.ObservedRevision = _revision;
        }

        return obj;
    }

    internal sealed record StoredEvent(long Revision, string Type, string Key, JsonObject Object, JsonObject? Previous);

    internal sealed class Watcher(KubeApiResource resource, string prefix, long revision)
    {
        public KubeApiResource Resource { get; } = resource;
        public string Prefix { get; } = prefix;
        public Channel<StoredEvent> Events { get; } = Channel.CreateUnbounded<StoredEvent>();

        /// <summary>Every event up to this revision has been queued for this watcher (for bookmarks).</summary>
        public long ObservedRevision { get; set; } = revision;
    }
}
