using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Capabilities;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Formatting;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Ctl.Bgp;

/// <summary>The work behind <c>tabbyctl bgp decode</c>, with injectable streams for tests.</summary>
internal static class BgpDecoder
{
    public const int ExitOk = 0;
    public const int ExitMalformed = 1;
    public const int ExitUsage = 2;

    public static int Run(DecodeRequest request, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        if (request.Output is not ("json" or "text"))
        {
            stderr.WriteLine($"error: --output must be json or text, not '{request.Output}'");
            return ExitUsage;
        }

        string text = request.Hex.Count > 0 ? string.Join('\n', request.Hex) : stdin.ReadToEnd();
        if (!TryParseHex(text, out var bytes, out var hexProblem))
        {
            stderr.WriteLine($"error: {hexProblem}");
            return ExitUsage;
        }

        if (bytes.Length == 0)
        {
            stderr.WriteLine("error: no input; give hex as arguments or on stdin");
            return ExitUsage;
        }

        if (!TryBuildOptions(request, bytes, out var options, out var optionsProblem))
        {
            stderr.WriteLine($"error: {optionsProblem}");
            return ExitUsage;
        }

        var decoded = new List<(BgpMessage Message, int Length)>();
        BgpError? error = null;
        string? truncated = null;
        var buffer = new ReadOnlySequence<byte>(bytes);
        try
        {
            while (BgpFrameReader.TryRead(ref buffer, options, out var frame))
                decoded.Add((BgpMessageDecoder.Decode(frame, options), frame.Length));
            if (!buffer.IsEmpty) truncated = $"input ends inside a message: {buffer.Length} bytes left over";
        }
        catch (BgpProtocolException e)
        {
            error = e.Error;
        }

        bool malformed = error is not null || truncated is not null
            || decoded.Any(d => d.Message is UpdateMessage u && u.Handling != ErrorHandling.None);
        if (request.Output == "json") WriteJson(stdout, decoded, error, truncated, options);
        else WriteText(stdout, decoded, error, truncated);
        if (error is not null) stderr.WriteLine($"error: malformed message: {error}");
        else if (truncated is not null) stderr.WriteLine($"error: {truncated}");
        return malformed ? ExitMalformed : ExitOk;
    }

    private static void WriteJson(TextWriter stdout, List<(BgpMessage Message, int Length)> decoded, BgpError? error, string? truncated, BgpSessionOptions options)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("session");
            json.WriteBoolean("fourOctetAs", options.FourOctetAs);
            json.WriteBoolean("extendedMessage", options.ExtendedMessage);
            json.WriteStartArray("addPath");
            if ((options.AddPath & AddPathFamilies.Ipv4Unicast) != 0) json.WriteStringValue("ipv4-unicast");
            if ((options.AddPath & AddPathFamilies.Ipv6Unicast) != 0) json.WriteStringValue("ipv6-unicast");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("messages");
            foreach (var (message, length) in decoded) BgpJsonFormatter.WriteMessage(json, message, length);
            json.WriteEndArray();
            if (error is not null)
            {
                json.WritePropertyName("error");
                BgpJsonFormatter.WriteErrorObject(json, error);
            }
            else if (truncated is not null)
            {
                json.WriteStartObject("error");
                json.WriteString("description", truncated);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        stdout.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteText(TextWriter stdout, List<(BgpMessage Message, int Length)> decoded, BgpError? error, string? truncated)
    {
        foreach (var (message, length) in decoded)
        {
            stdout.WriteLine($"{BgpJsonFormatter.TypeName(message.Type)} ({length} bytes)");
            foreach (var line in BgpTextFormatter.Describe(message)) stdout.WriteLine("  " + line);
        }

        if (error is not null)
        {
            stdout.WriteLine($"MALFORMED: {error.Description}");
            stdout.WriteLine($"  would send NOTIFICATION {error.Code}/{error.Subcode} {error.CodeName} / {error.SubcodeName}"
                + (error.Data.IsEmpty ? "" : $" data {Convert.ToHexStringLower(error.Data.Span)}"));
        }
        else if (truncated is not null)
        {
            stdout.WriteLine($"TRUNCATED: {truncated}");
        }
    }

    /// <summary>Hex digits with optional whitespace, colons and '#' comments; an odd count or a stray character is a usage error.</summary>
    internal static bool TryParseHex(string text, out byte[] bytes, out string? problem)
    {
        var digits = new StringBuilder(text.Length);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine;
            int hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0) line = line[..hash];
            foreach (char c in line)
            {
                if (char.IsWhiteSpace(c) || c == ':') continue;
                if (!char.IsAsciiHexDigit(c))
                {
                    bytes = [];
                    problem = $"'{c}' is not a hex digit";
                    return false;
                }

                digits.Append(c);
            }
        }

        if (digits.Length % 2 != 0)
        {
            bytes = [];
            problem = $"odd number of hex digits ({digits.Length.ToString(CultureInfo.InvariantCulture)})";
            return false;
        }

        bytes = Convert.FromHexString(digits.ToString());
        problem = null;
        return true;
    }

    /// <summary>Explicit flags win; otherwise the first decodable OPEN in the input decides (as if the peer accepted all it offers).</summary>
    private static bool TryBuildOptions(DecodeRequest request, byte[] bytes, out BgpSessionOptions options, out string? problem)
    {
        options = BgpSessionOptions.Default;
        problem = null;
        var addPath = AddPathFamilies.None;
        bool explicitAddPath = request.AddPath is { Length: > 0 };
        foreach (var family in (request.AddPath ?? []).SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            switch (family.ToLowerInvariant())
            {
                case "ipv4" or "ipv4-unicast": addPath |= AddPathFamilies.Ipv4Unicast; break;
                case "ipv6" or "ipv6-unicast": addPath |= AddPathFamilies.Ipv6Unicast; break;
                case "both": addPath |= AddPathFamilies.Ipv4Unicast | AddPathFamilies.Ipv6Unicast; break;
                case "none": break;
                default:
                    problem = $"--add-path takes ipv4, ipv6, both or none, not '{family}'";
                    return false;
            }
        }

        var open = FirstOpen(bytes);
        bool fourOctet = request.FourOctetAs ?? open?.FourOctetAs is not null;
        bool extended = request.ExtendedMessage || (open?.HasCapability(CapabilityCode.ExtendedMessage) ?? false);
        if (!explicitAddPath && open is not null)
        {
            // The OPEN's sender puts path identifiers on what it sends when it offered Send.
            if ((open.AddPathModeFor(AfiSafi.Ipv4Unicast) & AddPathMode.Send) != 0) addPath |= AddPathFamilies.Ipv4Unicast;
            if ((open.AddPathModeFor(AfiSafi.Ipv6Unicast) & AddPathMode.Send) != 0) addPath |= AddPathFamilies.Ipv6Unicast;
        }

        options = new BgpSessionOptions { FourOctetAs = fourOctet, ExtendedMessage = extended, AddPath = addPath };
        return true;
    }

    private static OpenMessage? FirstOpen(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        try
        {
            var lenient = new BgpSessionOptions { ExtendedMessage = true };
            while (BgpFrameReader.TryRead(ref buffer, lenient, out var frame))
                if (frame.Type == MessageType.Open) return OpenMessage.Decode(frame.Body.ToArray());
        }
        catch (BgpProtocolException)
        {
            // The real pass reports it.
        }

        return null;
    }
}
