using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>
/// Calico AS numbers: a JSON number, or a string in plain (<c>"64512"</c>) or asdot
/// (<c>"1.10"</c> = 1*65536+10, RFC 5396) notation. Written as a number.
/// </summary>
public sealed class AsNumberConverter : JsonConverter<uint?>
{
    public override bool HandleNull => true;

    public override uint? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when reader.TryGetUInt32(out var n):
                return n;
            case JsonTokenType.String when TryParse(reader.GetString()!, out var s):
                return s;
            default:
                throw new JsonException("AS number must be 0-4294967295 or asdot notation like 1.10");
        }
    }

    public override void Write(Utf8JsonWriter writer, uint? value, JsonSerializerOptions options)
    {
        if (value is { } v)
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    /// <summary>Parses plain or asdot (RFC 5396) notation.</summary>
    public static bool TryParse(string text, out uint value)
    {
        value = 0;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        if (!ushort.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var high) ||
            !ushort.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }

        value = ((uint)high << 16) | low;
        return true;
    }
}
