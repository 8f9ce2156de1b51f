using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources;

/// <summary>
/// Kubernetes IntOrString / Calico numorstring: ports are numbers (<c>80</c>) or strings
/// (<c>"443"</c>, a range <c>"8000:9000"</c>, or a named port <c>"http"</c>).
/// </summary>
[JsonConverter(typeof(IntOrStringConverter))]
public readonly record struct IntOrString
{
    public IntOrString(int value)
    {
        IntValue = value;
        StringValue = null;
    }

    public IntOrString(string value)
    {
        StringValue = value;
        IntValue = 0;
    }

    public int IntValue { get; }
    public string? StringValue { get; }
    public bool IsInt => StringValue is null;

    public static implicit operator IntOrString(int value) => new(value);
    public static implicit operator IntOrString(string value) => new(value);

    public override string ToString() => StringValue ?? IntValue.ToString(CultureInfo.InvariantCulture);
}

public sealed class IntOrStringConverter : JsonConverter<IntOrString>
{
    public override IntOrString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt32(out var i) => new IntOrString(i),
            JsonTokenType.String => new IntOrString(reader.GetString()!),
            _ => throw new JsonException("expected an integer or a string"),
        };

    public override void Write(Utf8JsonWriter writer, IntOrString value, JsonSerializerOptions options)
    {
        if (value.IsInt)
        {
            writer.WriteNumberValue(value.IntValue);
        }
        else
        {
            writer.WriteStringValue(value.StringValue);
        }
    }
}
