namespace Tabby.Bgp.Wire.Nlri;

/// <summary>One NLRI item: a prefix and its ADD-PATH path identifier (0 when ADD-PATH is not in use; RFC 7911 section 3).</summary>
public readonly record struct NlriEntry(BgpPrefix Prefix, uint PathId)
{
    public override string ToString() => PathId == 0 ? Prefix.ToString() : $"{Prefix} path-id {PathId}";
}
