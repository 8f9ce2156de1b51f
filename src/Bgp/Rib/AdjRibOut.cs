using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Messages;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Rib;

/// <summary>
/// What we advertised to one peer, plus the changes not yet sent. Changes are coalesced per
/// prefix (the last one wins) and sent packed: one run of UPDATEs per attribute set (the attribute
/// block is encoded once and shared by as many prefixes as fit, as BIRD's buckets do).
/// </summary>
public sealed class AdjRibOut
{
    private readonly Dictionary<BgpPrefix, PathAttributes> _advertised = [];
    private readonly Dictionary<BgpPrefix, PathAttributes?> _pending = [];

    public int Count => _advertised.Count;

    public int PendingCount => _pending.Count;

    public IEnumerable<KeyValuePair<BgpPrefix, PathAttributes>> Advertised => _advertised;

    public bool TryGetAdvertised(BgpPrefix prefix, out PathAttributes attributes) => _advertised.TryGetValue(prefix, out attributes!);

    /// <summary>Records what the peer should have for <paramref name="prefix"/> (null: nothing).</summary>
    public void Set(BgpPrefix prefix, PathAttributes? attributes)
    {
        // Peers that get nothing (export policy rejects all) cost no lookups.
        if (attributes is null && _advertised.Count == 0 && _pending.Count == 0) return;
        _advertised.TryGetValue(prefix, out var current);
        if (ReferenceEquals(current, attributes) || (current is not null && current.Equals(attributes)))
        {
            _pending.Remove(prefix);
            return;
        }

        _pending[prefix] = attributes;
    }

    /// <summary>Queues everything advertised in <paramref name="afi"/> again (answer to a route refresh, RFC 2918 section 4).</summary>
    public void ResendAll(Afi afi)
    {
        var again = _advertised.Where(kv => kv.Key.Afi == afi).ToList();
        foreach (var (prefix, attributes) in again)
        {
            _advertised.Remove(prefix);
            _pending[prefix] = attributes;
        }
    }

    /// <summary>Forgets everything (the session went down).</summary>
    public void Clear()
    {
        _advertised.Clear();
        _pending.Clear();
    }

    /// <summary>
    /// Encodes the pending changes into <paramref name="output"/>: withdrawals first, then one packed
    /// run per attribute set. Returns the number of messages written.
    /// </summary>
    public int Flush(System.Buffers.IBufferWriter<byte> output, BgpSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        if (_pending.Count == 0) return 0;
        var builder = new UpdateBuilder(options);
        var withdraw4 = new List<NlriEntry>();
        var withdraw6 = new List<NlriEntry>();
        var announce = new Dictionary<(PathAttributes Attributes, Afi Afi), List<NlriEntry>>();
        uint pathId4 = options.HasPathId(AfiSafi.Ipv4Unicast) ? 1u : 0u;
        uint pathId6 = options.HasPathId(AfiSafi.Ipv6Unicast) ? 1u : 0u;
        // Consecutive prefixes usually share an attribute set: skip the lookup for runs.
        PathAttributes? lastAttributes = null;
        Afi lastAfi = default;
        List<NlriEntry>? lastList = null;
        foreach (var (prefix, attributes) in _pending)
        {
            uint pathId = prefix.IsIpv4 ? pathId4 : pathId6;
            var entry = new NlriEntry(prefix, pathId);
            if (attributes is null)
            {
                (prefix.IsIpv4 ? withdraw4 : withdraw6).Add(entry);
                _advertised.Remove(prefix);
                continue;
            }

            if (!ReferenceEquals(attributes, lastAttributes) || prefix.Afi != lastAfi || lastList is null)
            {
                if (!announce.TryGetValue((attributes, prefix.Afi), out lastList)) announce[(attributes, prefix.Afi)] = lastList = [];
                lastAttributes = attributes;
                lastAfi = prefix.Afi;
            }

            lastList.Add(entry);
            _advertised[prefix] = attributes;
        }

        _pending.Clear();
        int messages = 0;
        if (withdraw4.Count > 0) messages += builder.WriteWithdrawals(output, AfiSafi.Ipv4Unicast, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(withdraw4));
        if (withdraw6.Count > 0) messages += builder.WriteWithdrawals(output, AfiSafi.Ipv6Unicast, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(withdraw6));
        foreach (var ((attributes, afi), list) in announce)
        {
            messages += builder.WriteAnnouncements(output, attributes, afi == Afi.Ipv4 ? AfiSafi.Ipv4Unicast : AfiSafi.Ipv6Unicast,
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        }

        return messages;
    }
}
