using System.Collections.Concurrent;

namespace Tabby.Datastore.Embedded;

/// <summary>
/// The embedded store's writer lock, held only for the duration of one write (or one consistent
/// list). Across processes: an exclusive flock taken by opening the lock file with
/// <see cref="FileShare.None"/> (.NET maps that to flock(LOCK_EX|LOCK_NB)); the kernel drops it when
/// the holder dies, so a kill -9 never leaves the store locked. Within a process a semaphore per
/// directory queues writers so they do not spin on the file lock against each other.
/// </summary>
internal sealed class StoreLock
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InProcess = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly SemaphoreSlim _gate;
    private readonly TimeSpan _timeout;

    public StoreLock(string directory, TimeSpan timeout)
    {
        _path = Path.Combine(directory, "lock");
        _gate = InProcess.GetOrAdd(Path.GetFullPath(directory), _ => new SemaphoreSlim(1, 1));
        _timeout = timeout;
    }

    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false))
        {
            throw new Store.DatastoreUnavailableException($"embedded store lock {_path} not obtained within {_timeout.TotalSeconds:0} s (in-process queue)");
        }

        try
        {
            var deadline = DateTime.UtcNow + _timeout;
            var delay = 1;
            while (true)
            {
                try
                {
                    var stream = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                    return new Holder(stream, _gate);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    // Another process writes: its lock is held for one write only, retry shortly.
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    delay = Math.Min(delay * 2, 20);
                }
                catch (IOException e)
                {
                    throw new Store.DatastoreUnavailableException($"embedded store lock {_path} held by another process for over {_timeout.TotalSeconds:0} s", e);
                }
            }
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    private sealed class Holder(FileStream stream, SemaphoreSlim gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                stream.Dispose();
                gate.Release();
            }
        }
    }
}
