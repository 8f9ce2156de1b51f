using Tabby.Bgp.Wire.Attributes;

namespace Tabby.Bgp.Tests.Wire.Attributes;

public class AsPathCodecTests
{
    private static AsPath Parse(string text)
    {
        // "1 2 {3 4} (5)" -> sequence, set, confed sequence
        var segments = new List<AsPathSegment>();
        foreach (var token in System.Text.RegularExpressions.Regex.Matches(text, @"\{[^}]*\}|\([^)]*\)|[0-9]+( [0-9]+)*").Select(m => m.Value))
        {
            var type = token[0] switch { '{' => AsPathSegmentType.AsSet, '(' => AsPathSegmentType.AsConfedSequence, _ => AsPathSegmentType.AsSequence };
            var numbers = token.Trim('{', '}', '(', ')').Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse);
            segments.Add(new AsPathSegment(type, [.. numbers]));
        }

        return new AsPath([.. segments]);
    }

    /// <summary>RFC 6793 section 4.2.3: keep the leading ASes AS4_PATH does not cover, then AS4_PATH.</summary>
    [Theory]
    [InlineData("65001 23456 23456", "4200000001 4200000002", "65001 4200000001 4200000002")]
    [InlineData("23456 23456", "4200000001 4200000002", "4200000001 4200000002")]
    [InlineData("65001 65002 23456 {65010 23456}", "4200000001 {65010 4200000010}", "65001 65002 4200000001 {65010 4200000010}")]
    [InlineData("(64512) 65001 23456", "4200000001", "(64512) 65001 4200000001")]
    [InlineData("65001", "4200000001 4200000002", "65001")] // AS4_PATH longer: ignored
    public void MergesAs4Path(string asPath, string as4Path, string expected)
    {
        Assert.Equal(Parse(expected), AsPathCodec.Merge(Parse(asPath), Parse(as4Path)));
    }

    [Fact]
    public void PathLengthCountsSetsAsOneAndConfederationsAsZero()
    {
        Assert.Equal(4, Parse("1 2 {3 4 5} (6 7) 8").PathLength);
    }

    [Theory]
    [InlineData("", 2, "")]
    [InlineData("0201fde9", 2, "65001")]
    [InlineData("0202fa56ea010000fde9", 4, "4200000001 65001")]
    [InlineData("0102fde8fde90301fdea", 2, "{65000 65001} (65002)")]
    public void DecodesSegments(string hex, int asnSize, string expected)
    {
        var path = AsPathCodec.Decode(Hex.Bytes(hex), asnSize, out var problem);
        Assert.Null(problem);
        Assert.Equal(expected, path!.ToString());
    }

    [Fact]
    public void LongSequencesAreSplitIntoSegmentsOf255()
    {
        var path = AsPath.Sequence(Enumerable.Range(1, 300).Select(i => (uint)i).ToArray());
        var buffer = new byte[2000];
        var w = new Tabby.Bgp.Wire.SpanWriter(buffer);
        AsPathCodec.Write(ref w, path, 4);
        var decoded = AsPathCodec.Decode(w.Written, 4, out _);
        Assert.Equal(2, decoded!.Segments.Length);
        Assert.Equal(300, decoded.PathLength);
    }
}
