using System.Buffers;
using System.Runtime.CompilerServices;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Wire.Messages;

/// <summary>
/// Packs many prefixes that share one attribute set into as few UPDATE messages as the session's
/// maximum length allows (BIRD's bucket approach). IPv4 unicast uses the NLRI / Withdrawn Routes
/// fields with NEXT_HOP; IPv6 unicast uses MP_REACH_NLRI / MP_UNREACH_NLRI placed first among the
/// attributes (RFC 7606 section 5.1). The attribute set is encoded once per call.
/// </summary>
public sealed class UpdateBuilder
{
    private readonly BgpSessionOptions _options;

    public UpdateBuilder(BgpSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Writes UPDATEs announcing <paramref name="prefixes"/> with <paramref name="attributes"/>; returns how many messages.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int WriteAnnouncements(IBufferWriter<byte> output, PathAttributes attributes, AfiSafi family, ReadOnlySpan<NlriEntry> prefixes)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(attributes);
        CheckFamily(family);
        if (family == AfiSafi.Ipv4Unicast && attributes.NextHop is null)
            throw new ArgumentException("IPv4 unicast announcements need a NEXT_HOP", nameof(attributes));
        int max = _options.MaxMessageLength;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var encoded = new SpanWriter(scratch.AsSpan(0, max));
            AttributeTable.EncodeAll(attributes, ref encoded, _options, includeNextHop: family == AfiSafi.Ipv4Unicast);
            var attributeBytes = encoded.Written;
            bool hasPathId = _options.HasPathId(family);
            int messages = 0;
            int index = 0;
            while (index < prefixes.Length)
            {
                var w = Begin(output, max);
                w.WriteUInt16(0); // no withdrawn routes
                int attributesAt = w.Reserve(2);
                int before = index;
                if (family == AfiSafi.Ipv4Unicast)
                {
                    w.Write(attributeBytes);
                    w.PatchUInt16(attributesAt, (ushort)(w.Position - attributesAt - 2));
                    index = AppendEntries(ref w, prefixes, index, hasPathId);
                }
                else
                {
                    int mpAt = UpdateEncoding.BeginMpReach(ref w, family, attributes);
                    // Leave room for the shared attributes behind the MP_REACH NLRI.
                    index = AppendEntries(ref w, prefixes, index, hasPathId, reserve: attributeBytes.Length + 1);
                    AttributeTable.End(ref w, mpAt);
                    w.Write(attributeBytes);
                    w.PatchUInt16(attributesAt, (ushort)(w.Position - attributesAt - 2));
                }

                if (index == before) throw new MessageTooLargeException($"attribute set of {attributeBytes.Length} bytes leaves no room for a prefix in a {max}-byte UPDATE");
                Finish(output, ref w);
                messages++;
            }

            return messages;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Writes UPDATEs withdrawing <paramref name="prefixes"/>; returns how many messages.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int WriteWithdrawals(IBufferWriter<byte> output, AfiSafi family, ReadOnlySpan<NlriEntry> prefixes)
    {
        ArgumentNullException.ThrowIfNull(output);
        CheckFamily(family);
        int max = _options.MaxMessageLength;
        bool hasPathId = _options.HasPathId(family);
        int messages = 0;
        int index = 0;
        while (index < prefixes.Length)
        {
            var w = Begin(output, max);
            if (family == AfiSafi.Ipv4Unicast)
            {
                int withdrawnAt = w.Reserve(2);
                index = AppendEntries(ref w, prefixes, index, hasPathId, reserve: 2);
                w.PatchUInt16(withdrawnAt, (ushort)(w.Position - withdrawnAt - 2));
                w.WriteUInt16(0);
            }
            else
            {
                w.WriteUInt16(0);
                int attributesAt = w.Reserve(2);
                int mpAt = UpdateEncoding.BeginMpUnreach(ref w, family);
                index = AppendEntries(ref w, prefixes, index, hasPathId);
                AttributeTable.End(ref w, mpAt);
                w.PatchUInt16(attributesAt, (ushort)(w.Position - attributesAt - 2));
            }

            Finish(output, ref w);
            messages++;
        }

        return messages;
    }

    /// <summary>The End-of-RIB marker of <paramref name="family"/> (RFC 4724 section 2).</summary>
    public void WriteEndOfRib(IBufferWriter<byte> output, AfiSafi family)
    {
        ArgumentNullException.ThrowIfNull(output);
        var w = Begin(output, _options.MaxMessageLength);
        w.WriteUInt16(0);
        if (family == AfiSafi.Ipv4Unicast)
        {
            w.WriteUInt16(0);
        }
        else
        {
            int attributesAt = w.Reserve(2);
            AttributeTable.End(ref w, UpdateEncoding.BeginMpUnreach(ref w, family));
            w.PatchUInt16(attributesAt, (ushort)(w.Position - attributesAt - 2));
        }

        Finish(output, ref w);
    }

    private static void CheckFamily(AfiSafi family)
    {
        if (!family.IsUnicastIp) throw new ArgumentException($"family {family} is not supported by the UPDATE builder", nameof(family));
    }

    private static int AppendEntries(ref SpanWriter w, ReadOnlySpan<NlriEntry> prefixes, int index, bool hasPathId, int reserve = 0)
    {
        while (index < prefixes.Length)
        {
            int length = NlriCodec.EncodedLength(prefixes[index], hasPathId);
            if (w.Remaining - reserve < length) break;
            NlriCodec.Write(w.Take(length), prefixes[index], hasPathId);
            index++;
        }

        return index;
    }

    private static SpanWriter Begin(IBufferWriter<byte> output, int max)
    {
        var w = new SpanWriter(output.GetSpan(max)[..max]);
        w.Take(BgpConstants.MarkerLength).Fill(0xFF);
        w.Reserve(2);
        w.WriteByte((byte)MessageType.Update);
        return w;
    }

    private static void Finish(IBufferWriter<byte> output, ref SpanWriter w)
    {
        w.PatchUInt16(BgpConstants.MarkerLength, (ushort)w.Position);
        output.Advance(w.Position);
    }
}
