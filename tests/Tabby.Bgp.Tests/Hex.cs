namespace Tabby.Bgp.Tests;

/// <summary>Hex helpers for test data ("ffff 0013 04", colons and spaces allowed).</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(new string(hex.Where(Uri.IsHexDigit).ToArray()));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static string TestData(string relative) => Path.Combine(AppContext.BaseDirectory, "testdata", relative);

    /// <summary>Whole messages from a capture file, one per line.</summary>
    public static List<byte[]> Messages(string captureName) =>
        File.ReadAllLines(TestData(Path.Combine("captures", captureName + ".hex")))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(Bytes)
            .ToList();

    /// <summary>A message with marker and length around a body.</summary>
    public static byte[] Message(byte type, ReadOnlySpan<byte> body)
    {
        var m = new byte[19 + body.Length];
        m.AsSpan(0, 16).Fill(0xFF);
        m[16] = (byte)(m.Length >> 8);
        m[17] = (byte)m.Length;
        m[18] = type;
        body.CopyTo(m.AsSpan(19));
        return m;
    }
}
