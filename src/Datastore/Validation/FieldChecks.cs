using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Tabby.Datastore.Validation;

/// <summary>Collects <see cref="FieldError"/>s; each check names the field it looked at.</summary>
internal sealed partial class FieldChecks
{
    public List<FieldError> Errors { get; } = [];

    public void Add(string field, string message) => Errors.Add(new FieldError(field, message));

    public void Required(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
        }
    }

    /// <summary>A network in CIDR form with no host bits set; returns it when valid.</summary>
    public IPNetwork? Cidr(string field, string? value, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(field, "is required");
            }

            return null;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(value.AsSpan(0, slash), out var address) ||
            !int.TryParse(value.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) ||
            prefix > (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
        {
            Add(field, $"\"{value}\" is not a valid CIDR (address/prefix-length)");
            return null;
        }

        var masked = Mask(address, prefix);
        if (!masked.Equals(address))
        {
            Add(field, $"\"{value}\" has host bits set; did you mean {new IPNetwork(masked, prefix)}?");
            return null;
        }

        return new IPNetwork(masked, prefix);
    }

    public IPAddress? Address(string field, string? value, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(field, "is required");
            }

            return null;
        }

        if (!IPAddress.TryParse(value, out var address) || value.Contains('/', StringComparison.Ordinal))
        {
            Add(field, $"\"{value}\" is not a valid IP address");
            return null;
        }

        return address;
    }

    public void OneOf(string field, string? value, IReadOnlyList<string> allowed, bool required = false)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                Add(field, $"is required (one of {string.Join(", ", allowed)})");
            }

            return;
        }

        if (!allowed.Contains(value))
        {
            Add(field, $"\"{value}\" is not one of {string.Join(", ", allowed)}");
        }
    }

    public void Selector(string field, string? value)
    {
        if (!CalicoSelector.TryParse(value, out _, out var error))
        {
            Add(field, error!);
        }
    }

    /// <summary>AS 0 is reserved (RFC 7607) and may not be configured.</summary>
    public void AsNumber(string field, uint? value)
    {
        if (value == 0)
        {
            Add(field, "AS number 0 is reserved (RFC 7607); use 1-4294967295");
        }
    }

    public void Range(string field, long? value, long min, long max)
    {
        if (value is { } v && (v < min || v > max))
        {
            Add(field, $"{v} is out of range {min}-{max}");
        }
    }

    /// <summary>Go duration syntax as Kubernetes metav1.Duration uses: 120s, 1m30s, 500ms, 2h.</summary>
    public void Duration(string field, string? value)
    {
        if (!string.IsNullOrEmpty(value) && !DurationPattern().IsMatch(value))
        {
            Add(field, $"\"{value}\" is not a duration (like 120s, 1m30s, 500ms)");
        }
    }

    /// <summary>DNS-1123 subdomain, as Kubernetes requires of most object names.</summary>
    public void Name(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(field, "is required");
        }
        else if (value.Length > 253 || !SubdomainPattern().IsMatch(value))
        {
            Add(field, $"\"{value}\" must be lower-case letters, digits, '-' and '.', start and end with a letter or digit, at most 253 characters");
        }
    }

    /// <summary>BGP community: standard aa:nn (RFC 1997, 16-bit parts) or large aa:nn:mm (RFC 8092, 32-bit parts).</summary>
    public void Community(string field, string? value)
    {
        var parts = (value ?? "").Split(':');
        var ok = parts.Length switch
        {
            2 => parts.All(p => ushort.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)),
            3 => parts.All(p => uint.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)),
            _ => false,
        };
        if (!ok)
        {
            Add(field, $"\"{value}\" is not a community (aa:nn with 16-bit parts, or large aa:nn:mm with 32-bit parts)");
        }
    }

    public static bool IsCommunity(string value)
    {
        var probe = new FieldChecks();
        probe.Community("", value);
        return probe.Errors.Count == 0;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - bits));
        }

        return new IPAddress(bytes);
    }

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SubdomainPattern();
}
