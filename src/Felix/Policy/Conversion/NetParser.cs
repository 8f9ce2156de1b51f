using System.Net;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Conversion;

/// <summary>CIDRs as policies write them; a bare address means a host route (/32 or /128), as Calico accepts.</summary>
internal static class NetParser
{
    public static IPNetwork Parse(string text, string field)
    {
        var trimmed = text.Trim();
        if (!trimmed.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(trimmed, out var address))
        {
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }

        if (!IPNetwork.TryParse(trimmed, out var network))
        {
            // IPNetwork rejects host bits; Calico masks them (10.1.2.3/8 means 10.0.0.0/8). Do the same.
            var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && IPAddress.TryParse(trimmed[..slash], out var baseAddress)
                && int.TryParse(trimmed[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var length)
                && length >= 0 && length <= (baseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
            {
                return new IPNetwork(Mask(baseAddress, length), length);
            }

            throw new PolicyValidationException(field, $"\"{text}\" is not a CIDR");
        }

        return network;
    }

    public static IReadOnlyList<IPNetwork> ParseAll(IReadOnlyList<string>? texts, string field) =>
        texts is null ? [] : [.. texts.Select((t, i) => Parse(t, $"{field}[{i}]"))];

    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }
}
