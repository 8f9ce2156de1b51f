using System.Collections.Concurrent;

namespace Tabby.Datastore.Embedded;

/// <summary>
/// Wakes watchers of one store directory when its change log grows: directly for writers in this
/// process, through inotify (FileSystemWatcher) for writers in other processes. Watchers also poll,
/// so a missed notification only delays an event, never loses it.
/// </summary>
internal sealed class ChangeSignal
{
    private static readonly ConcurrentDictionary<string, ChangeSignal> ByDirectory = new(StringComparer.Ordinal);
    private readonly string _directory;
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FileSystemWatcher? _watcher;
    private int _watchers;

    private ChangeSignal(string directory) => _directory = directory;

    public static ChangeSignal For(string directory) =>
        ByDirectory.GetOrAdd(Path.GetFullPath(directory), d => new ChangeSignal(d));

    /// <summary>Completes when the next change is signalled.</summary>
    public Task NextChange
    {
        get
        {
            lock (_gate)
            {
                return _next.Task;
            }
        }
    }

    public void Pulse()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    /// <summary>Starts inotify for this directory while at least one watcher is active.</summary>
    public IDisposable Subscribe()
    {
        lock (_gate)
        {
            if (_watchers++ == 0)
            {
                try
                {
                    _watcher = new FileSystemWatcher(_directory, ChangeLogFile.FileName)
                    {
                        NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
                    };
                    _watcher.Changed += (_, _) => Pulse();
                    _watcher.Created += (_, _) => Pulse();
                    _watcher.Renamed += (_, _) => Pulse();
                    _watcher.EnableRaisingEvents = true;
                }
                catch (Exception e) when (e is IOException or PlatformNotSupportedException or UnauthorizedAccessException)
                {
                    // Out of inotify instances or unsupported: polling alone still delivers every change.
                    _watcher?.Dispose();
                    _watcher = null;
                }
            }
        }

        return new Subscription(this);
    }

    private void Unsubscribe()
    {
        lock (_gate)
        {
            if (--_watchers == 0)
            {
                _watcher?.Dispose();
                _watcher = null;
            }
        }
    }

    private sealed class Subscription(ChangeSignal owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe();
            }
        }
    }
}
