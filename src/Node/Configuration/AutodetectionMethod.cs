using System.Net;
using System.Text.RegularExpressions;

namespace Tabby.Node.Configuration;

/// <summary>How the node's address is found, as calico-node's IP_AUTODETECTION_METHOD spells it.</summary>
public abstract record AutodetectionMethod
{
    public const string FirstFoundText = "first-found";

    /// <summary>The first usable address of the first usable interface (the default).</summary>
    public sealed record FirstFound : AutodetectionMethod;

    /// <summary><c>interface=REGEX[,REGEX]</c>: the first interface whose name matches.</summary>
    public sealed record Interface(IReadOnlyList<Regex> Patterns) : AutodetectionMethod;

    /// <summary><c>skip-interface=REGEX[,REGEX]</c>: first-found, ignoring matching interfaces.</summary>
    public sealed record SkipInterface(IReadOnlyList<Regex> Patterns) : AutodetectionMethod;

    /// <summary><c>can-reach=DESTINATION</c>: the source address the kernel would use towards it.</summary>
    public sealed record CanReach(string Destination) : AutodetectionMethod;

    /// <summary><c>cidr=CIDR[,CIDR]</c>: the first address inside one of the ranges.</summary>
    public sealed record Cidr(IReadOnlyList<IPNetwork> Ranges) : AutodetectionMethod;

    /// <summary><c>kubernetes-internal-ip</c>: the InternalIP of the Kubernetes Node object.</summary>
    public sealed record KubernetesInternalIp : AutodetectionMethod;

    /// <summary>Parses a method; <paramref name="error"/> says what is wrong when it returns null.</summary>
    public static AutodetectionMethod? Parse(string? text, out string? error)
    {
        error = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text == FirstFoundText)
        {
            return new FirstFound();
        }

        if (text == "kubernetes-internal-ip")
        {
            return new KubernetesInternalIp();
        }

        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            error = "expected first-found, kubernetes-internal-ip, interface=REGEX, skip-interface=REGEX, can-reach=DEST or cidr=CIDR";
            return null;
        }

        var kind = text[..eq];
        var argument = text[(eq + 1)..];
        var parts = argument.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            error = $"{kind}= needs a value";
            return null;
        }

        switch (kind)
        {
            case "interface":
            case "skip-interface":
                var patterns = new List<Regex>();
                foreach (var part in parts)
                {
                    try
                    {
                        patterns.Add(new Regex("^(?:" + part + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
                    }
                    catch (ArgumentException e)
                    {
                        error = $"\"{part}\" is not a regular expression: {e.Message}";
                        return null;
                    }
                }

                return kind == "interface" ? new Interface(patterns) : new SkipInterface(patterns);
            case "can-reach":
                if (parts.Length != 1)
                {
                    error = "can-reach= takes one destination";
                    return null;
                }

                return new CanReach(parts[0]);
            case "cidr":
                var ranges = new List<IPNetwork>();
                foreach (var part in parts)
                {
                    if (!IPNetwork.TryParse(part, out var range))
                    {
                        error = $"\"{part}\" is not a CIDR";
                        return null;
                    }

                    ranges.Add(range);
                }

                return new Cidr(ranges);
            default:
                error = $"unknown method \"{kind}\" (first-found, kubernetes-internal-ip, interface, skip-interface, can-reach, cidr)";
                return null;
        }
    }
}
