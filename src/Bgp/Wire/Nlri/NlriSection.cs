namespace Tabby.Bgp.Wire.Nlri;

/// <summary>
/// A validated run of NLRI bytes of one family (the Withdrawn Routes field, the NLRI field, or the
/// NLRI inside MP_REACH_NLRI / MP_UNREACH_NLRI). Enumerating it yields <see cref="NlriEntry"/>
/// values straight from the bytes, without allocating.
/// </summary>
public readonly struct NlriSection
{
    public NlriSection(AfiSafi family, bool hasPathId, ReadOnlyMemory<byte> data, int count)
    {
        Family = family;
        HasPathId = hasPathId;
        Data = data;
        Count = count;
    }

    public AfiSafi Family { get; }

    /// <summary>Whether each prefix carries an ADD-PATH path identifier (RFC 7911 section 3).</summary>
    public bool HasPathId { get; }

    /// <summary>The raw encoded prefixes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Number of prefixes (0 for families this codec does not decode; see <see cref="AfiSafi.IsUnicastIp"/>).</summary>
    public int Count { get; }

    public bool IsEmpty => Count == 0;

    public Enumerator GetEnumerator() => new(this);

    /// <summary>Allocating convenience for tests and tools; the hot path uses the enumerator.</summary>
    public List<NlriEntry> ToList()
    {
        var list = new List<NlriEntry>(Count);
        foreach (var entry in this) list.Add(entry);
        return list;
    }

    /// <summary>A ref struct enumerator over the section's bytes.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly Afi _afi;
        private readonly bool _hasPathId;
        private readonly bool _decodable;
        private int _pos;

        internal Enumerator(NlriSection section)
        {
            _data = section.Data.Span;
            _afi = section.Family.Afi;
            _hasPathId = section.HasPathId;
            _decodable = section.Family.IsUnicastIp;
            _pos = 0;
            Current = default;
        }

        public NlriEntry Current { get; private set; }

        public bool MoveNext()
        {
            if (!_decodable || _pos >= _data.Length) return false;
            Current = NlriCodec.ReadOne(_data, ref _pos, _afi, _hasPathId);
            return true;
        }
    }
}
