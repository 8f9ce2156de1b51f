using System.Runtime.CompilerServices;

namespace Tabby.Bgp.Rib.Storage;

/// <summary>
/// A growable array made of fixed-size chunks: growing adds a chunk instead of copying the whole
/// array, so a table of a million entries never has its old and new copies alive at once (the
/// peak a doubling array would cause), and no chunk reaches the large object heap's worst sizes.
/// Chunks are allocated on first write, so a sparse user (a peer that receives few of the
/// prefixes) pays only for the chunks it touches.
/// </summary>
internal sealed class ChunkedArray<T>
{
    internal const int ChunkBits = 12;
    internal const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    private T[]?[] _chunks = new T[]?[4];

    /// <summary>Read access; indexes in chunks never written read as default.</summary>
    public T Get(int index)
    {
        int c = index >> ChunkBits;
        if ((uint)c >= (uint)_chunks.Length) return default!;
        var chunk = _chunks[c];
        return chunk is null ? default! : chunk[index & ChunkMask];
    }

    /// <summary>Write access: allocates the chunk holding <paramref name="index"/> when needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T At(int index)
    {
        int c = index >> ChunkBits;
        if ((uint)c < (uint)_chunks.Length && _chunks[c] is { } chunk) return ref chunk[index & ChunkMask];
        return ref Allocate(index);
    }

    private ref T Allocate(int index)
    {
        int c = index >> ChunkBits;
        if (c >= _chunks.Length) Array.Resize(ref _chunks, Math.Max(c + 1, _chunks.Length * 2));
        var chunk = _chunks[c] ??= new T[ChunkSize];
        return ref chunk[index & ChunkMask];
    }

    /// <summary>Drops every chunk.</summary>
    public void Clear() => _chunks = new T[]?[4];
}
