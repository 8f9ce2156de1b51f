namespace Tabby.Felix.Policy.Model;

/// <summary>Kubernetes object name rules (RFC 1123 subdomain), applied to policies, tiers, namespaces.</summary>
internal static class PolicyNames
{
    public static void ValidateName(string name, string field)
    {
        if (name.Length is 0 or > 253)
        {
            throw new PolicyValidationException(field, "must be 1-253 characters");
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
            {
                throw new PolicyValidationException(field, $"\"{name}\" may only hold lower-case letters, digits, '-' and '.'");
            }
        }
    }
}
