using System.Globalization;

namespace Tabby.Felix.Policy.Model;

/// <summary>
/// One entry of a rule's port list: a number, a range <c>first:last</c> (Calico) / port+endPort
/// (Kubernetes), or a named port resolved per endpoint against its container ports.
/// </summary>
public sealed record PortMatch
{
    private PortMatch(ushort first, ushort last, string? name)
    {
        First = first;
        Last = last;
        Name = name;
    }

    public ushort First { get; }

    public ushort Last { get; }

    /// <summary>Set for a named port; then <see cref="First"/> and <see cref="Last"/> are 0.</summary>
    public string? Name { get; }

    public bool IsNamed => Name is not null;

    public static PortMatch Range(int first, int last, string field)
    {
        if (first is < 0 or > 65535 || last is < 0 or > 65535)
        {
            throw new PolicyValidationException(field, $"port {(first is < 0 or > 65535 ? first : last)} is outside 0-65535");
        }

        if (last < first)
        {
            throw new PolicyValidationException(field, $"port range {first}:{last} ends before it starts");
        }

        return new PortMatch((ushort)first, (ushort)last, null);
    }

    public static PortMatch Single(int port, string field) => Range(port, port, field);

    public static PortMatch Named(string name, string field)
    {
        // Kubernetes IANA_SVC_NAME: at most 15 lower-case alphanumerics or '-', at least one letter.
        if (name.Length is 0 or > 15 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            || !name.Any(char.IsAsciiLetterLower))
        {
            throw new PolicyValidationException(field, $"\"{name}\" is not a valid port name (1-15 lower-case letters, digits or '-')");
        }

        return new PortMatch(0, 0, name);
    }

    /// <summary>Parses Calico's forms: 80, "80", "1000:2000", "http".</summary>
    public static PortMatch Parse(string text, string field)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            return Range(ParseNumber(text[..colon], field), ParseNumber(text[(colon + 1)..], field), field);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Single(n, field) : Named(text, field);
    }

    private static int ParseNumber(string text, string field) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new PolicyValidationException(field, $"\"{text}\" is not a port number");

    public bool Contains(int port) => !IsNamed && port >= First && port <= Last;

    public override string ToString() =>
        Name ?? (First == Last ? First.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{First}:{Last}"));
}
