using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Tabby.Cni.Spec;

/// <summary>
/// An address with its prefix length as CNI results write it ("198.18.0.5/32", "2001:db8::5/128").
/// Unlike <see cref="IPNetwork"/> the host bits are kept.
/// </summary>
public readonly record struct CidrAddress(IPAddress Address, int PrefixLength)
{
    public bool IsIPv4 => Address.AddressFamily == AddressFamily.InterNetwork;

    public static CidrAddress Host(IPAddress address) => new(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);

    public static bool TryParse(string? text, out CidrAddress value)
    {
        value = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > max)
        {
            return false;
        }

        value = new CidrAddress(address, prefix);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Address}/{PrefixLength}");
}
