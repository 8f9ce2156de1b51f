using System.Collections.Immutable;
using Tabby.Bgp.Wire.Attributes;

namespace Tabby.Bgp.Policy;

/// <summary>AS path changes made on export and by policy (RFC 4271 section 5.1.2).</summary>
public static class AsPathEditing
{
    /// <summary>
    /// Prepends <paramref name="asn"/> <paramref name="count"/> times: into the leading AS_SEQUENCE,
    /// or a new one when the path starts with an AS_SET or is empty; a sequence holds at most 255 ASes.
    /// </summary>
    public static AsPath Prepend(AsPath path, uint asn, int count = 1)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (count <= 0) return path;
        var segments = path.Segments.ToBuilder();
        while (count > 0)
        {
            if (segments.Count > 0 && segments[0].Type == AsPathSegmentType.AsSequence && segments[0].Asns.Length < 255)
            {
                int add = Math.Min(count, 255 - segments[0].Asns.Length);
                var asns = ImmutableArray.CreateBuilder<uint>(segments[0].Asns.Length + add);
                for (int i = 0; i < add; i++) asns.Add(asn);
                asns.AddRange(segments[0].Asns);
                segments[0] = new AsPathSegment(AsPathSegmentType.AsSequence, asns.MoveToImmutable());
                count -= add;
            }
            else
            {
                int add = Math.Min(count, 255);
                segments.Insert(0, new AsPathSegment(AsPathSegmentType.AsSequence, [.. Enumerable.Repeat(asn, add)]));
                count -= add;
            }
        }

        return new AsPath(segments.ToImmutable());
    }

    /// <summary>How many times <paramref name="asn"/> appears in the path (AS loop detection, RFC 4271 section 9.1.2).</summary>
    public static int Occurrences(AsPath? path, uint asn)
    {
        if (path is null) return 0;
        int n = 0;
        foreach (var s in path.Segments)
            foreach (var a in s.Asns)
                if (a == asn) n++;
        return n;
    }
}
