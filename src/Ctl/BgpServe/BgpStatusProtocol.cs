using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Ctl.BgpServe;

/// <summary>
/// The local status protocol between `tabbyctl bgp serve` and `status` / `routes`: one request
/// line over a Unix socket ("status" or "routes [PREFIX]"), one JSON document back.
/// </summary>
internal static class BgpStatusProtocol
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
