using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Store;

namespace Tabby.Datastore.Embedded;

/// <summary>
/// The default single-machine datastore: a directory, no server. Design (docs/datastore.md):
/// <list type="bullet">
/// <item>One JSON file per object, replaced atomically (temp file, fsync, rename, fsync dir).</item>
/// <item>A global revision and an append-only change log (<c>changes.log</c>) that is written and
/// fsynced before the object file changes (write-ahead): a writer killed at any point leaves either
/// the old or the new version; the next writer truncates a torn log line and re-applies a logged
/// change whose object file was not yet replaced.</item>
/// <item>Writers of all processes serialize on an exclusive flock of <c>lock</c>, held for one write.
/// Reads (get) take no lock; lists take it briefly for a snapshot consistent with their revision.</item>
/// <item>Watchers tail the change log (inotify plus polling); compaction rewrites the log under a new
/// epoch, and a watch from a revision it dropped gets <see cref="RevisionTooOldException"/>.</item>
/// </list>
/// </summary>
public sealed class EmbeddedDatastore : IDatastore
{
    private readonly EmbeddedLayout _layout;
    private readonly EmbeddedDatastoreOptions _options;
    private readonly StoreLock _lock;
    private readonly ChangeSignal _signal;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // What this instance knows of the log; refreshed under the lock before every write.
    private string _epoch = "";
    private long _logOffset;
    private long _lastRevision;
    private int _entryCount;
    private ChangeLogEntry? _lastEntry;
    private long _appliedRevision = -1;
    private bool _sweptTemporaries;

    public EmbeddedDatastore(string directory, EmbeddedDatastoreOptions? options = null, ILogger? logger = null,
        TimeProvider? timeProvider = null)
    {
        _layout = new EmbeddedLayout(directory);
        _options = options ?? new EmbeddedDatastoreOptions();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        Directory.CreateDirectory(_layout.Root);
        _lock = new StoreLock(_layout.Root, _options.LockTimeout);
        _signal = ChangeSignal.For(_layout.Root);
    }

    public string Description => $"embedded datastore at {_layout.Root}";

    public string DirectoryPath => _layout.Root;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public Task<T?> GetAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null,
        CancellationToken cancellationToken = default) where T : Resource
    {
        var ns = ResourceRules.ScopeNamespace(kind, @namespace, name);
        var bytes = AtomicFile.TryRead(_layout.ObjectPath(EmbeddedLayout.KindKey(kind), ns, name));
        return Task.FromResult(bytes is null ? null : kind.Deserialize(bytes));
    }

    public async Task<ResourceList<T>> ListAsync<T>(ResourceKind<T> kind, ListOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource
    {
        var filter = ObjectFilter.From(options);
        var kindKey = EmbeddedLayout.KindKey(kind);
        var items = new List<T>();
        long revision;
        using (await _lock.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            SyncLog();
            revision = _lastRevision;
            IEnumerable<string> directories;
            if (kind.Namespaced && !string.IsNullOrEmpty(options?.Namespace))
            {
                directories = [_layout.NamespaceDirectory(kindKey, options.Namespace)];
            }
            else
            {
                var kindDirectory = _layout.KindDirectory(kindKey);
                directories = Directory.Exists(kindDirectory) ? Directory.EnumerateDirectories(kindDirectory) : [];
            }

            foreach (var directory in directories)
            {
                if (!Directory.Exists(directory))
                {
                    continue;
                }

                foreach (var file in Directory.EnumerateFiles(directory, "*.json"))
                {
                    var bytes = AtomicFile.TryRead(file);
                    if (bytes is null)
                    {
                        continue;
                    }

                    var item = kind.Deserialize(bytes);
                    if (filter.Matches(item, bytes))
                    {
                        items.Add(item);
                    }
                }
            }
        }

        items.Sort((a, b) => string.CompareOrdinal(a.Metadata.Namespace + "/" + a.Name, b.Metadata.Namespace + "/" + b.Name));
        return new ResourceList<T>(items, revision.ToString(CultureInfo.InvariantCulture));
    }

    public async Task<T> CreateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default)
        where T : Resource
    {
        var name = ResourceRules.RequireName(kind, resource);
        var ns = ResourceRules.ScopeNamespace(kind, resource.Metadata.Namespace, name);
        var created = await WriteAsync(kind, ns, name, (current, revision) =>
        {
            if (current is not null)
            {
                throw new ResourceAlreadyExistsException(kind, name, ns);
            }

            var copy = kind.Clone(resource);
            copy.Metadata.Namespace = ns;
            copy.Metadata.Uid = Guid.NewGuid().ToString();
            copy.Metadata.CreationTimestamp = ResourceRules.TruncateToSeconds(_time.GetUtcNow());
            copy.Metadata.ResourceVersion = revision.ToString(CultureInfo.InvariantCulture);
            copy.Metadata.Generation = 1;
            return (ChangeOperation.Create, kind.Serialize(copy));
        }, cancellationToken).ConfigureAwait(false);
        return kind.Deserialize(created);
    }

    public async Task<T> UpdateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default)
        where T : Resource
    {
        var name = ResourceRules.RequireName(kind, resource);
        var ns = ResourceRules.ScopeNamespace(kind, resource.Metadata.Namespace, name);
        var expected = ResourceRules.RequireResourceVersion(resource);
        var updated = await WriteAsync(kind, ns, name, (current, revision) =>
        {
            if (current is null)
            {
                throw new ResourceNotFoundException(kind, name, ns);
            }

            var stored = kind.Deserialize(current);
            if (stored.Metadata.ResourceVersion != expected)
            {
                throw new ResourceConflictException(kind, name, ns,
                    $"resourceVersion {expected} given, {stored.Metadata.ResourceVersion} stored");
            }

            if (resource.Metadata.Uid is { Length: > 0 } uid && uid != stored.Metadata.Uid)
            {
                throw new ResourceConflictException(kind, name, ns, $"uid {uid} given, {stored.Metadata.Uid} stored");
            }

            var copy = kind.Clone(resource);
            copy.Metadata.Namespace = ns;
            copy.Metadata.Uid = stored.Metadata.Uid;
            copy.Metadata.CreationTimestamp = stored.Metadata.CreationTimestamp;
            copy.Metadata.Generation = (stored.Metadata.Generation ?? 0) + 1;
            copy.Metadata.ResourceVersion = revision.ToString(CultureInfo.InvariantCulture);
            return (ChangeOperation.Update, kind.Serialize(copy));
        }, cancellationToken).ConfigureAwait(false);
        return kind.Deserialize(updated);
    }

    public async Task<T> DeleteAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null, DeleteOptions? options = null,
        CancellationToken cancellationToken = default) where T : Resource
    {
        var ns = ResourceRules.ScopeNamespace(kind, @namespace, name);
        var deleted = await WriteAsync(kind, ns, name, (current, revision) =>
        {
            if (current is null)
            {
                throw new ResourceNotFoundException(kind, name, ns);
            }

            var stored = kind.Deserialize(current);
            if (options?.ResourceVersion is { Length: > 0 } rv && rv != stored.Metadata.ResourceVersion)
            {
                throw new ResourceConflictException(kind, name, ns, $"precondition resourceVersion {rv}, stored {stored.Metadata.ResourceVersion}");
            }

            if (options?.Uid is { Length: > 0 } uid && uid != stored.Metadata.Uid)
            {
                throw new ResourceConflictException(kind, name, ns, $"precondition uid {uid}, stored {stored.Metadata.Uid}");
            }

            stored.Metadata.ResourceVersion = revision.ToString(CultureInfo.InvariantCulture);
            return (ChangeOperation.Delete, kind.Serialize(stored));
        }, cancellationToken).ConfigureAwait(false);
        return kind.Deserialize(deleted);
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceKind<T> kind, WatchOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default) where T : Resource
    {
        var filter = ObjectFilter.From(options);
        var kindKey = EmbeddedLayout.KindKey(kind);
        if (!File.Exists(_layout.ChangeLog))
        {
            using (await _lock.AcquireAsync(cancellationToken).ConfigureAwait(false))
            {
                SyncLog();
            }
        }

        using var subscription = _signal.Subscribe();
        var nextChange = _signal.NextChange;
        var epoch = "";
        long offset = 0;
        long after;
        var pending = new List<ChangeLogEntry>();
        using (var log = ChangeLogFile.OpenRead(_layout.ChangeLog))
        {
            var (header, headerEnd) = ChangeLogFile.ReadHeader(log);
            epoch = header.Epoch;
            if (options?.Revision is { Length: > 0 } text)
            {
                after = ParseRevision(text);
                if (after < header.CompactedThrough)
                {
                    throw new RevisionTooOldException(text, $"the change log was compacted through revision {header.CompactedThrough}");
                }

                offset = ChangeLogFile.ReadEntries(log, headerEnd, pending.Add);
            }
            else
            {
                after = header.CompactedThrough;
                offset = ChangeLogFile.ReadEntries(log, headerEnd, e => after = e.Revision);
            }
        }

        var lastReported = after;
        var lastBookmark = _time.GetUtcNow();
        while (true)
        {
            foreach (var entry in pending)
            {
                if (entry.Revision <= after)
                {
                    continue;
                }

                after = entry.Revision;
                if (entry.KindKey != kindKey)
                {
                    continue;
                }

                var watchEvent = ToEvent(kind, filter, entry);
                if (watchEvent is not null)
                {
                    lastReported = after;
                    yield return watchEvent;
                }
            }

            pending.Clear();
            if (options?.AllowBookmarks == true && after > lastReported &&
                _time.GetUtcNow() - lastBookmark >= _options.BookmarkInterval)
            {
                lastReported = after;
                lastBookmark = _time.GetUtcNow();
                yield return new WatchEvent<T>(WatchEventType.Bookmark, null, after.ToString(CultureInfo.InvariantCulture));
            }

            await Task.WhenAny(nextChange, Task.Delay(_options.PollInterval, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            nextChange = _signal.NextChange;
            using var log = ChangeLogFile.OpenRead(_layout.ChangeLog);
            var (header, headerEnd) = ChangeLogFile.ReadHeader(log);
            if (header.Epoch != epoch || log.Length < offset)
            {
                // Compacted (rewritten) since we last looked: continue from the new file if it still
                // holds every change after ours, otherwise the caller must re-list.
                if (after < header.CompactedThrough)
                {
                    throw new RevisionTooOldException(after.ToString(CultureInfo.InvariantCulture),
                        $"the change log was compacted through revision {header.CompactedThrough} while watching");
                }

                epoch = header.Epoch;
                offset = headerEnd;
            }

            offset = ChangeLogFile.ReadEntries(log, offset, pending.Add);
        }
    }

    private static WatchEvent<T>? ToEvent<T>(ResourceKind<T> kind, ObjectFilter filter, ChangeLogEntry entry) where T : Resource
    {
        var current = kind.Deserialize(entry.Object);
        var raw = entry.Operation switch
        {
            ChangeOperation.Create => WatchEventType.Added,
            ChangeOperation.Update => WatchEventType.Modified,
            _ => WatchEventType.Deleted,
        };
        var previous = entry.Previous is null ? null : kind.Deserialize(entry.Previous);
        var type = WatchEventTyper.Classify(filter, raw, current, entry.Object, previous, entry.Previous ?? []);
        return type is null ? null : new WatchEvent<T>(type.Value, current, entry.Revision.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// One write under the lock: bring the log state up to date (repairing what a killed writer
    /// left), decide the new object from the current one, log it durably, then apply it.
    /// </summary>
    private async Task<byte[]> WriteAsync(ResourceKind kind, string? ns, string name,
        Func<byte[]?, long, (ChangeOperation Operation, byte[] Object)> decide, CancellationToken cancellationToken)
    {
        var kindKey = EmbeddedLayout.KindKey(kind);
        var path = _layout.ObjectPath(kindKey, ns, name);
        byte[] result;
        using (await _lock.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            SyncLog();
            var current = AtomicFile.TryRead(path);
            var revision = _lastRevision + 1;
            var (operation, obj) = decide(current, revision);
            var entry = new ChangeLogEntry(revision, operation, kindKey, ns, name, obj,
                operation == ChangeOperation.Update ? current : null);
            var line = entry.ToLine();
            using (var log = ChangeLogFile.OpenWrite(_layout.ChangeLog))
            {
                log.Position = _logOffset;
                log.Write(line);
                log.Flush(flushToDisk: true);
            }

            _logOffset += line.Length;
            _lastRevision = revision;
            _entryCount++;
            _lastEntry = entry;
            Apply(entry);
            result = obj;
            if (_entryCount > _options.MaxLogEntries || _logOffset > _options.MaxLogBytes)
            {
                Compact(_options.RetainedLogEntries);
            }
        }

        _signal.Pulse();
        return result;
    }

    /// <summary>Reads log entries appended since we last looked (by any process). Caller holds the lock.</summary>
    private void SyncLog()
    {
        if (!File.Exists(_layout.ChangeLog))
        {
            AtomicFile.RemoveStaleTemporaries(_layout.Root, TimeSpan.Zero);
            ChangeLogFile.EnsureExists(_layout.ChangeLog);
        }

        using var log = ChangeLogFile.OpenWrite(_layout.ChangeLog);
        var (header, headerEnd) = ChangeLogFile.ReadHeader(log);
        if (header.Epoch != _epoch)
        {
            _epoch = header.Epoch;
            _logOffset = headerEnd;
            _lastRevision = header.CompactedThrough;
            _entryCount = 0;
            _lastEntry = null;
        }

        _logOffset = ChangeLogFile.ReadEntries(log, _logOffset, e =>
        {
            _lastRevision = e.Revision;
            _entryCount++;
            _lastEntry = e;
        });
        if (log.Length > _logOffset)
        {
            // A writer was killed in the middle of appending: its change never happened.
            _logger.LogWarning("Embedded datastore {Root}: truncating a torn change log entry ({Bytes} bytes)",
                _layout.Root, log.Length - _logOffset);
            log.SetLength(_logOffset);
            log.Flush(flushToDisk: true);
        }

        if (_lastEntry is not null && _lastEntry.Revision > _appliedRevision)
        {
            Redo(_lastEntry);
        }

        if (!_sweptTemporaries)
        {
            // Every writer holds the lock while its temporary file exists, so under the lock any
            // temporary is a leftover of a killed writer.
            _sweptTemporaries = true;
            AtomicFile.RemoveStaleTemporaries(_layout.Root, TimeSpan.Zero);
            if (Directory.Exists(_layout.Objects))
            {
                foreach (var directory in Directory.EnumerateDirectories(_layout.Objects, "*", SearchOption.AllDirectories))
                {
                    AtomicFile.RemoveStaleTemporaries(directory, TimeSpan.Zero);
                }
            }
        }
    }

    /// <summary>Makes sure the last logged change reached its object file (a writer may have died in between).</summary>
    private void Redo(ChangeLogEntry entry)
    {
        var path = _layout.ObjectPath(entry.KindKey, entry.Namespace, entry.Name);
        var current = AtomicFile.TryRead(path);
        var currentRevision = current is null ? -1 : ReadResourceVersion(current);
        var applied = entry.IsDelete ? current is null || currentRevision > entry.Revision : currentRevision == entry.Revision;
        if (!applied)
        {
            _logger.LogWarning("Embedded datastore {Root}: completing revision {Revision} ({Kind} {Name}) left unapplied by a killed writer",
                _layout.Root, entry.Revision, entry.KindKey, entry.Name);
            Apply(entry);
        }

        _appliedRevision = entry.Revision;
    }

    private void Apply(ChangeLogEntry entry)
    {
        var path = _layout.ObjectPath(entry.KindKey, entry.Namespace, entry.Name);
        if (entry.IsDelete)
        {
            AtomicFile.Delete(path);
        }
        else
        {
            AtomicFile.Write(path, entry.Object);
        }

        _appliedRevision = entry.Revision;
    }

    /// <summary>Rewrites the log keeping the newest entries; older revisions become "too old" for watches.</summary>
    /// <summary>Compacts now, keeping <paramref name="retain"/> entries (tests, maintenance).</summary>
    internal async Task CompactNowAsync(int retain, CancellationToken cancellationToken = default)
    {
        using (await _lock.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            SyncLog();
            Compact(retain);
        }

        _signal.Pulse();
    }

    private void Compact(int retain)
    {
        var entries = new List<ChangeLogEntry>(_entryCount);
        using (var log = ChangeLogFile.OpenRead(_layout.ChangeLog))
        {
            var (_, headerEnd) = ChangeLogFile.ReadHeader(log);
            ChangeLogFile.ReadEntries(log, headerEnd, entries.Add);
        }

        var keep = Math.Clamp(retain, 1, Math.Max(1, entries.Count));
        var dropped = entries.Count - keep;
        if (dropped <= 0)
        {
            return;
        }

        var header = new ChangeLogHeader(Guid.NewGuid().ToString("N"), entries[dropped - 1].Revision);
        using var buffer = new MemoryStream();
        buffer.Write(header.ToLine());
        foreach (var entry in entries.Skip(dropped))
        {
            buffer.Write(entry.ToLine());
        }

        AtomicFile.Write(_layout.ChangeLog, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        _epoch = header.Epoch;
        _logOffset = buffer.Length;
        _entryCount = keep;
        _logger.LogInformation("Embedded datastore {Root}: compacted the change log through revision {Revision}", _layout.Root, header.CompactedThrough);
    }

    private static long ReadResourceVersion(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var rv) &&
            long.TryParse(rv.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;
    }

    private static long ParseRevision(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"revision \"{text}\" is not a revision of the embedded datastore", nameof(text));
}
