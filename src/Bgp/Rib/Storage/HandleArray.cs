namespace Tabby.Bgp.Rib.Storage;

/// <summary>One value per <see cref="PrefixIndex"/> handle: an IPv4 and an IPv6 <see cref="ChunkedArray{T}"/>.</summary>
internal sealed class HandleArray<T>
{
    private readonly ChunkedArray<T> _v4 = new();
    private readonly ChunkedArray<T> _v6 = new();

    public T Get(int handle) => handle >= 0 ? _v4.Get(handle) : _v6.Get(~handle);

    public ref T At(int handle) => ref handle >= 0 ? ref _v4.At(handle) : ref _v6.At(~handle);

    public void Clear()
    {
        _v4.Clear();
        _v6.Clear();
    }
}
