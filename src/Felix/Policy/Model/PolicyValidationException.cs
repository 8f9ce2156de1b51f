namespace Tabby.Felix.Policy.Model;

/// <summary>A policy, rule or endpoint that cannot be enforced as written; <see cref="Field"/> names the field.</summary>
public sealed class PolicyValidationException(string field, string message)
    : ArgumentException($"{field}: {message}")
{
    /// <summary>Path of the offending field, e.g. <c>spec.ingress[2].destination.ports[0]</c>.</summary>
    public string Field { get; } = field;
}
