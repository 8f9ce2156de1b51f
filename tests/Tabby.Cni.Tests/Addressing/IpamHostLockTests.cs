using Tabby.Cni.Addressing;
using Xunit;

namespace Tabby.Cni.Tests.Addressing;

public sealed class IpamHostLockTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "tabby-cni-lock-tests", Guid.NewGuid().ToString("N"), "ipam.lock");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Second_holder_waits_until_the_first_releases()
    {
        var first = await IpamHostLock.AcquireAsync(_path, CancellationToken.None);
        var second = IpamHostLock.AcquireAsync(_path, CancellationToken.None);
        await Task.Delay(100);
        Assert.False(second.IsCompleted);

        first.Dispose();

        using var acquired = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(File.Exists(_path));
    }

    [Fact]
    public async Task Waiting_ends_with_cancellation_and_the_lock_stays_usable()
    {
        using (await IpamHostLock.AcquireAsync(_path, CancellationToken.None))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => IpamHostLock.AcquireAsync(_path, timeout.Token));
        }

        using var again = await IpamHostLock.AcquireAsync(_path, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }
}
