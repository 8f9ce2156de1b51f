using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Tabby.Cni.Spec;

/// <summary>
/// Reads and writes CNI results and errors. Writing follows the version the configuration asked
/// for (0.3.x/0.4.0 add <c>"version": "4"|"6"</c> to each IP); reading accepts every supported
/// version (a prevResult may come in any of them). Written by hand with Utf8JsonWriter: no
/// reflection at start-up, which is most of a plugin's latency.
/// </summary>
public static class CniResultJson
{
    public static string Write(CniResult result, string cniVersion)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("cniVersion", cniVersion);
            w.WriteStartArray("interfaces");
            foreach (var i in result.Interfaces)
            {
                w.WriteStartObject();
                w.WriteString("name", i.Name);
                if (i.Mac is not null)
                {
                    w.WriteString("mac", i.Mac);
                }

                if (i.Mtu is { } mtu && !CniVersion.HasIpVersionField(cniVersion))
                {
                    w.WriteNumber("mtu", mtu);
                }

                if (i.Sandbox is not null)
                {
                    w.WriteString("sandbox", i.Sandbox);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("ips");
            foreach (var ip in result.Ips)
            {
                w.WriteStartObject();
                if (CniVersion.HasIpVersionField(cniVersion))
                {
                    w.WriteString("version", ip.Address.IsIPv4 ? "4" : "6");
                }

                w.WriteString("address", ip.Address.ToString());
                if (ip.Gateway is not null)
                {
                    w.WriteString("gateway", ip.Gateway.ToString());
                }

                if (ip.Interface is { } index)
                {
                    w.WriteNumber("interface", index);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("routes");
            foreach (var route in result.Routes)
            {
                w.WriteStartObject();
                w.WriteString("dst", route.Destination.ToString());
                if (route.Gateway is not null)
                {
                    w.WriteString("gw", route.Gateway.ToString());
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WritePropertyName("dns");
            if (result.Dns is { ValueKind: JsonValueKind.Object } dns)
            {
                dns.WriteTo(w);
            }
            else
            {
                w.WriteStartObject();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string WriteError(CniException error, string cniVersion)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("cniVersion", cniVersion);
            w.WriteNumber("code", (int)error.Code);
            w.WriteString("msg", error.Message);
            if (error.Details is not null)
            {
                w.WriteString("details", error.Details);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string WriteVersion(string cniVersion)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("cniVersion", cniVersion);
            w.WriteStartArray("supportedVersions");
            foreach (var version in CniVersion.Supported)
            {
                w.WriteStringValue(version);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses a result (a prevResult, or our own output in tests) of any supported version.</summary>
    public static CniResult Read(JsonElement element, string field = "prevResult")
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(field, "must be an object");
        }

        var result = new CniResult();
        if (element.TryGetProperty("interfaces", out var interfaces) && interfaces.ValueKind == JsonValueKind.Array)
        {
            var n = 0;
            foreach (var i in interfaces.EnumerateArray())
            {
                var name = GetString(i, "name") ?? throw Invalid($"{field}.interfaces[{n}].name", "is required");
                result.Interfaces.Add(new ResultInterface(name, GetString(i, "mac"), GetString(i, "sandbox"))
                {
                    Mtu = i.TryGetProperty("mtu", out var mtu) && mtu.ValueKind == JsonValueKind.Number ? mtu.GetInt32() : null,
                });
                n++;
            }
        }

        if (element.TryGetProperty("ips", out var ips) && ips.ValueKind == JsonValueKind.Array)
        {
            var n = 0;
            foreach (var ip in ips.EnumerateArray())
            {
                var at = $"{field}.ips[{n}]";
                if (!CidrAddress.TryParse(GetString(ip, "address"), out var address))
                {
                    throw Invalid($"{at}.address", "must be an address with prefix length, e.g. 198.18.0.5/32");
                }

                IPAddress? gateway = null;
                if (GetString(ip, "gateway") is { } gw && !IPAddress.TryParse(gw, out gateway))
                {
                    throw Invalid($"{at}.gateway", $"\"{gw}\" is not an IP address");
                }

                int? index = ip.TryGetProperty("interface", out var idx) && idx.ValueKind == JsonValueKind.Number ? idx.GetInt32() : null;
                if (index is { } k && (k < 0 || k >= result.Interfaces.Count))
                {
                    throw Invalid($"{at}.interface", $"{k} points at no interface");
                }

                result.Ips.Add(new ResultIp(address, gateway, index));
                n++;
            }
        }

        if (element.TryGetProperty("routes", out var routes) && routes.ValueKind == JsonValueKind.Array)
        {
            var n = 0;
            foreach (var route in routes.EnumerateArray())
            {
                var at = $"{field}.routes[{n}]";
                if (!IPNetwork.TryParse(GetString(route, "dst") ?? "", out var destination))
                {
                    throw Invalid($"{at}.dst", "must be a CIDR");
                }

                IPAddress? gateway = null;
                if (GetString(route, "gw") is { } gw && !IPAddress.TryParse(gw, out gateway))
                {
                    throw Invalid($"{at}.gw", $"\"{gw}\" is not an IP address");
                }

                result.Routes.Add(new ResultRoute(destination, gateway));
                n++;
            }
        }

        return result with { Dns = element.TryGetProperty("dns", out var dns) ? dns.Clone() : null };
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static CniException Invalid(string field, string problem) =>
        new(CniErrorCode.InvalidNetworkConfig, $"{field} {problem}");
}
