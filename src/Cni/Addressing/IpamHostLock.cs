using System.Runtime.InteropServices;
using Tabby.Cni.Spec;

namespace Tabby.Cni.Addressing;

/// <summary>
/// Serializes the IPAM part of every plugin invocation on one host (Calico's plugin does the same
/// with its ipam.lock). Pods of one node allocate from the same affine block, so concurrent plugins
/// would all compare-and-swap the same object and retry each other into the ground; in turn, one
/// at a time, each write succeeds first time. An exclusive flock: the kernel queues waiters and
/// releases the lock when a holder dies, so a killed plugin never wedges the node.
/// </summary>
internal sealed partial class IpamHostLock : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int EWOULDBLOCK = 11;
    private const int EINTR = 4;

    private const int OpenReadWriteCreateCloseOnExec = 0x2 | 0x40 | 0x80000;

    private int _fd;

    private IpamHostLock(int fd) => _fd = fd;

    /// <summary>Waits for the lock until <paramref name="cancellationToken"/> fires (the invocation's deadline).</summary>
    public static async Task<IpamHostLock> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CniException(CniErrorCode.IoFailure, $"cannot create the directory of the IPAM lock file {path}", e.Message, e);
        }

        // Opened with open(2) rather than FileStream, which would take a shared flock of its own.
        var fd = Open(path, OpenReadWriteCreateCloseOnExec, 0x180);
        if (fd < 0)
        {
            throw new CniException(CniErrorCode.IoFailure, $"cannot open the IPAM lock file {path} (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            var delay = 1;
            while (true)
            {
                // Non-blocking attempts with a short, growing sleep: waits are cancellable, and with
                // one holder at a time at a few milliseconds each the sleep is rarely long.
                if (Flock(fd, LockExclusive | LockNonBlocking) == 0)
                {
                    return new IpamHostLock(fd);
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno is not (EWOULDBLOCK or EINTR))
                {
                    throw new CniException(CniErrorCode.IoFailure, $"flock({path}) failed with errno {errno}");
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 8);
            }
        }
        catch
        {
            _ = Close(fd);
            throw;
        }
    }

    /// <summary>Closing the descriptor drops the flock.</summary>
    public void Dispose()
    {
        if (_fd >= 0)
        {
            _ = Close(_fd);
            _fd = -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
