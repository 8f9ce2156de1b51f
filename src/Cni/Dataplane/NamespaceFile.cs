using System.Runtime.InteropServices;
using Tabby.Cni.Spec;

namespace Tabby.Cni.Dataplane;

/// <summary>
/// An open network-namespace file (CNI_NETNS). Its descriptor is what IFLA_NET_NS_FD takes, so the
/// container end of the veth is created directly inside the pod's namespace and never exists, even
/// briefly, under its container name (eth0) in the host's.
/// </summary>
internal sealed partial class NamespaceFile : IDisposable
{
    private const int OpenReadOnlyCloseOnExec = 0x80000;
    private const int ENOENT = 2;

    private int _fd;

    private NamespaceFile(int fd) => _fd = fd;

    public int Descriptor => _fd;

    /// <summary>Opens <paramref name="path"/>; a missing file is <see cref="CniErrorCode.ContainerUnknown"/>.</summary>
    public static NamespaceFile Open(string path)
    {
        var fd = OpenFile(path, OpenReadOnlyCloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == ENOENT
                ? new CniException(CniErrorCode.ContainerUnknown, $"the network namespace {path} does not exist")
                : new CniException(CniErrorCode.IoFailure, $"cannot open the network namespace {path} (errno {errno})");
        }

        return new NamespaceFile(fd);
    }

    public static bool Exists(string path) => !string.IsNullOrEmpty(path) && File.Exists(path);

    public void Dispose()
    {
        if (_fd >= 0)
        {
            _ = Close(_fd);
            _fd = -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFile(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
