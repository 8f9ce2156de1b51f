using System.Text;
using System.Text.Json;

namespace Tabby.Bgp.Wire.Capabilities;

/// <summary>
/// The sender's host and domain name (IANA code 73, draft-walton-bgp-hostname-capability), as FRR
/// sends it: host length (1), host, domain length (1), domain.
/// </summary>
public sealed class FqdnCapability(string hostName, string domainName) : Capability((byte)CapabilityCode.Fqdn)
{
    public string HostName { get; } = hostName;

    public string DomainName { get; } = domainName;

    public override void WriteValue(ref SpanWriter writer)
    {
        WriteString(ref writer, HostName);
        WriteString(ref writer, DomainName);
    }

    private static void WriteString(ref SpanWriter writer, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        writer.WriteByte((byte)bytes.Length);
        writer.Write(bytes);
    }

    public override void WriteJsonFields(Utf8JsonWriter json)
    {
        json.WriteString("hostName", HostName);
        json.WriteString("domainName", DomainName);
    }

    public override string ToString() => $"fqdn {HostName}{(DomainName.Length > 0 ? "." + DomainName : "")}";

    internal static Capability? Decode(ReadOnlySpan<byte> value)
    {
        if (value.Length < 1 || value.Length < 1 + value[0]) return null;
        var host = value.Slice(1, value[0]);
        var rest = value[(1 + value[0])..];
        // Some senders omit the domain entirely; accept an absent domain as empty.
        if (rest.Length == 0) return new FqdnCapability(Utf8(host), "");
        if (rest.Length != 1 + rest[0]) return null;
        return new FqdnCapability(Utf8(host), Utf8(rest.Slice(1, rest[0])));
    }

    private static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
