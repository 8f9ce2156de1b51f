using System.Text.Json;
using Tabby.Bgp.Wire.Errors;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>Decodes one attribute value into the state; returns the problem when it is malformed.</summary>
internal delegate AttributeProblem? AttributeValueDecoder(ReadOnlyMemory<byte> value, AttributeDecodeState state);

/// <summary>Writes the attribute (header and value) when the set has it.</summary>
internal delegate void AttributeEncoder(PathAttributes attributes, ref SpanWriter writer, BgpSessionOptions options);

/// <summary>
/// One row of the attribute table: the flags the attribute must carry, the RFC 7606 action when
/// it is malformed (and the section saying so), and its decoder, encoder and formatters.
/// </summary>
internal sealed record AttributeDefinition(
    AttributeTypeCode Code,
    string Name,
    AttributeFlags Flags,
    ErrorHandling OnMalformed,
    string HandlingReference,
    AttributeValueDecoder Decode,
    AttributeEncoder Encode,
    Action<PathAttributes, Utf8JsonWriter> WriteJson,
    Func<PathAttributes, string?> FormatText)
{
    /// <summary>Well-known attributes are not optional (RFC 4271 section 5).</summary>
    public bool IsWellKnown => (Flags & AttributeFlags.Optional) == 0;
}
