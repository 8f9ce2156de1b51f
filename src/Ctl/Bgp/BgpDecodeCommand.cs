using System.CommandLine;

namespace Tabby.Ctl.Bgp;

/// <summary>
/// <c>tabbyctl bgp decode [HEX...]</c>: decodes whole BGP messages given as hex (arguments, or
/// stdin when there are none) and prints them as JSON (default) or text, with the NOTIFICATION a
/// malformed message calls for. Exit codes: 0 valid, 1 malformed, 2 usage error.
/// </summary>
internal static class BgpDecodeCommand
{
    public static Command Create()
    {
        var hex = new Argument<string[]>("hex")
        {
            Description = "hex of one or more whole messages (spaces, colons and '#' comment lines allowed); read from stdin when absent",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var output = new Option<string>("--output", "-o") { Description = "output format: json or text", DefaultValueFactory = _ => "json" };
        var fourOctet = new Option<bool>("--four-octet-as") { Description = "decode AS_PATH/AGGREGATOR with 4-octet AS numbers (RFC 6793)" };
        var twoOctet = new Option<bool>("--two-octet-as") { Description = "decode with 2-octet AS numbers even if an OPEN in the input offers 4-octet AS" };
        var addPath = new Option<string[]>("--add-path")
        {
            Description = "families whose NLRI carry ADD-PATH path identifiers: ipv4, ipv6, both or none (repeatable or comma-separated)",
        };
        var extended = new Option<bool>("--extended-message") { Description = "allow messages up to 65535 bytes (RFC 8654)" };

        var command = new Command("decode", "Decode BGP messages from hex. Without session flags, the encodings are taken from the first OPEN in the input (as if the peer agreed to everything it offers).");
        command.Arguments.Add(hex);
        command.Options.Add(output);
        command.Options.Add(fourOctet);
        command.Options.Add(twoOctet);
        command.Options.Add(addPath);
        command.Options.Add(extended);
        command.SetAction(parseResult =>
        {
            var request = new DecodeRequest(
                parseResult.GetValue(hex) ?? [],
                parseResult.GetValue(output) ?? "json",
                parseResult.GetValue(fourOctet) ? true : parseResult.GetValue(twoOctet) ? false : null,
                parseResult.GetValue(addPath),
                parseResult.GetValue(extended));
            var config = parseResult.InvocationConfiguration;
            return BgpDecoder.Run(request, Console.In, config.Output, config.Error);
        });
        return command;
    }
}

/// <summary>What the user asked for; null session fields mean "derive from the input's OPEN".</summary>
internal sealed record DecodeRequest(IReadOnlyList<string> Hex, string Output, bool? FourOctetAs, string[]? AddPath, bool ExtendedMessage);
