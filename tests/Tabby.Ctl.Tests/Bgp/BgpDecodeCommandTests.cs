using System.CommandLine;
using System.Text.Json;
using Tabby.Ctl.Bgp;
using Xunit;

namespace Tabby.Ctl.Tests.Bgp;

public class BgpDecodeCommandTests
{
    private const string Keepalive = "ffffffffffffffffffffffffffffffff001304";

    /// <summary>The captures checked in by the BGP codec tests (tests/Tabby.Bgp.Tests/testdata/captures).</summary>
    private static string CaptureDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tabby.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "tests", "Tabby.Bgp.Tests", "testdata", "captures");
    }

    private static (int Exit, string Out, string Err) Run(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = Program.RunAsync(["bgp", "decode", .. args], output, error).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Hex on stdin (no arguments), session encodings taken from the input's OPEN.</summary>
    private static (int Exit, string Out, string Err) RunStdin(string stdin)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = BgpDecoder.Run(new DecodeRequest([], "json", null, null, false), new StringReader(stdin), output, error);
        return (exit, output.ToString(), error.ToString());
    }

    public static IEnumerable<object[]> Captures() =>
        new[] { "bird", "frr", "gobgp", "exabgp" }.SelectMany(d => new[] { $"{d}-ipv4", $"{d}-ipv6" }).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Captures))]
    public void DecodesCapturedHexFromEachDaemon(string capture)
    {
        string hex = File.ReadAllText(Path.Combine(CaptureDirectory(), capture + ".hex"));
        var (exit, stdout, stderr) = RunStdin(hex);
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var messages = doc.RootElement.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal("OPEN", messages[0].GetProperty("type").GetString());
        Assert.Equal(4200000001, messages[0].GetProperty("as").GetInt64());
        Assert.True(doc.RootElement.GetProperty("session").GetProperty("fourOctetAs").GetBoolean());
        var updates = messages.Where(m => m.GetProperty("type").GetString() == "UPDATE").ToList();
        Assert.Contains(updates, u => u.TryGetProperty("endOfRib", out _));
        // Path identifiers come from the OPEN's ADD-PATH Send offer.
        var announced = updates.Where(u => u.TryGetProperty("attributes", out _)).ToList();
        Assert.NotEmpty(announced);
        Assert.All(announced, u =>
        {
            var nlri = u.TryGetProperty("nlri", out var n) ? n : u.GetProperty("mpReach").GetProperty("nlri");
            Assert.True(nlri[0].GetProperty("pathId").GetInt64() > 0);
        });
        Assert.Contains(announced, u => u.GetProperty("attributes").TryGetProperty("largeCommunities", out _));
    }

    [Fact]
    public void TextOutputOfAnArgument()
    {
        var (exit, stdout, _) = Run(["-o", "text", Keepalive + Keepalive]);
        Assert.Equal(0, exit);
        Assert.Equal(["KEEPALIVE (19 bytes)", "KEEPALIVE (19 bytes)"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void MalformedMessageExitsOneAndPrintsTheNotificationAsJson()
    {
        // UPDATE whose NLRI has a /33: Invalid Network Field, session reset (RFC 4271 section 6.3, RFC 7606 section 5.3).
        var (exit, stdout, stderr) = Run(["ffffffffffffffffffffffffffffffff001d02 0000 0000 2101020304 05".Replace(" ", "")]);
        Assert.Equal(1, exit);
        Assert.Contains("malformed", stderr);
        using var doc = JsonDocument.Parse(stdout);
        var error = doc.RootElement.GetProperty("error");
        Assert.Equal(3, error.GetProperty("code").GetInt32());
        Assert.Equal(10, error.GetProperty("subcode").GetInt32());
        Assert.Equal("Invalid Network Field", error.GetProperty("subcodeName").GetString());
        Assert.Equal("session-reset", error.GetProperty("handling").GetString());
        Assert.Equal("ffffffffffffffffffffffffffffffff001503030a", error.GetProperty("notification").GetString());
    }

    [Fact]
    public void TreatAsWithdrawIsReportedAsMalformed()
    {
        // ORIGIN value 3: treat-as-withdraw (RFC 7606 section 7.1); still decoded, exit 1.
        var (exit, stdout, _) = Run(["ffffffffffffffffffffffffffffffff002d02 0000 0012 40010103 4002040201fde9 400304c0000201 18c63364".Replace(" ", "")]);
        Assert.Equal(1, exit);
        using var doc = JsonDocument.Parse(stdout);
        var update = doc.RootElement.GetProperty("messages")[0];
        Assert.Equal("treat-as-withdraw", update.GetProperty("handling").GetString());
        Assert.Equal(6, update.GetProperty("errors")[0].GetProperty("subcode").GetInt32());
    }

    [Fact]
    public void TruncatedInputExitsOne()
    {
        var (exit, _, stderr) = Run([Keepalive[..30]]);
        Assert.Equal(1, exit);
        Assert.Contains("ends inside a message", stderr);
    }

    [Theory]
    [InlineData("zz")]
    [InlineData("fff")]
    public void BadHexIsAUsageError(string hex)
    {
        var (exit, _, stderr) = Run([hex]);
        Assert.Equal(2, exit);
        Assert.StartsWith("error:", stderr);
    }

    [Fact]
    public void UnknownOutputFormatIsAUsageError()
    {
        Assert.Equal(2, Run(["-o", "yaml", Keepalive]).Exit);
    }

    [Fact]
    public void EmptyInputIsAUsageError()
    {
        Assert.Equal(2, BgpDecoder.Run(new DecodeRequest([], "json", null, null, false), new StringReader(""), new StringWriter(), new StringWriter()));
    }

    [Fact]
    public void ExplicitSessionFlagsOverrideTheOpen()
    {
        // An IPv4 UPDATE with a path identifier decodes only when told about ADD-PATH.
        string update = "ffffffffffffffffffffffffffffffff003302 0000 0014 40010100 40020602 01fa56ea01 400304c0000201 00000007 18c63364".Replace(" ", "");
        Assert.Equal(0, Run(["--four-octet-as", "--add-path", "ipv4", update]).Exit);
        Assert.Equal(1, Run([update]).Exit);
        Assert.Equal(2, Run(["--add-path", "ipx", update]).Exit);
        Assert.Equal(0, Run(["--four-octet-as", "--add-path", "ipv4,ipv6", update]).Exit);
    }
}
